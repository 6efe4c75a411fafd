import { EMULATOR_DEV_CREDENTIALS, resolveEmulatorOptions } from './emulator.options';

describe('resolveEmulatorOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveEmulatorOptions()).toEqual({
      port: 0,
      host: '127.0.0.1',
      credentials: [EMULATOR_DEV_CREDENTIALS],
      appId: '1250000000',
      buckets: ['examplebucket-1250000000'],
      region: 'ap-guangzhou',
      dataDir: undefined,
      maxObjectSize: 5 * 1024 ** 3,
      minPartSize: 1024 * 1024,
      logger: undefined,
    });
  });

  it.each([
    [{ port: 70000 }, /port/],
    [{ appId: 'abc' }, /appId/],
    [{ region: 'Guangzhou!' }, /region/],
    [{ buckets: ['Photos-1250000000'] }, /bucket "Photos-1250000000" must be <name>-<appid>/],
    [{ buckets: ['photos-1300000000'] }, /must end with the APPID -1250000000/],
    [{ buckets: ['photos'] }, /must be <name>-<appid>/],
    [{ credentials: [] }, /at least one/],
    [{ credentials: [{ secretId: 'a', secretKey: '' }] }, /credentials\[0\]\.secretKey/],
    [{ credentials: [EMULATOR_DEV_CREDENTIALS, EMULATOR_DEV_CREDENTIALS] }, /appears twice/],
    [{ maxObjectSize: 0 }, /maxObjectSize/],
    [{ minPartSize: -1 }, /minPartSize/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveEmulatorOptions(options)).toThrow(message);
  });

  it('never puts a secret key in an error', () => {
    expect(() =>
      resolveEmulatorOptions({
        credentials: [
          { secretId: 'x', secretKey: 'super-secret' },
          { secretId: 'x', secretKey: 'super-secret' },
        ],
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('super-secret') }));
  });
});

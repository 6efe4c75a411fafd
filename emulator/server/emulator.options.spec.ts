import { type CiEmulatorOptions, EMULATOR_DEV_CREDENTIALS, resolveEmulatorOptions } from './emulator.options';

describe('resolveEmulatorOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveEmulatorOptions()).toEqual({
      port: 0,
      host: '127.0.0.1',
      credentials: [EMULATOR_DEV_CREDENTIALS],
      appId: '1250000000',
      buckets: ['examplebucket-1250000000'],
      bucketAcl: 'private',
      region: 'ap-guangzhou',
      dataDir: undefined,
      maxObjectSize: 5 * 1024 ** 3,
      minPartSize: 1024 * 1024,
      logger: undefined,
      styles: {},
      limits: { maxPixels: 100_000_000, maxSide: 30_000, maxFrames: 300, maxSourceBytes: 20 * 1024 * 1024 },
      faults: [],
      defaultCors: 'open',
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
    [{ maxPixels: 0 }, /maxPixels/],
    [{ maxSide: 1.5 }, /maxSide/],
    [{ maxProcessSourceBytes: 33 * 1024 * 1024 }, /maxProcessSourceBytes .* over CI's ceiling/],
    [{ styles: { 'a/b': 'imageMogr2/thumbnail/200x' } }, /style name "a\/b"/],
    [{ styles: { thumb: 'imageMogr2/thumbnail/' } }, /style "thumb" is not a valid rule/],
    [{ faults: [{ action: { type: 'boom' } }] }, /faults\[0\]\.action\.type must be/],
    [
      { faults: [{ match: { operation: 'PutObjet' }, action: { type: 'stall' } }] },
      /faults\[0\]\.match\.operation/,
    ],
  ])('refuses %j', (options, message) => {
    // Some cases are not valid TypeScript on purpose: JSON configuration reaches this function unchecked.
    expect(() => resolveEmulatorOptions(options as CiEmulatorOptions)).toThrow(message);
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

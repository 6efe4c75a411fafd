import { CliUsageError, parseCliOptions } from './cli-options';

describe('parseCliOptions', () => {
  it('maps every flag to an emulator option', () => {
    expect(
      parseCliOptions(
        [
          '--port',
          '9100',
          '--host',
          '0.0.0.0',
          '--secret-id',
          'AKIDX',
          '--secret-key',
          'k',
          '--security-token',
          't',
          '--app-id',
          '1300000000',
          '--bucket',
          'a-1300000000',
          '--bucket',
          'b-1300000000',
          '--region',
          'ap-beijing',
          '--data-dir',
          '/tmp/x',
          '--max-object-size',
          '20mb',
          '--min-part-size',
          '0',
          '--quiet',
        ],
        {},
      ),
    ).toEqual({
      kind: 'run',
      quiet: true,
      options: {
        port: 9100,
        host: '0.0.0.0',
        credentials: [{ secretId: 'AKIDX', secretKey: 'k', securityToken: 't' }],
        appId: '1300000000',
        buckets: ['a-1300000000', 'b-1300000000'],
        region: 'ap-beijing',
        dataDir: '/tmp/x',
        maxObjectSize: 20 * 1024 * 1024,
        minPartSize: 0,
      },
    });
  });

  it('reads the same settings from CI_EMULATOR_* variables; flags win', () => {
    const command = parseCliOptions(['--region', 'ap-beijing'], {
      CI_EMULATOR_PORT: '0',
      CI_EMULATOR_REGION: 'ap-shanghai',
      CI_EMULATOR_HOST: '::1',
      CI_EMULATOR_BUCKET: 'a-1250000000,b-1250000000',
      CI_EMULATOR_MAX_OBJECT_SIZE: '1gb',
      CI_EMULATOR_APP_ID: '1250000000',
      CI_EMULATOR_DATA_DIR: '/data',
    });
    expect(command).toEqual({
      kind: 'run',
      quiet: false,
      options: expect.objectContaining({
        port: 0,
        region: 'ap-beijing',
        host: '::1',
        buckets: ['a-1250000000', 'b-1250000000'],
        maxObjectSize: 1024 ** 3,
        appId: '1250000000',
        dataDir: '/data',
      }),
    });
  });

  it('defaults to nothing set (the emulator applies its defaults)', () => {
    const command = parseCliOptions([], {});
    expect(command.kind === 'run' && command.options.credentials).toBeUndefined();
    expect(command.kind === 'run' && command.options.buckets).toBeUndefined();
  });

  it.each([
    [['--port', '70000']],
    [['--port', '-1']],
    [['--secret-key', 'only-the-key']],
    [['--security-token', 't']],
    [['--max-object-size', 'huge']],
    [['positional']],
    [['--unknown']],
  ])('refuses %j', (argv) => {
    expect(() => parseCliOptions(argv, {})).toThrow(CliUsageError);
  });

  it('a secret key value never appears in a usage error', () => {
    expect(() => parseCliOptions(['--secret-key', 'hunter2'], {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});

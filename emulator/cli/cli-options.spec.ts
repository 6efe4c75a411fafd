import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  describe('processing and fault flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-emulator-cli-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const stylesFile = join(dir, 'styles.json');
    writeFileSync(
      stylesFile,
      JSON.stringify({ thumb: 'imageMogr2/thumbnail/100x', square: 'imageView2/1/w/50' }),
    );
    const fault = {
      match: { operation: 'PutObject' },
      action: { type: 'error', status: 503, code: 'SlowDown' },
    };

    it('reads styles from --styles-file and --style (which wins), limits and faults', () => {
      const command = parseCliOptions(
        [
          '--styles-file',
          stylesFile,
          '--style',
          'thumb=imageMogr2/thumbnail/200x|imageMogr2/format/png',
          '--style',
          'wm=watermark/2/text/aGk=',
          '--max-pixels',
          '5000000',
          '--max-side',
          '4000',
          '--max-frames',
          '50',
          '--max-process-source-size',
          '32mb',
          '--fault',
          JSON.stringify(fault),
          '--fault',
          JSON.stringify({ action: { type: 'latency', ms: 10 } }),
        ],
        {},
      );
      expect(command).toEqual({
        kind: 'run',
        quiet: false,
        options: expect.objectContaining({
          styles: {
            thumb: 'imageMogr2/thumbnail/200x|imageMogr2/format/png',
            square: 'imageView2/1/w/50',
            wm: 'watermark/2/text/aGk=',
          },
          maxPixels: 5_000_000,
          maxSide: 4000,
          maxFrames: 50,
          maxProcessSourceBytes: 32 * 1024 * 1024,
          faults: [
            { match: { operation: 'PutObject' }, times: 1, action: fault.action },
            { match: {}, times: 1, action: { type: 'latency', ms: 10, phase: 'headers' } },
          ],
        }),
      });
    });

    it('reads them from CI_EMULATOR_STYLE (;-separated), CI_EMULATOR_STYLES_FILE, CI_EMULATOR_FAULTS', () => {
      const command = parseCliOptions([], {
        CI_EMULATOR_STYLE: 'a=imageMogr2/rotate/90; b=imageView2/2/w/10',
        CI_EMULATOR_STYLES_FILE: stylesFile,
        CI_EMULATOR_FAULTS: JSON.stringify([fault, { times: 2, action: { type: 'stall' } }]),
        CI_EMULATOR_MAX_PROCESS_SOURCE_SIZE: '1mb',
      });
      expect(command.kind === 'run' && command.options).toEqual(
        expect.objectContaining({
          styles: {
            thumb: 'imageMogr2/thumbnail/100x',
            square: 'imageView2/1/w/50',
            a: 'imageMogr2/rotate/90',
            b: 'imageView2/2/w/10',
          },
          maxProcessSourceBytes: 1024 * 1024,
          faults: [expect.objectContaining({ times: 1 }), { match: {}, times: 2, action: { type: 'stall' } }],
        }),
      );
    });

    it.each([
      [['--style', 'no-equals-sign'], /NAME=RULE/],
      [['--style', 'x=imageMogr2/thumbnail/'], /style "x" is not a valid rule/],
      [['--styles-file', '/nonexistent/styles.json'], /cannot be read/],
      [['--max-pixels', '0'], /--max-pixels must be a positive integer/],
      [['--max-side', 'wide'], /--max-side/],
      [['--max-process-source-size', 'lots'], /--max-process-source-size/],
      [['--fault', '{not json'], /--fault must be JSON/],
      [['--fault', '{"action":{"type":"latency","ms":-1}}'], /--fault\.action\.ms/],
    ])('refuses %j', (argv, message) => {
      expect(() => parseCliOptions(argv, {})).toThrow(CliUsageError);
      expect(() => parseCliOptions(argv, {})).toThrow(message);
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

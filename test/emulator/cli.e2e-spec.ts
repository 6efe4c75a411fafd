import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { CiClient } from '../../lib/client';
import { runCli, type CliRun } from '../../emulator';
import { EMULATOR_DEV_CREDENTIALS } from '../../emulator';
import { REGION, sdkFailure, sdkFor, temporaryDirectory } from './support/emulator-test-kit';

/** Collects what the CLI writes. */
function output(): { write(text: string): boolean; text: () => string } {
  let text = '';
  return {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

/** True when nothing listens on the port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    req.end();
  });
}

describe('ci-emulator CLI: runCli in process, and the binary in a child process', () => {
  let run: CliRun | undefined;
  afterEach(async () => {
    await run?.stop();
    run = undefined;
  });

  it('starts on a free port with the flags, prints where it listens, serves the SDK, stops on SIGTERM with 0', async () => {
    const stdout = output();
    const stderr = output();
    const signals = new EventEmitter();
    run = await runCli(
      [
        '--port',
        '0',
        '--bucket',
        'photos-1300000000',
        '--bucket',
        'docs-1300000000',
        '--app-id',
        '1300000000',
        '--region',
        'ap-shanghai',
        '--max-object-size',
        '1kb',
      ],
      {},
      { stdout, stderr, signals },
    );
    const emulator = run.emulator!;
    expect(stdout.text()).toContain(`CI emulator listening on http://127.0.0.1:${emulator.port}`);
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(stdout.text()).toMatch(/buckets +photos-1300000000, docs-1300000000/);
    expect(stdout.text()).toMatch(/region +ap-shanghai/);
    expect(stdout.text()).toMatch(/max object +1 KiB/);
    expect(stdout.text()).toContain(EMULATOR_DEV_CREDENTIALS.secretId);
    expect(stdout.text()).toContain(`${EMULATOR_DEV_CREDENTIALS.secretKey} (development default)`);

    const cos = sdkFor(emulator);
    const put = await cos.putObject({
      Bucket: 'photos-1300000000',
      Region: 'ap-shanghai',
      Key: 'a.txt',
      Body: 'hello',
    });
    expect(put.statusCode).toBe(200);
    expect(stdout.text()).toMatch(/PUT PutObject photos-1300000000\/a\.txt -> 200/);
    const tooLarge = await sdkFailure(
      cos.putObject({
        Bucket: 'photos-1300000000',
        Region: 'ap-shanghai',
        Key: 'b',
        Body: Buffer.alloc(2048),
      }),
    );
    expect(tooLarge.code).toBe('EntityTooLarge');

    signals.emit('SIGTERM');
    expect(await run.done).toBe(0);
    expect(stdout.text()).toContain('CI emulator stopped.');
    expect(await refused(emulator.port)).toBe(true);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(stderr.text()).toBe('');
  });

  it('reads CI_EMULATOR_* variables; a configured secret key is used but never printed; SIGINT stops it', async () => {
    const dir = temporaryDirectory('ci-emulator-cli-');
    const stdout = output();
    const signals = new EventEmitter();
    run = await runCli(
      [],
      {
        CI_EMULATOR_PORT: '0',
        CI_EMULATOR_SECRET_ID: 'AKIDMYOWNKEY00000000000000000000',
        CI_EMULATOR_SECRET_KEY: 'my-own-secret-key',
        CI_EMULATOR_BUCKET: 'env-a-1250000000, env-b-1250000000',
        CI_EMULATOR_DATA_DIR: dir.path,
        CI_EMULATOR_QUIET: '1',
      },
      { stdout, stderr: output(), signals },
    );
    const emulator = run.emulator!;
    expect(emulator.buckets).toEqual(['env-a-1250000000', 'env-b-1250000000']);
    expect(stdout.text()).toContain('AKIDMYOWNKEY00000000000000000000');
    expect(stdout.text()).not.toContain('my-own-secret-key');
    expect(stdout.text()).toContain(`on disk in ${dir.path}`);

    const cos = sdkFor(emulator, {
      SecretId: 'AKIDMYOWNKEY00000000000000000000',
      SecretKey: 'my-own-secret-key',
    });
    expect(
      (await cos.putObject({ Bucket: 'env-a-1250000000', Region: REGION, Key: 'k', Body: 'v' })).statusCode,
    ).toBe(200);
    const devKey = await sdkFailure(
      sdkFor(emulator).putObject({ Bucket: 'env-a-1250000000', Region: REGION, Key: 'k', Body: 'v' }),
    );
    expect(devKey.code).toBe('InvalidAccessKeyId');
    expect(stdout.text()).not.toContain('PutObject');

    signals.emit('SIGINT');
    expect(await run.done).toBe(0);
    dir.remove();
  });

  it('--public-read: the buckets are listed and their objects and variants served without a signature', async () => {
    const stdout = output();
    run = await runCli(['--port', '0', '--public-read', '--quiet'], {}, { stdout, stderr: output() });
    const emulator = run.emulator!;
    const bucket = emulator.buckets[0]!;
    expect(stdout.text()).toContain(`  access      public-read: open ${emulator.url}/${bucket}/ to list`);
    const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#369' } })
      .png()
      .toBuffer();
    // Written with the printed key, as an app does; read by anyone, as a public-read COS bucket allows.
    const client = new CiClient({
      bucket,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: EMULATOR_DEV_CREDENTIALS,
    });
    await client.putObject('photos/a.png', png);
    await client.close();
    const listing = await fetch(`${emulator.url}/${bucket}/`);
    expect(listing.status).toBe(200);
    expect(await listing.text()).toContain('<Key>photos/a.png</Key>');
    const variant = await fetch(`${emulator.url}/${bucket}/photos/a.png?imageMogr2/thumbnail/16x`);
    expect(variant.status).toBe(200);
    expect((await sharp(Buffer.from(await variant.arrayBuffer())).metadata()).width).toBe(16);
    expect((await fetch(`${emulator.url}/${bucket}/photos/a.png`, { method: 'DELETE' })).status).toBe(403);
  });

  it('flags win over the environment', async () => {
    run = await runCli(
      ['--port', '0', '--region', 'ap-beijing'],
      { CI_EMULATOR_REGION: 'ap-shanghai', CI_EMULATOR_PORT: '1' },
      { stdout: output(), stderr: output() },
    );
    expect(run.emulator!.region).toBe('ap-beijing');
    expect(run.emulator!.port).not.toBe(1);
  });

  it('--help prints the usage and exits 0; a bad flag or value exits 2 with a message', async () => {
    const help = output();
    expect(await (await runCli(['--help'], {}, { stdout: help, stderr: output() })).done).toBe(0);
    expect(help.text()).toContain('--max-object-size SIZE');
    expect(help.text()).toContain('CI_EMULATOR_PORT');

    for (const argv of [
      ['--nope'],
      ['--port', 'abc'],
      ['--max-object-size', 'big'],
      ['--secret-id', 'AKIDONLYTHEID'],
    ]) {
      const stderr = output();
      const bad = await runCli(argv, {}, { stdout: output(), stderr });
      expect(await bad.done).toBe(2);
      expect(bad.emulator).toBeUndefined();
      expect(stderr.text()).toMatch(/^ci-emulator: /);
    }
  });

  it('a configuration the emulator refuses, or a port in use, exits 1', async () => {
    const stderr = output();
    const bad = await runCli(
      ['--port', '0', '--bucket', 'photos-1300000000'],
      {},
      { stdout: output(), stderr },
    );
    expect(await bad.done).toBe(1);
    expect(stderr.text()).toContain('must end with the APPID -1250000000');

    run = await runCli(['--port', '0'], {}, { stdout: output(), stderr: output() });
    const busy = output();
    const second = await runCli(
      ['--port', String(run.emulator!.port)],
      {},
      { stdout: output(), stderr: busy },
    );
    expect(await second.done).toBe(1);
    expect(busy.text()).toContain('EADDRINUSE');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'the ci-emulator binary (emulator/cli.ts in a child node) serves, then exits 0 on %s',
    async (signal) => {
      const root = join(__dirname, '..', '..');
      const child = spawn(
        process.execPath,
        [
          '-r',
          join(__dirname, 'support', 'register-ts.js'),
          join(root, 'emulator', 'cli.ts'),
          '--port',
          '0',
          '--quiet',
        ],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, CI_EMULATOR_BUCKET: 'bin-1250000000' },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const match = /CI emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match) resolve(match[1]);
        });
        child.on('exit', () => reject(new Error(`ci-emulator exited early: ${stderr}`)));
      });
      const cos = sdkFor({ url });
      const put = await cos.putObject({ Bucket: 'bin-1250000000', Region: REGION, Key: 'k', Body: 'v' });
      expect(put.statusCode).toBe(200);

      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stdout).toContain('CI emulator stopped.');
      expect(stderr).toBe('');
    },
  );
});

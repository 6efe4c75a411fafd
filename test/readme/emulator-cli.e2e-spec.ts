import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { CiModule } from '../../lib';
import { MISSING_SHARP_MESSAGE } from '../../emulator/errors/missing-sharp';
import { EMULATOR_EXPORTS, emulatorBanner } from '../support/ci-emulator-output';
import { AvatarsController } from '../support/avatars.controller';
import { photoJpeg } from '../support/images';

const ROOT = join(__dirname, '..', '..');
const REGISTER_TS = join(ROOT, 'test', 'emulator', 'support', 'register-ts.js');

/** Runs the `ci-emulator` binary from its sources in a child node, as `npx ci-emulator` does from dist. */
function ciEmulator(args: string[], preload: string[] = []): ChildProcess {
  return spawn(
    process.execPath,
    [...preload.flatMap((p) => ['-r', p]), '-r', REGISTER_TS, join(ROOT, 'emulator', 'cli.ts'), ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI_EMULATOR_QUIET: '1' } },
  );
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
}

describe('npx ci-emulator: what it prints is enough to point an app at it', () => {
  let child: ChildProcess | undefined;
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('prints export lines and a CiModule.forRoot snippet; an app configured from them uploads and gets variants', async () => {
    child = ciEmulator(['--port', '0']);
    const { text, exports: env } = await emulatorBanner(child);
    const stdout = () => text;
    expect(Object.keys(env).sort()).toEqual(EMULATOR_EXPORTS);
    expect(env.COS_BUCKET).toBe('examplebucket-1250000000');
    expect(env.COS_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout()).toContain(
      [
        '  CiModule.forRoot({',
        `    bucket: '${env.COS_BUCKET}',`,
        `    region: '${env.COS_REGION}',`,
        `    endpoint: '${env.COS_ENDPOINT}',`,
        `    credentials: { secretId: '${env.COS_SECRET_ID}', secretKey: '${env.COS_SECRET_KEY}' },`,
        '  })',
      ].join('\n'),
    );

    @Module({
      imports: [
        CiModule.forRoot({
          bucket: env.COS_BUCKET!,
          region: env.COS_REGION!,
          endpoint: env.COS_ENDPOINT,
          credentials: { secretId: env.COS_SECRET_ID!, secretKey: env.COS_SECRET_KEY! },
        }),
      ],
      controllers: [AvatarsController],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const res = await request(app.getHttpServer())
      .post('/avatars')
      .attach('file', await photoJpeg(640, 480), 'holiday.jpg');
    expect(res.status).toBe(201);
    expect(res.body.bucket).toBe('examplebucket-1250000000');
    expect(res.body.imageInfo.processResults).toEqual([
      expect.objectContaining({ format: 'WEBP', width: 200, height: 150 }),
    ]);
  }, 30_000);

  it('a key the user chose is never printed, in the exports or the snippet', async () => {
    child = ciEmulator(['--port', '0', '--secret-id', 'AKIDmine', '--secret-key', 'hunter2-secret']);
    const stdout = collect(child.stdout);
    await new Promise<void>((resolve) =>
      child!.stdout!.on('data', () => stdout().includes('Stop with Ctrl+C.') && resolve()),
    );
    expect(stdout()).not.toContain('hunter2-secret');
    expect(stdout()).toContain('export COS_SECRET_KEY=<the key you passed>');
    expect(stdout()).toContain('secretKey: process.env.COS_SECRET_KEY!');
  }, 30_000);

  it('without sharp installed it exits 1 with one line naming the package, no stack trace', async () => {
    child = ciEmulator(['--port', '0'], [join(ROOT, 'test', 'support', 'hide-sharp.js')]);
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const code = await new Promise<number | null>((resolve) => child!.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr()).toBe(`${MISSING_SHARP_MESSAGE}\n`);
    expect(MISSING_SHARP_MESSAGE).toContain('npm i -D sharp');
    expect(stdout()).toBe('');
  }, 30_000);
});

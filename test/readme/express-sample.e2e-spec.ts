// The README's plain Express file, run as written against the emulator: only its module specifiers are
// pointed at this checkout (the published names resolve to the built package, which a test does not build).
import type { Express } from 'express';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import supertest from 'supertest';
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { largeJpeg, photoJpeg } from '../support/images';

const ROOT = resolve(__dirname, '../..');
const bucket = 'readme-1250000000';

/** The ```ts block of "Plain Express (no Nest)". */
function expressSample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Plain Express (no Nest)'));
  return /```ts\n([\s\S]*?)```/.exec(section)![1]!;
}

describe("the README's plain Express file against the emulator", () => {
  let emulator: CiEmulator;
  let sample: { app: Express; closeUploads: () => Promise<unknown> };
  const dir = mkdtempSync(join(tmpdir(), 'readme-express-'));
  const saved = { ...process.env };

  beforeAll(async () => {
    emulator = await startCiEmulator({ port: 0, buckets: [bucket], region: 'ap-guangzhou' });
    // What the emulator's banner tells the user to export.
    Object.assign(process.env, {
      COS_ENDPOINT: emulator.url,
      COS_BUCKET: bucket,
      COS_REGION: 'ap-guangzhou',
      COS_SECRET_ID: emulator.credentials[0]!.secretId,
      COS_SECRET_KEY: emulator.credentials[0]!.secretKey,
    });
    const code = expressSample()
      .replace(`'nestjs-tencent-ci/express'`, JSON.stringify(join(ROOT, 'lib/express')))
      .replace(`from 'express'`, `from ${JSON.stringify(require.resolve('express'))}`)
      .replace(`from 'multer'`, `from ${JSON.stringify(require.resolve('multer'))}`);
    const file = join(dir, 'app.ts');
    writeFileSync(file, code);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sample = require(file);
  });

  afterAll(async () => {
    await sample?.closeUploads();
    await emulator?.close();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/avatars', '/photos'])('%s stores the original and its thumbnail', async (path) => {
    const jpeg = await photoJpeg(800, 600);
    const res = await supertest(sample.app).post(path).attach('file', jpeg, 'holiday.jpg').expect(201);
    expect(res.body.imageInfo.processResults).toEqual([
      expect.objectContaining({ key: res.body.key.replace(/\.jpg$/, '-200.webp'), width: 200 }),
    ]);
  });

  it.each(['/avatars', '/photos'])(
    '%s answers a text file 415 and a large file 413, as JSON',
    async (path) => {
      const text = await supertest(sample.app).post(path).attach('file', Buffer.from('notes'), 'notes.txt');
      expect(text.status).toBe(415);
      expect(text.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
      const big = await supertest(sample.app)
        .post(path)
        .attach('file', await largeJpeg(6), 'big.jpg');
      expect(big.status).toBe(413);
      expect(big.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    },
  );
});

import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import supertest from 'supertest';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from '../../testing';
import { answerJson, earlyAnswer } from '../support/early-answer';
import { largeJpeg, photoJpeg, pixelBombPng, truncated } from '../support/images';
import { listenOn, PLATFORMS } from './platforms';
import { UploadModule } from './upload-app';

const KEY_PATTERN = /^uploads\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.jpg$/;

describe.each(PLATFORMS)('@CiUpload on Nest/%s against the emulator (cos-v5)', (platform) => {
  let app: INestApplication;
  let emulator: CiEmulator;
  let http: ReturnType<typeof supertest>;
  let jpeg: Buffer;
  const bucket = 'examplebucket-1250000000';

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CiTestingModule.forRoot({
          module: { upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 3 } },
        }),
        UploadModule,
      ],
    }).compile();
    app = await listenOn(platform, moduleRef);
    emulator = moduleRef.get(CI_EMULATOR);
    http = supertest(app.getHttpServer());
    jpeg = await photoJpeg(1200, 800);
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => emulator.reset());

  async function stored() {
    return (await emulator.listObjects(bucket)).map((o) => o.key).sort();
  }

  it('stores the original and its variants, and answers 201 with the typed result', async () => {
    const res = await http.post('/avatars').attach('file', jpeg, 'holiday photo.jpg').expect(201);
    const { result, uploadedFileKey } = res.body;
    expect(result.key).toMatch(KEY_PATTERN);
    expect(result.key).not.toContain('holiday');
    expect(uploadedFileKey).toBe(result.key);
    expect(result).toMatchObject({
      fieldname: 'file',
      bucket,
      size: jpeg.length,
      mimetype: 'image/jpeg',
      originalName: 'holiday photo.jpg',
    });
    expect(result.requestId).toEqual(expect.any(String));
    expect(result.imageInfo.originalInfo).toMatchObject({
      width: 1200,
      height: 800,
      format: expect.stringMatching(/jpe?g/i),
    });
    expect(result.imageInfo.originalInfo.ave).toMatch(/^0x[0-9a-f]{6}$/i);
    const name = result.key.replace(/\.jpg$/, '');
    expect(result.imageInfo.processResults).toEqual([
      expect.objectContaining({ key: `${name}-200.webp`, width: 200, height: 133 }),
      expect.objectContaining({ key: `${name}-avatar.png`, width: 96, height: 96 }),
    ]);

    expect(await stored()).toEqual([result.key, `${name}-200.webp`, `${name}-avatar.png`].sort());
    const original = await emulator.getObject(bucket, result.key);
    expect(original!.equals(jpeg)).toBe(true);
    const thumb = await sharp(await emulator.getObject(bucket, `${name}-200.webp`)).metadata();
    expect(thumb).toMatchObject({ format: 'webp', width: 200, height: 133 });
    expect(result.imageInfo.processResults[0].size).toBe(
      (await emulator.getObject(bucket, `${name}-200.webp`))!.length,
    );
  });

  it('pipes a large image into one PUT with Pic-Operations (its size predicted from the request)', async () => {
    const big = await largeJpeg(5);
    const res = await http.post('/avatars').attach('file', big, 'big.jpg').expect(201);
    expect(res.body.result.size).toBe(big.length);
    expect((await emulator.getObject(bucket, res.body.result.key))!.equals(big)).toBe(true);
    expect(res.body.result.imageInfo.processResults).toHaveLength(2);
    expect(emulator.requests.map((r) => r.operation)).toEqual(['PutObject']);
  });

  it('streams a large image of unknown size (a many-file route) as a multipart upload, Pic-Operations on Complete', async () => {
    const big = await largeJpeg(5);
    const res = await http.post('/gallery').attach('files', big, 'big.jpg').expect(201);
    expect(res.body[0].size).toBe(big.length);
    expect((await emulator.getObject(bucket, res.body[0].key))!.equals(big)).toBe(true);
    expect(res.body[0].imageInfo.processResults).toHaveLength(1);
    const ops = emulator.requests.map((r) => r.operation);
    expect(ops).toContain('InitiateMultipartUpload');
    expect(ops).toContain('CompleteMultipartUpload');
    expect(await emulator.listMultipartUploads(bucket)).toEqual([]);
  });

  it('accepts many files under one field and under several fields', async () => {
    const png = await sharp(jpeg).png().toBuffer();
    const gallery = await http
      .post('/gallery')
      .attach('files', jpeg, 'a.jpg')
      .attach('files', png, 'b.png')
      .expect(201);
    expect(gallery.body).toHaveLength(2);
    expect(gallery.body[1].mimetype).toBe('image/png');
    expect(gallery.body[1].key).toMatch(/\.png$/);
    expect(
      gallery.body.every(
        (f: { imageInfo: { processResults: unknown[] } }) => f.imageInfo.processResults.length === 1,
      ),
    ).toBe(true);

    const profile = await http
      .post('/profile')
      .attach('avatar', jpeg, 'me.jpg')
      .attach('cover', jpeg, 'c1.jpg')
      .attach('cover', jpeg, 'c2.jpg')
      .expect(201);
    expect(profile.body.avatar).toHaveLength(1);
    expect(profile.body.avatar[0].imageInfo.processResults[0].width).toBe(96);
    expect(profile.body.cover).toHaveLength(2);
    expect(profile.body.cover[0].imageInfo.processResults).toEqual([]);
  });

  it.each([
    ['a text file', Buffer.from('just some text, not an image\n'.repeat(20)), 'notes.txt', 415],
    ['an HTML file named .jpg', Buffer.from('<!doctype html><html><body>hi</body></html>'), 'evil.jpg', 415],
    ['an empty file', Buffer.alloc(0), 'empty.jpg', 400],
  ])('refuses %s before anything reaches CI', async (_what, body, name, status) => {
    const res = await http.post('/avatars').attach('file', body, name).expect(status);
    expect(res.body).toMatchObject({
      statusCode: status,
      error: expect.any(String),
      message: expect.any(String),
    });
    expect(await stored()).toEqual([]);
    expect(emulator.requests).toEqual([]);
  });

  it('answers 422 with the CI code and request id for a truncated JPEG, and stores nothing', async () => {
    const res = await http.post('/avatars').attach('file', truncated(jpeg), 'cut.jpg').expect(422);
    expect(res.body).toMatchObject({
      statusCode: 422,
      ciCode: 'InvalidImageFormat',
      requestId: expect.any(String),
    });
    expect(await stored()).toEqual([]);
  });

  it('answers 422 for a decompression bomb within seconds, and stores nothing', async () => {
    const started = Date.now();
    const res = await http
      .post('/avatars')
      .attach('file', await pixelBombPng(), 'bomb.png')
      .expect(422);
    expect(res.body.ciCode).toBe('ImageResolutionExceed');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await stored()).toEqual([]);
  });

  it('answers 400 for an unexpected field and for a missing file', async () => {
    const res = await http.post('/avatars').attach('other', jpeg, 'a.jpg').expect(400);
    expect(res.body.message).toBe('Unexpected field - other');
    await http
      .post('/avatars')
      .field('name', 'x')
      .expect(400, /Missing file - file/);
    expect(await stored()).toEqual([]);
  });

  it('answers 400 for too many files', async () => {
    const res = await http
      .post('/gallery')
      .attach('files', jpeg, '1.jpg')
      .attach('files', jpeg, '2.jpg')
      .attach('files', jpeg, '3.jpg')
      .attach('files', jpeg, '4.jpg');
    expect(res.status).toBe(400);
    // Files stored before the limit hit are removed with their outputs.
    await waitFor(async () => (await stored()).length === 0);
  });

  it('answers 413 over the size limit, leaving no object and no open multipart upload', async () => {
    const big = await largeJpeg(3);
    const res = await http.post('/small').attach('file', big, 'big.jpg').expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, message: 'File too large - file' });
    // The piped PUT was under way and was dropped before its last byte.
    await waitFor(async () => emulator.requests.some((r) => r.operation === 'PutObject'));
    await waitFor(async () => (await emulator.listMultipartUploads(bucket)).length === 0);
    expect(await stored()).toEqual([]);
  });

  it('answers two files in a one-file field with a clear 400', async () => {
    const res = await http
      .post('/avatars')
      .attach('file', jpeg, 'a.jpg')
      .attach('file', jpeg, 'b.jpg')
      .expect(400);
    expect(res.body.message).toBe('Too many files - file');
    await waitFor(async () => (await stored()).length === 0);
  });

  it('refuses a declared Content-Length the route cannot fit before reading the body, and closes', async () => {
    const { port } = app.getHttpServer().address() as AddressInfo;
    const answer = await earlyAnswer(port, '/small', jpeg.subarray(0, 1000), 64 * 1024 * 1024);
    expect(answer.status).toBe(413);
    expect(answer.headers).toMatch(/connection: close/);
    expect(answerJson(answer)).toMatchObject({
      statusCode: 413,
      message: expect.stringMatching(/^Request too large/),
    });
    expect(emulator.requests).toEqual([]);
  });

  it('answers 413 as soon as a chunked body crosses the limit, and closes instead of reading on', async () => {
    const { port } = app.getHttpServer().address() as AddressInfo;
    const answer = await earlyAnswer(port, '/small', await largeJpeg(3));
    expect(answer.status).toBe(413);
    expect(answer.headers).toMatch(/connection: close/);
    expect(answerJson(answer)).toMatchObject({ statusCode: 413, message: 'File too large - file' });
    await waitFor(async () => (await emulator.listMultipartUploads(bucket)).length === 0);
    expect(await stored()).toEqual([]);
  });

  it('gives the text fields of the form to @Body()', async () => {
    const res = await http.post('/captioned').field('caption', 'at the lake').attach('file', jpeg, 'a.jpg');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ key: expect.stringMatching(KEY_PATTERN), caption: 'at the lake' });
  });

  it('leaves nothing behind when the client disconnects half-way, and keeps serving', async () => {
    const big = await largeJpeg(6);
    const address = app.getHttpServer().address() as AddressInfo;
    const boundary = '----ci-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: address.port,
        method: 'POST',
        path: '/avatars',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + big.length + 100,
        },
      });
      req.on('error', () => resolve());
      req.write(head);
      let off = 0;
      const pump = async () => {
        while (off < big.length / 2) {
          req.write(big.subarray(off, off + 256 * 1024));
          off += 256 * 1024;
          await sleep(5);
        }
        // By now the piped PUT is under way: go away.
        req.destroy();
        resolve();
      };
      void pump();
    });
    // The PUT was dropped before its last byte (the emulator logs it once it has seen it go).
    await waitFor(async () => emulator.requests.some((r) => r.operation === 'PutObject'));
    await waitFor(async () => (await emulator.listMultipartUploads(bucket)).length === 0);
    expect(await stored()).toEqual([]);
    await http.post('/avatars').attach('file', jpeg, 'after.jpg').expect(201);
  });

  it('handles concurrent uploads without mixing them up', async () => {
    const images = await Promise.all([400, 500, 600, 700, 800].map((w) => photoJpeg(w, 300)));
    const results = await Promise.all(
      images.map((img, i) => http.post('/avatars').attach('file', img, `${i}.jpg`)),
    );
    const bodies = results.map((r) => r.body.result);
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(bodies.map((b) => b.imageInfo.originalInfo.width)).toEqual([400, 500, 600, 700, 800]);
    expect(new Set(bodies.map((b) => b.key)).size).toBe(5);
    expect(await stored()).toHaveLength(15);
  });

  it('processes a stored image in the cloud with CiService.process', async () => {
    const upload = await http.post('/plain').attach('file', jpeg, 'a.jpg').expect(201);
    expect(upload.body.imageInfo.processResults).toEqual([]);
    const res = await http.post('/process').send({ key: upload.body.key }).expect(201);
    expect(res.body.imageInfo.originalInfo).toMatchObject({ width: 1200, height: 800 });
    expect(res.body.imageInfo.processResults[0]).toMatchObject({
      width: 800,
      height: 1200,
      format: expect.stringMatching(/png/i),
    });
    const rotated = await sharp(
      await emulator.getObject(bucket, res.body.imageInfo.processResults[0].key),
    ).metadata();
    expect(rotated).toMatchObject({ width: 800, height: 1200, format: 'png' });
  });

  it('refuses a cloud-processing rule that would overwrite its source unless asked, and 404s a missing key', async () => {
    const upload = await http.post('/plain').attach('file', jpeg, 'a.jpg').expect(201);
    const refused = await http
      .post('/process')
      .send({ key: upload.body.key, fileid: '{name}.{ext}' })
      .expect(400);
    expect(refused.body.message).toMatch(/overwrite/);
    await http.post('/process').send({ key: 'uploads/none.jpg' }).expect(404);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

import { Body, Controller, Post, Res, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { CiResult, CiUpload, type CiUploadResult } from 'nestjs-tencent-ci';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from 'nestjs-tencent-ci/testing';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from '../test-api.js';

const thumb = { fileid: '{name}-64.webp', rule: 'imageMogr2/thumbnail/64x/format/webp' };
const bucket = 'examplebucket-1250000000';
/** Keys stored by the last request of a failing route, and a hook the late-failing route calls. */
const stored: string[] = [];
let reached: () => void = () => undefined;
const keysOf = (r: CiUploadResult) => [r.key, ...r.imageInfo.processResults.map((p) => p.key)];

@Controller()
class FailuresController {
  @Post('small')
  @CiUpload('file', { rules: [thumb], limits: { fileSize: 100_000 } })
  small(@CiResult() result: CiUploadResult) {
    return result;
  }

  @Post('captioned')
  @CiUpload('file')
  captioned(@CiResult() result: CiUploadResult, @Body() body: { caption?: string }) {
    return { key: result.key, caption: body?.caption };
  }

  @Post('throws')
  @CiUpload('file', { rules: [thumb] })
  throws(@CiResult() result: CiUploadResult) {
    stored.push(...keysOf(result));
    throw new Error('database down');
  }

  @Post('throws-late')
  @CiUpload('file', { rules: [thumb] })
  async throwsLate(@CiResult() result: CiUploadResult, @Res({ passthrough: true }) res: object) {
    stored.push(...keysOf(result));
    reached();
    // Fails once the client has gone (a slow database write, say).
    const raw = ('raw' in res ? res.raw : res) as { once(event: 'close', listener: () => void): void };
    await new Promise<void>((resolve) => raw.once('close', resolve));
    throw new Error('database down');
  }
}

const jpeg = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6' } })
    .jpeg()
    .toBuffer();

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(['express', 'fastify'])('limits and failures on Nest/%s', (platform) => {
  let app: INestApplication;
  let emulator: CiEmulator;
  const keys = () => emulator.listObjects(bucket).map((o) => o.key);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CiTestingModule.forRoot()],
      controllers: [FailuresController],
    }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    emulator = moduleRef.get<CiEmulator>(CI_EMULATOR);
  });
  afterAll(() => app.close());

  it('answers over the limit 413 and a fake image 415, as JSON', async () => {
    const noise = await sharp({
      create: {
        width: 600,
        height: 600,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 80 },
      },
    })
      .jpeg({ quality: 100 })
      .toBuffer();
    const big = await request(app.getHttpServer()).post('/small').attach('file', noise, 'big.jpg');
    expect([big.status, big.body.message]).toEqual([413, 'File too large - file']);
    const fake = await request(app.getHttpServer())
      .post('/small')
      .attach('file', Buffer.from('<p>x</p>'), 'a.jpg');
    expect(fake.status).toBe(415);
    expect(fake.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
  });

  it('refuses a declared Content-Length the route cannot fit before reading the body', async () => {
    const { port } = app.getHttpServer().address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
      socket.write(
        'POST /small HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          'Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 67108864\r\n\r\n--b\r\n',
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
  });

  it('gives a text field of the form to @Body()', async () => {
    const res = await request(app.getHttpServer())
      .post('/captioned')
      .field('caption', 'at the lake')
      .attach('file', await jpeg(), 'a.jpg');
    expect(res.status).toBe(201);
    expect(res.body.caption).toBe('at the lake');
  });

  it('removes what a throwing handler stored', async () => {
    stored.length = 0;
    const res = await request(app.getHttpServer())
      .post('/throws')
      .attach('file', await jpeg(), 'a.jpg');
    expect(res.status).toBe(500);
    expect(stored).toHaveLength(2);
    await until(() => stored.every((k) => !keys().includes(k)));
  });

  it('removes what a handler stored when it throws after the client left', async () => {
    stored.length = 0;
    const body = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'),
      await jpeg(),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const handled = new Promise<void>((r) => (reached = r));
    const { port } = app.getHttpServer().address() as AddressInfo;
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/throws-late',
      headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': body.length },
    });
    req.on('error', () => undefined);
    req.end(body);
    await handled;
    expect(stored.every((k) => keys().includes(k))).toBe(true);
    req.destroy();
    await until(() => stored.every((k) => !keys().includes(k)));
  });
});

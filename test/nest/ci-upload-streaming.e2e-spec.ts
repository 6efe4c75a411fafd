/**
 * The streaming core seen from `@CiUpload` (issue 22; issue 19 row 8): a single-file form's file is piped into
 * one request with its size predicted from the request's Content-Length and checked at its end, a source that
 * sends too slowly is cut, slow uploads do not hold up others, and files-v2 form files up to the 20 MiB limit
 * go through.
 */
import { Controller, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import supertest from 'supertest';
import {
  CI_CLIENT,
  CiClient,
  CiModule,
  CiResult,
  CiResults,
  CiUpload,
  type CiModuleOptions,
  type CiUploadResult,
} from '../../lib';
import { useEmulatorBucket } from '../support/bucket-kit';
import { largeJpeg, photoJpeg } from '../support/images';
import { BOUNDARY, filePart, multipartBody, openUpload, waitFor } from '../support/multipart';
import { listenOn, PLATFORMS } from './platforms';

const bucket = 'streambucket-1250000000';
const md5 = (b: Buffer | undefined) => b && createHash('md5').update(b).digest('hex');

@Controller('s')
class StreamingController {
  @Post('one')
  @CiUpload('file', { isPicInfo: false })
  one(@CiResult() result: CiUploadResult) {
    return result;
  }

  // Many files per request: sizes are unknown until each file ends (budgeted parts).
  @Post('many')
  @CiUpload('files', { maxCount: 2, isPicInfo: false })
  many(@CiResults('files') results: CiUploadResult[]) {
    return results;
  }
}

/** A text field part. */
function fieldPart(name: string, value: string): Buffer {
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
}

/** The status the server answers `req` with, and its body. */
function answerOf(req: ClientRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve) =>
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }),
  );
}

describe.each(PLATFORMS)('@CiUpload on Nest/%s: the streaming core', (platform) => {
  const kit = useEmulatorBucket(bucket);
  let app: INestApplication | undefined;

  async function start(options: Partial<CiModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [CiModule.forRoot({ ...kit.connection(), upload: {}, ...options })],
      controllers: [StreamingController],
    }).compile();
    app = await listenOn(platform, moduleRef);
    return { http: supertest(app.getHttpServer()), client: moduleRef.get<CiClient>(CI_CLIENT) };
  }
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const operations = () => kit.emulator.requests.map((r) => r.operation);

  it("pipes a form's file into one PUT of its exact size, the bytes stored exactly, no budget taken", async () => {
    const { http, client } = await start();
    const jpeg = await largeJpeg(5);
    let peakBuffered = 0;
    const sampler = setInterval(
      () => (peakBuffered = Math.max(peakBuffered, client.uploadBufferStats().inUseBytes)),
      5,
    );
    const res = await http.post('/s/one').attach('file', jpeg, 'big.jpg');
    clearInterval(sampler);
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(jpeg.length);
    expect(operations().filter((op) => op !== 'ListMultipartUploads')).toEqual(['PutObject']);
    expect(md5(await kit.emulator.getObject(bucket, res.body.key))).toBe(md5(jpeg));
    expect(peakBuffered).toBe(0);
  });

  it('a Content-Length that counts bytes after the form (the prediction does not hold): 400, nothing stored', async () => {
    await start();
    const jpeg = await largeJpeg(5);
    // 1000 bytes after the closing delimiter (an epilogue busboy ignores): the file is 1000 bytes shorter than
    // the request's Content-Length predicts.
    const body = Buffer.concat([
      multipartBody([filePart('file', 'filename="lie.jpg"', jpeg)]),
      Buffer.alloc(1000),
    ]);
    const req = openUpload(app!.getHttpServer(), '/s/one', body.length);
    const answer = answerOf(req);
    req.end(body);
    const { status, body: text } = await answer;
    expect(status).toBe(400);
    expect(JSON.parse(text).message).toMatch(/fewer bytes than the \d+ its request declared/);
    expect(operations()).toContain('PutObject');
    expect(await kit.leftovers()).toEqual({ objects: [], uploads: [] });
  });

  it('a small file with a field after it: the prediction is only a bound, the file is stored exactly', async () => {
    const { http, client } = await start();
    const jpeg = await photoJpeg(800, 600);
    const body = multipartBody([filePart('file', 'filename="a.jpg"', jpeg), fieldPart('title', 'after')]);
    let peakBuffered = 0;
    const sampler = setInterval(
      () => (peakBuffered = Math.max(peakBuffered, client.uploadBufferStats().inUseBytes)),
      1,
    );
    const res = await http
      .post('/s/one')
      .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
      .send(body);
    clearInterval(sampler);
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(jpeg.length);
    expect(md5(await kit.emulator.getObject(bucket, res.body.key))).toBe(md5(jpeg));
    // Held within the predicted size (the file plus the trailing part), never a whole budget part.
    expect(peakBuffered).toBeLessThan(body.length);
  });

  it('a large file with a field after it (piped as predicted, the prediction does not hold): 400, nothing stored', async () => {
    const { http } = await start();
    const jpeg = await largeJpeg(5);
    const body = multipartBody([filePart('file', 'filename="a.jpg"', jpeg), fieldPart('title', 'after')]);
    const res = await http
      .post('/s/one')
      .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(
      /fewer bytes than the \d+ its request declared .*a form part after the file/,
    );
    expect(await kit.leftovers()).toEqual({ objects: [], uploads: [] });
    // The same file without the trailing field goes through.
    await http.post('/s/one').attach('file', jpeg, 'a.jpg').expect(201);
  });

  it.each(['/s/one', '/s/many'])(
    'a client that stops sending is cut (408) on %s, releases what it holds, nothing stored',
    async (path) => {
      const { http, client } = await start({
        upload: { minSourceBytesPerSecond: 64 * 1024, sourceRateWindowMs: 300 },
      });
      const jpeg = await largeJpeg(4);
      const field = path === '/s/one' ? 'file' : 'files';
      const body = multipartBody([filePart(field, 'filename="stall.jpg"', jpeg)]);
      const req = openUpload(app!.getHttpServer(), path, body.length);
      const answer = answerOf(req);
      req.write(body.subarray(0, 2_500_000));
      // The upload is cut while the client stalls: it fails and gives back what it held (the budget, the
      // multipart upload it opened, the request to CI).
      const dropped = path === '/s/one' ? 'PutObject' : 'AbortMultipartUpload';
      await waitFor(() => operations().includes(dropped));
      await waitFor(() => client.uploadBufferStats().inUseBytes === 0);
      // multer answers once the request's body has been read: the client then gets 408.
      req.end(body.subarray(2_500_000));
      const { status, body: text } = await answer;
      expect(status).toBe(408);
      expect(JSON.parse(text).message).toMatch(/too slow/);
      await waitFor(async () => (await kit.leftovers()).uploads.length === 0);
      expect(await kit.leftovers()).toEqual({ objects: [], uploads: [] });
      expect(client.uploadBufferStats()).toMatchObject({ inUseBytes: 0, waiting: 0 });
      // The app goes on.
      await http
        .post(path)
        .attach(field, await photoJpeg(300, 200), 'next.jpg')
        .expect(201);
    },
  );

  it('20 clients trickling 16 MiB uploads hold up no 200 KB upload: every one completes, no 503', async () => {
    const { http } = await start();
    const big = Buffer.concat([await photoJpeg(1200, 800), Buffer.alloc(16 * 1024 * 1024)]);
    const body = multipartBody([filePart('file', 'filename="slow.jpg"', big)]);
    const statuses: number[] = [];
    const slow = Array.from({ length: 20 }, () => {
      const req = openUpload(app!.getHttpServer(), '/s/one', body.length);
      req.on('response', (res) => statuses.push(res.statusCode!));
      req.write(body.subarray(0, 256 * 1024));
      return req;
    });
    let sent = 256 * 1024;
    const trickle = setInterval(() => {
      for (const req of slow) req.write(body.subarray(sent, sent + 16 * 1024));
      sent += 16 * 1024;
    }, 50);
    try {
      await waitFor(() => sent > 512 * 1024);
      const small = await photoJpeg(600, 400);
      const answers = await Promise.all([
        ...Array.from({ length: 4 }, () => http.post('/s/one').attach('file', small, 'small.jpg')),
        ...Array.from({ length: 4 }, () => http.post('/s/many').attach('files', small, 'small.jpg')),
      ]);
      statuses.push(...answers.map((a) => a.status));
      expect(answers.map((a) => a.status)).toEqual(new Array(8).fill(201));
    } finally {
      clearInterval(trickle);
      for (const req of slow) req.destroy();
    }
    expect(statuses.filter((s) => s === 503)).toEqual([]);
    // The slow ones were abandoned by their clients: nothing of theirs stays.
    await waitFor(async () => (await kit.leftovers()).objects.length === 8);
    expect((await kit.leftovers()).uploads).toEqual([]);
  });
  it("the issue's attack on uploads of unknown size: 20 clients send 64 KB then 32 B/s; a small upload still completes, no 503", async () => {
    // Scaled down in time (a 300 ms window, a 5 s budget wait); the default budget, 16 MiB.
    const { http, client } = await start({
      upload: { minSourceBytesPerSecond: 4096, sourceRateWindowMs: 300, budgetWaitMs: 5000 },
    });
    const big = Buffer.concat([await photoJpeg(1200, 800), Buffer.alloc(4 * 1024 * 1024)]);
    const body = multipartBody([filePart('files', 'filename="slow.jpg"', big)]);
    const statuses: number[] = [];
    const slow = Array.from({ length: 20 }, () => {
      const req = openUpload(app!.getHttpServer(), '/s/many', body.length);
      req.on('response', (res) => statuses.push(res.statusCode!));
      req.write(body.subarray(0, 64 * 1024));
      return req;
    });
    let sent = 64 * 1024;
    const trickle = setInterval(() => {
      for (const req of slow) req.write(body.subarray(sent, sent + 32));
      sent += 32;
    }, 1000);
    try {
      // The slow ones have taken the budget (2 MiB each: 8 of them) and the others wait for it.
      await waitFor(() => client.uploadBufferStats().waiting > 0);
      const small = await http.post('/s/many').attach('files', await photoJpeg(200, 150), 'small.jpg');
      expect(small.status).toBe(201);
      // They were cut, and gave back what they held.
      await waitFor(() => client.uploadBufferStats().inUseBytes === 0);
    } finally {
      clearInterval(trickle);
      for (const req of slow) req.destroy();
    }
    expect(statuses.filter((s) => s === 503)).toEqual([]);
    await waitFor(async () => (await kit.leftovers()).uploads.length === 0);
    expect((await kit.leftovers()).objects).toHaveLength(1);
  });
});

describe.each(PLATFORMS)('@CiUpload on Nest/%s over files-v2: form files up to the limit', (platform) => {
  const kit = useEmulatorBucket('streamfilesbucket-1250000000');
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start() {
    const moduleRef = await Test.createTestingModule({
      // The default budget (16 MiB) and the default file limit (20 MiB).
      imports: [CiModule.forRoot({ ...kit.connection(), upload: {}, protocol: 'files-v2' })],
      controllers: [StreamingController],
    }).compile();
    app = await listenOn(platform, moduleRef);
    return supertest(app.getHttpServer());
  }

  it('a 19 MiB file (over the 16 MiB budget, under the 20 MiB limit) is stored whole', async () => {
    const http = await start();
    const jpeg = Buffer.concat([await photoJpeg(1200, 800), Buffer.alloc(19 * 1024 * 1024)]);
    const res = await http.post('/s/one').attach('file', jpeg, 'big.jpg');
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(jpeg.length);
    expect(md5(await kit.emulator.getObject('streamfilesbucket-1250000000', res.body.key))).toBe(md5(jpeg));
  });

  it('two 10 MB files at once both go through (neither waits on the budget)', async () => {
    const http = await start();
    const jpeg = Buffer.concat([await photoJpeg(1200, 800), Buffer.alloc(10_000_000)]);
    const answers = await Promise.all([
      http.post('/s/one').attach('file', jpeg, 'a.jpg'),
      http.post('/s/one').attach('file', jpeg, 'b.jpg'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers.map((a) => a.body.size)).toEqual([jpeg.length, jpeg.length]);
  });
});

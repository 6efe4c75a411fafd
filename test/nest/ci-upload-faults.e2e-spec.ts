import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import sharp from 'sharp';
import supertest from 'supertest';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from '../../testing';
import { photoJpeg, truncated } from '../support/images';
import { UploadModule } from './upload-app';

const bucket = 'examplebucket-1250000000';

describe('@CiUpload when CI misbehaves (emulator fault injection)', () => {
  let app: INestApplication;
  let emulator: CiEmulator;
  let http: ReturnType<typeof supertest>;
  let jpeg: Buffer;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CiTestingModule.forRoot({
          module: { timeouts: { headersMs: 1_000 }, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 } },
        }),
        UploadModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    emulator = moduleRef.get(CI_EMULATOR);
    http = supertest(app.getHttpServer());
    jpeg = await photoJpeg(640, 480);
  });
  afterAll(() => app?.close());
  beforeEach(() => emulator.reset());

  it('answers 502 with the CI code and request id when CI fails with 500, storing nothing', async () => {
    emulator.faults.add({
      match: { operation: 'PutObject' },
      action: { type: 'error', status: 500, code: 'InternalError' },
    });
    const res = await http.post('/avatars').attach('file', jpeg, 'a.jpg').expect(502);
    expect(res.body).toMatchObject({
      statusCode: 502,
      error: 'Bad Gateway',
      ciCode: 'InternalError',
      requestId: expect.any(String),
    });
    expect(emulator.listObjects(bucket)).toEqual([]);
    await http.post('/avatars').attach('file', jpeg, 'b.jpg').expect(201);
  });

  it('answers 502 on 503 SlowDown and on a connection reset', async () => {
    emulator.faults.add({
      match: { operation: 'PutObject' },
      action: { type: 'error', status: 503, code: 'SlowDown' },
    });
    expect((await http.post('/avatars').attach('file', jpeg, 'a.jpg').expect(502)).body.ciCode).toBe(
      'SlowDown',
    );
    emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'reset', phase: 'response' } });
    const reset = await http.post('/avatars').attach('file', jpeg, 'a.jpg').expect(502);
    expect(reset.body.message).toBe('Image storage unreachable');
  });

  it('answers 504 when CI stalls past the headers timeout', async () => {
    emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'stall' } });
    const res = await http.post('/avatars').attach('file', jpeg, 'a.jpg').expect(504);
    expect(res.body).toMatchObject({ statusCode: 504, error: 'Gateway Timeout' });
  });

  it('answers 502 on a malformed CI answer, and removes the object it cannot account for', async () => {
    // The fault stores the upload, then answers 200 with broken XML: the outcome is unknown to the app.
    emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'malformed-xml' } });
    const res = await http.post('/plain').attach('file', jpeg, 'a.jpg').expect(502);
    expect(res.body.message).toBe('Image storage answered unexpectedly');
    expect(emulator.listObjects(bucket)).toEqual([]);
    // With rules, their outputs were written too: they go as well.
    emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'malformed-xml' } });
    await http.post('/avatars').attach('file', jpeg, 'a.jpg').expect(502);
    expect(emulator.listObjects(bucket)).toEqual([]);
  });

  it('retries cloud processing through transient 5xx and succeeds', async () => {
    const up = await http.post('/plain').attach('file', jpeg, 'a.jpg').expect(201);
    emulator.faults.add({
      match: { operation: 'ImageProcess' },
      times: 2,
      action: { type: 'error', status: 503, code: 'SlowDown' },
    });
    const res = await http.post('/process').send({ key: up.body.key }).expect(201);
    expect(res.body.imageInfo.processResults[0]).toMatchObject({ width: 480, height: 640 });
    expect(emulator.requests.filter((r) => r.operation === 'ImageProcess').map((r) => r.status)).toEqual([
      503, 503, 200,
    ]);
  });
});

describe('@CiUpload over the seed API (files-v2)', () => {
  let app: INestApplication;
  let emulator: CiEmulator;
  let http: ReturnType<typeof supertest>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CiTestingModule.forRoot({ module: { protocol: 'files-v2' } }), UploadModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    emulator = moduleRef.get(CI_EMULATOR);
    http = supertest(app.getHttpServer());
  });
  afterAll(() => app?.close());

  it('uploads with processing and returns the same typed result, with the files-v2 links', async () => {
    const res = await http
      .post('/avatars')
      .attach('file', await photoJpeg(800, 600), 'a.jpg')
      .expect(201);
    const { result } = res.body;
    expect(result.imageInfo.originalInfo).toMatchObject({ width: 800, height: 600 });
    expect(result.imageInfo.processResults.map((r: { width: number }) => r.width)).toEqual([200, 96]);
    expect(result.resourcePath).toBe(`/1250000000/examplebucket/${result.key}`);
    expect(result.timecost).toEqual(expect.any(Number));
    expect(emulator.requests.map((r) => r.operation)).toEqual(['FilesV2Upload']);
    const thumb = await emulator.getObject(bucket, result.imageInfo.processResults[0].key);
    expect(await sharp(thumb).metadata()).toMatchObject({ width: 200, format: 'webp' });
  });

  it('maps a CI refusal to 422 and a cloud process to its typed result', async () => {
    const refused = await http
      .post('/avatars')
      .attach('file', truncated(await photoJpeg(800, 600)), 'cut.jpg');
    expect(refused.status).toBe(422);
    expect(refused.body.ciCode).toEqual(expect.any(String));
    const up = await http
      .post('/plain')
      .attach('file', await photoJpeg(300, 200), 'p.jpg')
      .expect(201);
    const res = await http.post('/process').send({ key: up.body.key }).expect(201);
    expect(res.body.imageInfo.processResults[0]).toMatchObject({ width: 200, height: 300 });
  });
});

// Plain Express, as a user without Nest writes it: nothing here imports @nestjs/*.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import express, { type ErrorRequestHandler, type Request } from 'express';
import multer from 'multer';
import supertest from 'supertest';
import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import {
  CiClient,
  ciErrorHandler,
  ciErrorResponse,
  ciUpload,
  createCiInstance,
  createCiStorage,
  imageMogr2,
} from '../../lib/express';
import { answerJson, earlyAnswer } from '../support/early-answer';
import { PER_REQUEST_OPTIONS, perRequestCases } from '../support/per-request.cases';
import { useEmulatorBucket } from '../support/bucket-kit';
import { largeJpeg, photoJpeg } from '../support/images';
import { expectFailedProgress, expectSuccessfulProgress, ProgressRecorder } from '../support/progress';
import { BOUNDARY, filePart, multipartBody, openUpload, waitFor } from '../support/multipart';

const bucket = 'expressbucket-1250000000';
const thumb = { fileid: '{name}-200.webp', rule: imageMogr2().thumbnail({ width: 200 }).format('webp') };

describe('nestjs-tencent-ci/express against the emulator', () => {
  const kit = useEmulatorBucket(bucket);
  let jpeg: Buffer;

  beforeAll(async () => {
    jpeg = await photoJpeg(800, 600);
  });

  const connection = () => ({
    ...kit.connection(),
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
  });

  const leftovers = kit.leftovers;

  describe('ciUpload()', () => {
    const app = express();
    let single: ReturnType<typeof ciUpload>;
    let many: ReturnType<typeof ciUpload>;
    let passing: ReturnType<typeof ciUpload>;

    beforeAll(() => {
      single = ciUpload({ field: 'file', rules: [thumb], limits: { fileSize: 1_500_000 }, ...connection() });
      many = ciUpload({
        fields: [
          { name: 'avatar', rules: [thumb] },
          { name: 'cover', maxCount: 2 },
        ],
        ...connection(),
      });
      passing = ciUpload({ field: 'file', passErrors: true, ...connection() });
      app.post('/avatars', single, (req, res) => void res.status(201).json(req.ciResult));
      app.post('/profile', many, (req, res) => void res.status(201).json(req.ciResults));
      app.post(
        '/fails',
        single,
        (_req, res) => void res.status(409).json({ message: 'conflict after upload' }),
      );
      app.post('/passing', passing, (req, res) => void res.status(201).json(req.ciResult));
      const handler: ErrorRequestHandler = (err, _req, res, _next) => {
        const body = ciErrorResponse(err);
        res.status(418).json({ mine: true, status: body?.statusCode });
      };
      app.use(handler);
    });

    afterAll(async () => {
      await Promise.all([single.close(), many.close(), passing.close()]);
    });

    it('stores the original and its variant and sets req.ciResult', async () => {
      const res = await supertest(app).post('/avatars').attach('file', jpeg, '写真.jpg').expect(201);
      expect(res.body).toMatchObject({
        fieldname: 'file',
        bucket,
        size: jpeg.length,
        mimetype: 'image/jpeg',
        originalName: '写真.jpg',
      });
      const name = res.body.key.replace(/\.jpg$/, '');
      expect(res.body.imageInfo.processResults).toEqual([
        expect.objectContaining({ key: `${name}-200.webp`, width: 200 }),
      ]);
      expect(
        kit.emulator
          .listObjects(bucket)
          .map((o) => o.key)
          .sort(),
      ).toEqual([res.body.key, `${name}-200.webp`].sort());
    });

    it('sets req.ciResults by field', async () => {
      const res = await supertest(app)
        .post('/profile')
        .attach('avatar', jpeg, 'a.jpg')
        .attach('cover', jpeg, 'c1.jpg')
        .attach('cover', jpeg, 'c2.jpg')
        .expect(201);
      expect(res.body.avatar[0].imageInfo.processResults).toHaveLength(1);
      expect(res.body.cover).toHaveLength(2);
    });

    it.each([
      [
        'not an image',
        () =>
          supertest(app)
            .post('/avatars')
            .attach('file', Buffer.from('text '.repeat(100)), 'a.jpg'),
        415,
      ],
      ['a missing file', () => supertest(app).post('/avatars').field('x', 'y'), 400],
      ['an unexpected field', () => supertest(app).post('/avatars').attach('other', jpeg, 'a.jpg'), 400],
    ])('answers %s with the Nest routes’ JSON and status', async (_what, send, status) => {
      const res = await send().expect(status);
      expect(res.body).toEqual({
        statusCode: status,
        message: expect.any(String),
        error: expect.any(String),
      });
      expect(await leftovers()).toEqual({ objects: [], uploads: [] });
    });

    it('answers 413 over the limit, leaving no object and no open multipart upload', async () => {
      const res = await supertest(app)
        .post('/avatars')
        .attach('file', await largeJpeg(3), 'big.jpg')
        .expect(413);
      expect(res.body.message).toBe('File too large - file');
      await waitFor(async () => (await leftovers()).uploads.length === 0);
      expect(await leftovers()).toEqual({ objects: [], uploads: [] });
    });

    it('removes what was stored when the answer is an error', async () => {
      await supertest(app).post('/fails').attach('file', jpeg, 'a.jpg').expect(409);
      await waitFor(() => kit.emulator.listObjects(bucket).length === 0);
    });

    it('passes errors to next(err) when asked', async () => {
      const res = await supertest(app)
        .post('/passing')
        .attach('file', Buffer.from('text '.repeat(100)), 'a.jpg')
        .expect(418);
      expect(res.body).toEqual({ mine: true, status: 415 });
    });

    it('reads filename* names', async () => {
      const body = multipartBody([
        filePart('file', `filename*=UTF-8''${encodeURIComponent('café 😀.jpg')}`, jpeg),
      ]);
      const res = await supertest(app)
        .post('/avatars')
        .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
        .send(body)
        .expect(201);
      expect(res.body.originalName).toBe('café 😀.jpg');
    });

    it('leaves nothing when the client goes away mid-upload, and keeps serving', async () => {
      const server = app.listen(0, '127.0.0.1');
      try {
        await new Promise((r) => server.once('listening', r));
        const big = await largeJpeg(4);
        const head = filePart('file', 'filename="big.jpg"', Buffer.alloc(0)).subarray(0, -2);
        const big2 = ciUpload({ field: 'file', ...connection() });
        app.post('/big', big2, (req, res) => void res.status(201).json(req.ciResult));
        const req = openUpload(server, '/big', head.length + big.length + 100);
        req.write(head);
        req.write(big.subarray(0, 2 * 1024 * 1024));
        // Its size is predicted from the request: it is piped into one PUT, under way once its bytes go out.
        await new Promise((r) => setTimeout(r, 300));
        req.destroy();
        // The PUT had started, and was dropped before its last byte (logged once the emulator has seen it go).
        await waitFor(() => kit.emulator.requests.some((r) => r.operation === 'PutObject'));
        await waitFor(async () => (await leftovers()).uploads.length === 0);
        expect(await leftovers()).toEqual({ objects: [], uploads: [] });
        await big2.close();
        await supertest(app).post('/avatars').attach('file', jpeg, 'after.jpg').expect(201);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  });

  describe('limits, errors and clients that leave', () => {
    const app = express();
    let server: ReturnType<typeof app.listen>;
    let port: number;
    let upload: ReturnType<typeof ciUpload>;
    let storage: ReturnType<typeof createCiStorage>;
    let stored: () => void;

    beforeAll(async () => {
      upload = ciUpload({ field: 'file', rules: [thumb], limits: { fileSize: 1_500_000 }, ...connection() });
      storage = createCiStorage({ rules: [thumb], limits: { fileSize: 1_000_000 }, ...connection() });
      app.post('/avatars', upload, (req, res) => void res.status(201).json(req.ciResult));
      // multer given no limits at all: the engine holds the route's own.
      app.post(
        '/photos',
        multer({ storage }).single('file'),
        (req, res) => void res.status(201).json(req.file),
      );
      app.post('/late-failure', upload, (_req, res, next) => {
        stored();
        // The handler fails once the client has gone (a slow database write, say).
        res.once('close', () => next(new Error('database down')));
      });
      app.post('/throws', upload, () => {
        throw new Error('database down');
      });
      app.use(ciErrorHandler({ logger: connection().logger }));
      server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      port = (server.address() as AddressInfo).port;
    });

    afterAll(async () => {
      await Promise.all([upload.close(), storage.close()]);
      await new Promise((r) => server.close(r));
    });

    it('createCiStorage() enforces the route limit whatever multer was given: 413 as JSON', async () => {
      const res = await supertest(app)
        .post('/photos')
        .attach('file', await largeJpeg(1.2), 'big.jpg');
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        statusCode: 413,
        message: 'File too large - file',
        error: 'Payload Too Large',
      });
      await waitFor(async () => (await leftovers()).uploads.length === 0);
      expect(await leftovers()).toEqual({ objects: [], uploads: [] });
    });

    it('ciErrorHandler() answers a fake image as JSON 415, never the HTML error page', async () => {
      const res = await supertest(app)
        .post('/photos')
        .attach('file', Buffer.from('<html>not a jpeg</html>'), 'fake.jpg');
      expect(res.status).toBe(415);
      expect(res.type).toBe('application/json');
      expect(res.body).toEqual({
        statusCode: 415,
        message: expect.any(String),
        error: 'Unsupported Media Type',
      });
    });

    it('ciErrorHandler() answers an unknown error as a JSON 500 without its message or stack', async () => {
      const res = await supertest(app).post('/throws').attach('file', jpeg, 'a.jpg');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        statusCode: 500,
        message: 'Internal server error',
        error: 'Internal Server Error',
      });
      await waitFor(() => kit.emulator.listObjects(bucket).length === 0);
    });

    it('refuses a declared Content-Length the route cannot fit before reading the body, and closes', async () => {
      const answer = await earlyAnswer(port, '/avatars', jpeg.subarray(0, 1000), 64 * 1024 * 1024);
      expect(answer.status).toBe(413);
      expect(answer.headers).toMatch(/connection: close/);
      expect(answerJson(answer)).toMatchObject({
        statusCode: 413,
        message: expect.stringMatching(/^Request too large/),
      });
      expect(await leftovers()).toEqual({ objects: [], uploads: [] });
    });

    it('answers 413 as soon as a chunked body crosses the limit, and closes instead of reading on', async () => {
      const answer = await earlyAnswer(port, '/avatars', await largeJpeg(3));
      expect(answer.status).toBe(413);
      expect(answer.headers).toMatch(/connection: close/);
      expect(answerJson(answer)).toEqual({
        statusCode: 413,
        message: 'File too large - file',
        error: 'Payload Too Large',
      });
      await waitFor(async () => (await leftovers()).uploads.length === 0);
      expect(await leftovers()).toEqual({ objects: [], uploads: [] });
    });

    it('answers two files in a one-file field with a clear 400', async () => {
      const res = await supertest(app)
        .post('/avatars')
        .attach('file', jpeg, 'a.jpg')
        .attach('file', jpeg, 'b.jpg')
        .expect(400);
      expect(res.body.message).toBe('Too many files - file');
      await waitFor(async () => (await leftovers()).objects.length === 0);
    });

    it('removes what was stored when the handler fails after the client left', async () => {
      const body = multipartBody([filePart('file', 'filename="a.jpg"', jpeg)]);
      const handled = new Promise<void>((r) => (stored = r));
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/late-failure',
        headers: {
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': body.length,
        },
      });
      req.on('error', () => undefined);
      req.end(body);
      await handled;
      expect(kit.emulator.listObjects(bucket)).toHaveLength(2);
      req.destroy();
      await waitFor(() => kit.emulator.listObjects(bucket).length === 0);
    });
  });

  it('ciUpload({ client }) uploads through the given client and leaves it open on close()', async () => {
    const client = new CiClient(kit.connection());
    const upload = ciUpload({ field: 'file', rules: [thumb], ...connection(), client });
    const app = express();
    app.post('/given', upload, (req, res) => void res.status(201).json(req.ciResult));
    const res = await supertest(app).post('/given').attach('file', jpeg, 'a.jpg').expect(201);
    expect(res.body).toMatchObject({ bucket, size: jpeg.length });
    await upload.close();
    // Still open: the caller owns it.
    expect((await client.headObject(res.body.key)).size).toBe(jpeg.length);
    await client.close();
  });

  it('createCiStorage() is a multer engine whose req.file carries the CI result', async () => {
    const storage = createCiStorage({ fields: [{ name: 'avatar', rules: [thumb] }], ...connection() });
    const app = express();
    app.post(
      '/photos',
      multer({ storage, defParamCharset: 'utf8' }).fields([{ name: 'avatar' }, { name: 'cover' }]),
      (req, res) => {
        res.status(201).json(req.files);
      },
    );
    try {
      const res = await supertest(app)
        .post('/photos')
        .attach('avatar', jpeg, 'ü.jpg')
        .attach('cover', jpeg, 'c.jpg');
      expect(res.status).toBe(201);
      expect(res.body.avatar[0]).toMatchObject({
        originalname: 'ü.jpg',
        mimetype: 'image/jpeg',
        bucket,
        size: jpeg.length,
      });
      expect(res.body.avatar[0].imageInfo.processResults).toHaveLength(1);
      expect(res.body.cover[0].imageInfo.processResults).toEqual([]);
      expect(kit.emulator.listObjects(bucket)).toHaveLength(3);
    } finally {
      await storage.close();
    }
  });

  describe.each(['ciUpload', 'createCiStorage'])('options computed per request: %s()', (adapter) => {
    const app = express();
    let lifecycle: { close(): Promise<void> };
    beforeAll(() => {
      if (adapter === 'ciUpload') {
        const upload = ciUpload({ field: 'file', ...PER_REQUEST_OPTIONS, ...connection() });
        app.post('/per-request', upload, (req, res) => void res.status(201).json(req.ciResult));
        lifecycle = upload;
      } else {
        const storage = createCiStorage({ ...PER_REQUEST_OPTIONS, ...connection() });
        app.post(
          '/per-request',
          multer({ storage }).single('file'),
          (req, res) => void res.status(201).json(req.file),
        );
        app.use(ciErrorHandler({ logger: connection().logger }));
        lifecycle = storage;
      }
    });
    afterAll(() => lifecycle.close());
    perRequestCases({
      http: () => supertest(app),
      head: (key) => kit.inspect.headObject(key),
      stored: async () => (await leftovers()).objects,
    });
  });

  describe('two instances (two buckets) in one app', () => {
    const second = 'documents-1250000000';
    const app = express();
    let avatars: ReturnType<typeof createCiInstance>;
    let documents: ReturnType<typeof createCiInstance>;
    beforeAll(() => {
      avatars = createCiInstance(connection());
      documents = createCiInstance({ ...connection(), bucket: second, limits: { fileSize: 200_000 } });
      app.post('/avatars', avatars.upload({ field: 'file', rules: [thumb] }), (req, res) => {
        res.status(201).json(req.ciResult);
      });
      app.post('/scans', multer({ storage: documents.storage({}) }).single('scan'), (req, res) => {
        res.status(201).json(req.file);
      });
      app.use(ciErrorHandler({ logger: connection().logger }));
    });
    // The kit's reset drops buckets it did not configure.
    beforeEach(() => kit.emulator.createBucket(second));
    afterAll(() => Promise.all([avatars.close(), documents.close()]));

    it("stores each route's files in its instance's bucket, within that instance's limits", async () => {
      const avatar = await supertest(app).post('/avatars').attach('file', jpeg, 'a.jpg').expect(201);
      const scan = await supertest(app)
        .post('/scans')
        .attach('scan', await photoJpeg(200, 100), 's.jpg')
        .expect(201);
      expect([avatar.body.bucket, scan.body.bucket]).toEqual([bucket, second]);
      expect(kit.emulator.listObjects(bucket)).toHaveLength(2);
      expect(kit.emulator.listObjects(second).map((o) => o.key)).toEqual([scan.body.key]);
      await supertest(app).post('/scans').attach('scan', jpeg, 'big.jpg').expect(413);
      expect(kit.emulator.listObjects(second)).toHaveLength(1);
    });
  });

  describe('onProgress', () => {
    it('ciUpload() reports each file of a request, by field, to done; a refused one to failed', async () => {
      const recorder = new ProgressRecorder();
      const upload = ciUpload({
        fields: [{ name: 'avatar', rules: [thumb] }, { name: 'cover' }],
        onProgress: (progress, req: Request) => recorder.listener(progress, req),
        ...connection(),
      });
      const app = express();
      app.post('/profile', upload, (req, res) => void res.status(201).json(req.ciResults));
      try {
        const big = await largeJpeg(2.5);
        const res = await supertest(app)
          .post('/profile')
          .set('x-upload-id', 'two-files')
          .attach('avatar', jpeg, 'me.jpg')
          .attach('cover', big, 'cover.jpg')
          .expect(201);
        const files = [
          {
            fieldname: 'avatar',
            originalName: 'me.jpg',
            size: jpeg.length,
            phases: ['receiving', 'uploading', 'done'],
          },
          // Above the 1 MiB threshold: multipart, so CI processes on Complete.
          {
            fieldname: 'cover',
            originalName: 'cover.jpg',
            size: big.length,
            phases: ['receiving', 'uploading', 'processing', 'done'],
          },
        ] as const;
        for (const f of files) {
          expectSuccessfulProgress(
            recorder.of('two-files').filter((r) => r.fieldname === f.fieldname),
            { ...f, phases: [...f.phases], key: res.body[f.fieldname][0].key },
          );
        }

        const refused = await supertest(app)
          .post('/profile')
          .set('x-upload-id', 'refused')
          .attach('avatar', Buffer.from('%PDF-1.7 not an image'), 'doc.pdf')
          .expect(415);
        expectFailedProgress(recorder.of('refused'), {
          statusCode: 415,
          code: 'CI_UNSUPPORTED_MEDIA',
          message: refused.body.message,
        });
        expect(await leftovers()).toMatchObject({ uploads: [] });
      } finally {
        await upload.close();
      }
    });

    it("createCiStorage() reports through multer's own middleware", async () => {
      const recorder = new ProgressRecorder();
      const storage = createCiStorage({ onProgress: recorder.listener, ...connection() });
      const app = express();
      app.post('/photos', multer({ storage }).single('photo'), (req, res) => void res.json(req.file));
      try {
        const res = await supertest(app)
          .post('/photos')
          .set('x-upload-id', 'engine')
          .attach('photo', jpeg, 'p.jpg')
          .expect(200);
        expectSuccessfulProgress(recorder.of('engine'), {
          size: jpeg.length,
          key: res.body.key,
          fieldname: 'photo',
          originalName: 'p.jpg',
          phases: ['receiving', 'uploading', 'done'],
        });
      } finally {
        await storage.close();
      }
    });
  });

  it('loads without any @nestjs/* package', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-r',
        './test/express/support/block-nestjs.js',
        'bench/run-ts.js',
        'test/express/support/load-express-subpath.ts',
      ],
      { encoding: 'utf8', cwd: resolve(__dirname, '../..') },
    );
    expect(out.trim()).toBe('ciUpload function, createCiStorage function');
  });
});

import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import sharp from 'sharp';
import supertest from 'supertest';
import { CI_CLIENT, CiClient, CiModule, type CiModuleOptions } from '../../lib';
import { useEmulatorBucket } from '../support/bucket-kit';
import { largeJpeg, photoJpeg } from '../support/images';
import { filePart, multipartBody, openUpload, waitFor, BOUNDARY } from '../support/multipart';
import { listenOn, PLATFORMS } from './platforms';
import { AfterUploadController, UploadController } from './upload-app';

const bucket = 'lifecyclebucket-1250000000';

/** Collects every log line with its level. */
class RecordingLogger implements LoggerService {
  lines: { level: string; message: string }[] = [];
  private add =
    (level: string) =>
    (m: unknown, ...rest: unknown[]) =>
      void this.lines.push({ level, message: [m, ...rest].map(String).join(' ') });
  log = this.add('log');
  warn = this.add('warn');
  error = this.add('error');
  debug = this.add('debug');
  verbose = this.add('verbose');
}

describe.each(PLATFORMS)(
  '@CiUpload on Nest/%s: failures after the upload, names, disconnects, shutdown',
  (platform) => {
    const kit = useEmulatorBucket(bucket);

    async function start(options: Partial<CiModuleOptions> = {}, logger = new RecordingLogger()) {
      const moduleRef = await Test.createTestingModule({
        imports: [CiModule.forRoot({ ...kit.connection(), logger, ...options })],
        controllers: [UploadController, AfterUploadController],
      }).compile();
      const app = await listenOn(platform, moduleRef, { logger });
      return {
        app,
        http: supertest(app.getHttpServer()),
        logger,
        client: moduleRef.get<CiClient>(CI_CLIENT),
      };
    }

    const leftovers = kit.leftovers;

    describe('one app', () => {
      let app: INestApplication;
      let http: ReturnType<typeof supertest>;
      let logger: RecordingLogger;
      let client: CiClient;

      beforeAll(async () => ({ app, http, logger, client } = await start()));
      afterAll(() => app?.close());

      it("lets Nest's ParseFilePipe validate type (from the bytes) and size without buffering the file", async () => {
        const png = await sharp(await photoJpeg(300, 200))
          .png()
          .toBuffer();
        const res = await http.post('/after/validated').attach('file', png, 'a.png').expect(201);
        expect(res.body).toMatchObject({ mimetype: 'image/png', size: png.length });
        expect(kit.emulator.listObjects(bucket)).toHaveLength(2);
      });

      it.each([
        ['FileTypeValidator refuses a JPEG', () => photoJpeg(300, 200), /expected type is image\/png/],
        [
          'MaxFileSizeValidator refuses a multipart-sized PNG',
          async () =>
            sharp(await largeJpeg(2))
              .png({ compressionLevel: 0 })
              .toBuffer(),
          /expected size is less than 400000/,
        ],
      ])('removes the original and its outputs when %s', async (_what, image, message) => {
        const res = await http
          .post('/after/validated')
          .attach('file', await image(), 'a.img')
          .expect(400);
        expect(res.body.message).toMatch(message);
        expect(await leftovers()).toEqual({ objects: [], uploads: [] });
      });

      it('removes every stored file when the handler throws, before answering', async () => {
        const jpeg = await photoJpeg(400, 300);
        const res = await http
          .post('/after/throws')
          .attach('files', jpeg, 'a.jpg')
          .attach('files', jpeg, 'b.jpg')
          .expect(400);
        expect(res.body.message).toBe('the handler refused');
        expect(kit.emulator.requests.filter((r) => r.operation === 'PutObject')).toHaveLength(2);
        expect(await leftovers()).toEqual({ objects: [], uploads: [] });
      });

      it('keeps what was stored when the route says keepOnError', async () => {
        const res = await http
          .post('/after/throws-keep')
          .attach('file', await photoJpeg(400, 300), 'a.jpg')
          .expect(400);
        const key = /^kept (.+)$/.exec(res.body.message)![1]!;
        expect(
          kit.emulator
            .listObjects(bucket)
            .map((o) => o.key)
            .sort(),
        ).toEqual([key, key.replace(/\.jpg$/, '-200.webp')].sort());
      });

      it('stores nothing when a guard refuses the request', async () => {
        await http
          .post('/after/guarded')
          .attach('file', await photoJpeg(400, 300), 'a.jpg')
          .expect(403);
        expect(kit.emulator.requests).toEqual([]);
        expect(await leftovers()).toEqual({ objects: [], uploads: [] });
      });

      it('reads UTF-8 file names, raw and as RFC 5987 filename*', async () => {
        const jpeg = await photoJpeg(100, 80);
        const body = multipartBody([
          filePart('files', 'filename="写真 ü.jpg"', jpeg),
          filePart('files', 'filename="café 😀.jpg"', jpeg),
          filePart('files', `filename*=UTF-8''${encodeURIComponent('写真-😀-é.jpg')}`, jpeg),
        ]);
        const res = await http
          .post('/after/names')
          .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
          .send(body)
          .expect(201);
        expect(res.body).toEqual(['写真 ü.jpg', 'café 😀.jpg', '写真-😀-é.jpg']);
      });

      it('answers nothing to a client that went away, logs one debug line, and leaves nothing', async () => {
        logger.lines = [];
        const big = await largeJpeg(4);
        const head = filePart('file', 'filename="big.jpg"', Buffer.alloc(0)).subarray(0, -2);
        const req = openUpload(app.getHttpServer(), '/avatars', head.length + big.length + 100);
        const answered = new Promise<boolean>((resolve) => {
          req.on('response', () => resolve(true));
          req.on('close', () => resolve(false));
        });
        req.write(head);
        req.write(big.subarray(0, 2 * 1024 * 1024));
        // Its size is predicted from the request: the upload is piped into one PUT, under way.
        await waitFor(() => client.uploadBufferStats().piped === 1);
        req.destroy();
        expect(await answered).toBe(false);
        await waitFor(async () => (await leftovers()).uploads.length === 0);
        await waitFor(() => logger.lines.some((l) => /client went away/.test(l.message)));
        expect(await leftovers()).toEqual({ objects: [], uploads: [] });
        const gone = logger.lines.filter((l) => /client went away/.test(l.message));
        expect(gone).toEqual([{ level: 'debug', message: expect.any(String) }]);
        expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
        await http
          .post('/plain')
          .attach('file', await photoJpeg(100, 80), 'after.jpg')
          .expect(201);
      });

      it('logs an expected refusal as one debug line, not a warning', async () => {
        logger.lines = [];
        await http
          .post('/avatars')
          .attach('file', Buffer.from('not an image'.repeat(50)), 'a.jpg')
          .expect(415);
        expect(logger.lines).toEqual([
          { level: 'debug', message: expect.stringMatching(/^415: The file is not an image/) },
        ]);
      });
    });

    it('shuts down within shutdownTimeoutMs while a client is stalled mid-upload, leaving nothing', async () => {
      const { app, client } = await start({ shutdownTimeoutMs: 500 });
      const big = await largeJpeg(4);
      const head = filePart('file', 'filename="big.jpg"', Buffer.alloc(0)).subarray(0, -2);
      const req = openUpload(app.getHttpServer(), '/avatars', head.length + big.length + 100);
      req.write(head);
      req.write(big.subarray(0, 2 * 1024 * 1024));
      // Then nothing: the connection stays open, the client sends no more (its upload piped, under way).
      await waitFor(() => client.uploadBufferStats().piped === 1);
      await app.close();
      expect(await leftovers()).toEqual({ objects: [], uploads: [] });
      req.destroy();
    });
  },
);

describe('@CiUpload platform detection', () => {
  const kit = useEmulatorBucket('platformbucket-1250000000');

  it('fails the boot on an HTTP platform it does not support, naming the supported ones', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CiModule.forRoot(kit.connection())],
      controllers: [UploadController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    // What another platform adapter (Koa, h3...) reports.
    app.getHttpAdapter().getType = () => 'koa';
    await expect(app.init()).rejects.toThrow(
      /@CiUpload supports Nest on Express \(@nestjs\/platform-express\) and on Fastify \(@nestjs\/platform-fastify\); this application runs on "koa"/,
    );
    await app.close().catch(() => undefined);
  });
});

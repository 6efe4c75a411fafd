import { Controller, Post, type LoggerService } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import { startCiEmulator, type CiEmulator } from '../../emulator';
import {
  CI_CLIENT,
  CiClient,
  CiModule,
  CiResult,
  CiUpload,
  imageMogr2,
  type CiUploadResult,
} from '../../lib';
import { largeJpeg, photoJpeg } from '../support/images';

const bucket = 'modulebucket-1250000000';

@Controller()
class PhotoController {
  @Post('photos')
  @CiUpload('file', {
    rules: [{ fileid: '{name}-small.webp', rule: imageMogr2().thumbnail({ width: 100 }).format('webp') }],
  })
  upload(@CiResult() result: CiUploadResult) {
    return result;
  }
}

/** Collects every log line, to check that nothing secret is ever logged. */
class RecordingLogger implements LoggerService {
  lines: string[] = [];
  log = (m: unknown) => void this.lines.push(String(m));
  warn = (m: unknown) => void this.lines.push(String(m));
  error = (m: unknown, ...rest: unknown[]) => void this.lines.push([m, ...rest].map(String).join(' '));
  debug = (m: unknown) => void this.lines.push(String(m));
  verbose = (m: unknown) => void this.lines.push(String(m));
}

describe('CiModule wiring', () => {
  let emulator: CiEmulator;
  beforeAll(async () => {
    emulator = await startCiEmulator({ port: 0, buckets: [bucket] });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it('forRootAsync reads its options from ConfigService', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [
            () => ({
              COS_BUCKET: bucket,
              COS_REGION: emulator.region,
              COS_ENDPOINT: emulator.url,
              COS_SECRET_ID: emulator.credentials[0]!.secretId,
              COS_SECRET_KEY: emulator.credentials[0]!.secretKey,
            }),
          ],
        }),
        CiModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            bucket: config.getOrThrow<string>('COS_BUCKET'),
            region: config.getOrThrow<string>('COS_REGION'),
            endpoint: config.getOrThrow<string>('COS_ENDPOINT'),
            credentials: {
              secretId: config.getOrThrow<string>('COS_SECRET_ID'),
              secretKey: config.getOrThrow<string>('COS_SECRET_KEY'),
            },
          }),
        }),
      ],
      controllers: [PhotoController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const res = await supertest(app.getHttpServer())
        .post('/photos')
        .attach('file', await photoJpeg(300, 200), 'a.jpg');
      expect(res.status).toBe(201);
      expect(res.body.bucket).toBe(bucket);
      expect(emulator.listObjects(bucket).map((o) => o.key)).toContain(res.body.key);
      expect(moduleRef.get(CI_CLIENT)).toBeInstanceOf(CiClient);
    } finally {
      await app.close();
    }
  });

  it('fails start-up naming every bad option, without printing the secret', async () => {
    const compile = Test.createTestingModule({
      imports: [
        CiModule.forRoot({
          bucket: 'no-appid',
          region: 'nowhere',
          credentials: { secretId: '', secretKey: 'super-secret-value-123' },
        }),
      ],
      controllers: [PhotoController],
    }).compile();
    await expect(compile).rejects.toThrow(/bucket must be <name>-<appid>[\s\S]*region[\s\S]*secretId/);
    await expect(compile).rejects.not.toThrow(/super-secret-value-123/);
  });

  it('fails start-up on a bad route rule, naming the route', async () => {
    @Controller()
    class BadController {
      @Post('bad')
      @CiUpload('file', { rules: [{ fileid: '{nmae}.webp', rule: 'imageMogr2/format/webp' }] })
      upload() {}
    }
    const compile = Test.createTestingModule({
      imports: [
        CiModule.forRoot({
          bucket,
          region: emulator.region,
          endpoint: emulator.url,
          credentials: emulator.credentials[0]!,
        }),
      ],
      controllers: [BadController],
    }).compile();
    await expect(compile).rejects.toThrow(
      /@CiUpload\('file'\)\.rules\[0\]\.fileid: unknown placeholder \{nmae\}/,
    );
  });

  it('answers 502 when CI refuses our signature, logging the CI code but never the secret', async () => {
    const logger = new RecordingLogger();
    const secretKey = 'wrong-secret-key-must-not-leak';
    const moduleRef = await Test.createTestingModule({
      imports: [
        CiModule.forRoot({
          bucket,
          region: emulator.region,
          endpoint: emulator.url,
          credentials: { secretId: emulator.credentials[0]!.secretId, secretKey },
          logger,
        }),
      ],
      controllers: [PhotoController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.init();
    try {
      const res = await supertest(app.getHttpServer())
        .post('/photos')
        .attach('file', await photoJpeg(300, 200), 'a.jpg');
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({
        statusCode: 502,
        ciCode: 'SignatureDoesNotMatch',
        requestId: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toContain(secretKey);
      expect(logger.lines.join('\n')).toMatch(/SignatureDoesNotMatch/);
      expect(logger.lines.join('\n')).not.toContain(secretKey);
      expect(logger.lines.join('\n')).not.toMatch(/q-signature=/);
      expect(emulator.listObjects(bucket)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('aborts uploads in flight on shutdown and leaves no multipart upload behind', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CiModule.forRoot({
          bucket,
          region: emulator.region,
          endpoint: emulator.url,
          credentials: emulator.credentials[0]!,
          upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 2 },
        }),
      ],
      controllers: [PhotoController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const big = await largeJpeg(4);
    // A client that sends the first half quickly, then dribbles.
    const { port } = app.getHttpServer().address();
    const boundary = 'shutdown-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
    const body = (async function* () {
      yield Buffer.from(head);
      for (let off = 0; off < big.length; off += 128 * 1024) {
        yield big.subarray(off, off + 128 * 1024);
        await new Promise((r) => setTimeout(r, off < big.length / 2 ? 1 : 100));
      }
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    })();
    const pending = fetch(`http://127.0.0.1:${port}/photos`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: body as unknown as BodyInit,
      duplex: 'half',
    } as RequestInit).catch((err: unknown) => err);
    const until = Date.now() + 10_000;
    while (emulator.listMultipartUploads(bucket).length === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(emulator.listMultipartUploads(bucket)).toHaveLength(1);
    await app.close();
    const answer = await pending;
    // The client still gets an answer (503): the upload was aborted, not the connection.
    expect(answer instanceof Response ? answer.status : answer).toBe(503);
    expect(emulator.listMultipartUploads(bucket)).toEqual([]);
    expect(emulator.listObjects(bucket)).toEqual([]);
  });
});

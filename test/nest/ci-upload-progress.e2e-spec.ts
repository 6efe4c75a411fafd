import { Controller, Post, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import supertest from 'supertest';
import {
  CiModule,
  CiResult,
  CiResults,
  CiService,
  CiUpload,
  type CiUploadProgress,
  type CiUploadResult,
} from '../../lib';
import { useEmulatorBucket } from '../support/bucket-kit';
import { largeJpeg, photoJpeg } from '../support/images';
import {
  expectFailedProgress,
  expectSuccessfulProgress,
  phasesOf,
  ProgressRecorder,
} from '../support/progress';
import { waitFor } from '../support/multipart';
import { listenOn, PLATFORMS } from './platforms';
import { RULES } from './upload-app';

const bucket = 'progressbucket-1250000000';
const recorder = new ProgressRecorder();
/** The requests the `request` route's listener was given. */
const requests: object[] = [];

/** Collects warnings (a throwing listener is logged once). */
class WarningLogger implements LoggerService {
  warnings: string[] = [];
  log = () => undefined;
  error = () => undefined;
  debug = () => undefined;
  verbose = () => undefined;
  warn = (m: unknown) => void this.warnings.push(String(m));
}

@Controller('progress')
class ProgressController {
  @Post('one')
  @CiUpload('file', { rules: [RULES[0]!], onProgress: recorder.listener })
  one(@CiResult() result: CiUploadResult) {
    return result;
  }

  // Many files per request: a file's size is unknown until it ends, so it goes through budgeted parts.
  @Post('many')
  @CiUpload('file', { maxCount: 2, rules: [RULES[0]!], onProgress: recorder.listener })
  many(@CiResults('file') results: CiUploadResult[]) {
    return results;
  }

  @Post('small')
  @CiUpload('file', { limits: { fileSize: 1_500_000 }, onProgress: recorder.listener })
  small(@CiResult() result: CiUploadResult) {
    return result;
  }

  @Post('request')
  @CiUpload('file', { onProgress: (_p, req: object) => void requests.push(req) })
  request(@CiResult() result: CiUploadResult) {
    return result;
  }

  @Post('throws')
  @CiUpload('file', {
    onProgress: () => {
      throw new Error('listener bug');
    },
  })
  throws(@CiResult() result: CiUploadResult) {
    return result;
  }

  @Post('rejects')
  @CiUpload('file', { onProgress: () => Promise.reject(new Error('async listener bug')) })
  rejects(@CiResult() result: CiUploadResult) {
    return result;
  }
}

describe.each(PLATFORMS)('@CiUpload onProgress on Nest/%s against the emulator', (platform) => {
  const kit = useEmulatorBucket(bucket);
  let app: INestApplication;
  let http: ReturnType<typeof supertest>;
  let logger: WarningLogger;

  beforeAll(async () => {
    logger = new WarningLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [CiModule.forRoot({ ...kit.connection(), logger })],
      controllers: [ProgressController],
    }).compile();
    app = await listenOn(platform, moduleRef, { logger });
    http = supertest(app.getHttpServer());
  });
  afterAll(() => app?.close());

  it('reports a small file: receiving, uploading (one PUT, processed in it), done with every byte', async () => {
    const jpeg = await photoJpeg(600, 400);
    const id = randomUUID();
    const res = await http
      .post('/progress/one')
      .set('x-upload-id', id)
      .attach('file', jpeg, 'small photo.jpg')
      .expect(201);
    expectSuccessfulProgress(recorder.of(id), {
      size: jpeg.length,
      key: res.body.key,
      fieldname: 'file',
      originalName: 'small photo.jpg',
      phases: ['receiving', 'uploading', 'done'],
    });
    // The server picked the file up before any byte was read, and named it before the upload went out.
    expect(recorder.of(id)[0]).toMatchObject({ phase: 'receiving', bytesReceived: 0, bytesSent: 0 });
    expect(recorder.of(id).find((r) => r.key)!.bytesSent).toBe(0);
  });

  it("hands the listener the platform's request", async () => {
    requests.length = 0;
    await http
      .post('/progress/request')
      .attach('file', await photoJpeg(300, 200), 'r.jpg')
      .expect(201);
    expect(requests.length).toBeGreaterThanOrEqual(3);
    // FastifyRequest wraps Node's request in `raw`; Express's Request is Node's request.
    for (const req of requests) {
      expect(req).toBe(requests[0]);
      expect(req.constructor.name === 'IncomingMessage').toBe(platform === 'express');
      expect('raw' in req).toBe(platform === 'fastify');
    }
  });

  it('reports a large piped file (its size predicted from the request): receiving, uploading, done', async () => {
    const jpeg = await largeJpeg(4);
    const id = randomUUID();
    const res = await http
      .post('/progress/one')
      .set('x-upload-id', id)
      .attach('file', jpeg, 'large.jpg')
      .expect(201);
    // One request, stored and processed in it: no part is acknowledged before CI answers.
    expectSuccessfulProgress(recorder.of(id), {
      size: jpeg.length,
      key: res.body.key,
      fieldname: 'file',
      originalName: 'large.jpg',
      phases: ['receiving', 'uploading', 'done'],
    });
    expect(res.body.imageInfo.processResults).toHaveLength(1);
  });

  it('reports a large file of unknown size: parts acknowledged while receiving, then uploading, processing, done', async () => {
    const jpeg = await largeJpeg(4);
    const id = randomUUID();
    const res = await http
      .post('/progress/many')
      .set('x-upload-id', id)
      .attach('file', jpeg, 'large.jpg')
      .expect(201);
    const reports = recorder.of(id);
    expectSuccessfulProgress(reports, {
      size: jpeg.length,
      key: res.body[0].key,
      fieldname: 'file',
      originalName: 'large.jpg',
      phases: ['receiving', 'uploading', 'processing', 'done'],
    });
    // With 1 MiB parts, two in flight, the third part waits for the first to be acknowledged: mid-receive.
    expect(reports.some((r) => r.phase === 'receiving' && r.bytesSent > 0)).toBe(true);
    // In processing, every byte is acknowledged and only CI's answer is awaited.
    expect(reports.find((r) => r.phase === 'processing')).toMatchObject({
      bytesReceived: jpeg.length,
      bytesSent: jpeg.length,
    });
    expect(res.body[0].imageInfo.processResults).toHaveLength(1);
  });

  it('ends a refused file with failed: the status, code and message the client gets', async () => {
    const id = randomUUID();
    const res = await http
      .post('/progress/one')
      .set('x-upload-id', id)
      .attach('file', Buffer.from('plain text, not an image'), 'notes.txt')
      .expect(415);
    expectFailedProgress(recorder.of(id), {
      statusCode: 415,
      code: 'CI_UNSUPPORTED_MEDIA',
      message: res.body.message,
    });
    expect(phasesOf(recorder.of(id))).toEqual(['receiving', 'failed']);
    expect(recorder.of(id).every((r) => r.key === undefined && r.bytesSent === 0)).toBe(true);
  });

  it('ends a file over the size limit with failed 413, nothing left in the bucket', async () => {
    const jpeg = await largeJpeg(2.5);
    const id = randomUUID();
    const res = await http
      .post('/progress/small')
      .set('x-upload-id', id)
      .attach('file', jpeg, 'big.jpg')
      .expect(413);
    expect(res.body.message).toBe('File too large - file');
    expectFailedProgress(recorder.of(id), { statusCode: 413, code: 'CI_ABORTED', message: res.body.message });
    expect(recorder.of(id).at(-1)!.bytesReceived).toBeLessThanOrEqual(1_500_000);
    expect(await kit.leftovers()).toEqual({ objects: [], uploads: [] });
  });

  it('keeps uploading when the listener throws or rejects, and warns once per upload', async () => {
    const jpeg = await largeJpeg(2.5);
    const before = logger.warnings.length;
    const thrown = await http.post('/progress/throws').attach('file', jpeg, 'a.jpg').expect(201);
    const rejected = await http.post('/progress/rejects').attach('file', jpeg, 'b.jpg').expect(201);
    expect([thrown.body.size, rejected.body.size]).toEqual([jpeg.length, jpeg.length]);
    // A rejection is seen a microtask after the report; the answer came long after.
    const warnings = logger.warnings.slice(before);
    expect(warnings).toEqual([
      expect.stringMatching(/^onProgress threw \(field file\): listener bug; the upload goes on/),
      expect.stringMatching(/^onProgress threw \(field file\): async listener bug; the upload goes on/),
    ]);
    expect((await kit.leftovers()).objects.sort()).toEqual([thrown.body.key, rejected.body.key].sort());
  });
});

/** A `CiService` on its own emulator bucket, under `protocol`. */
function useCiService(protocol: 'cos-v5' | 'files-v2') {
  const kit = useEmulatorBucket(bucket);
  const service = { kit, ci: undefined as unknown as CiService };
  let moduleRef: TestingModule;
  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [CiModule.forRoot({ ...kit.connection(), protocol, logger: new WarningLogger() })],
    }).compile();
    await moduleRef.init();
    service.ci = moduleRef.get(CiService);
  });
  afterAll(() => moduleRef?.close());
  return service;
}

describe('CiService.upload onProgress against the emulator', () => {
  const service = useCiService('cos-v5');

  it('reports a Buffer upload with its size known from the start (one request, processed in it)', async () => {
    const jpeg = await largeJpeg(3);
    const reports: CiUploadProgress[] = [];
    const result = await service.ci.upload(jpeg, {
      rules: [RULES[0]!],
      onProgress: (p) => void reports.push(p),
    });
    expectSuccessfulProgress(reports, {
      size: jpeg.length,
      key: result.key,
      fieldname: '',
      originalName: '',
      phases: ['receiving', 'uploading', 'done'],
    });
    expect(reports.every((r) => r.size === jpeg.length)).toBe(true);
  });

  it('reports a file path and a stream (size unknown) to done', async () => {
    const jpeg = await photoJpeg(800, 600);
    const dir = mkdtempSync(join(tmpdir(), 'ci-progress-'));
    try {
      const path = join(dir, 'disk.jpg');
      writeFileSync(path, jpeg);
      const fromPath: CiUploadProgress[] = [];
      const a = await service.ci.upload(path, { onProgress: (p) => void fromPath.push(p) });
      expectSuccessfulProgress(fromPath, {
        size: jpeg.length,
        key: a.key,
        fieldname: '',
        originalName: 'disk.jpg',
        phases: ['receiving', 'uploading', 'done'],
      });
      const fromStream: CiUploadProgress[] = [];
      const b = await service.ci.upload(Readable.from([jpeg.subarray(0, 5000), jpeg.subarray(5000)]), {
        key: 'streams/one.jpg',
        onProgress: (p) => void fromStream.push(p),
      });
      expectSuccessfulProgress(fromStream, {
        size: jpeg.length,
        key: b.key,
        fieldname: '',
        originalName: '',
        phases: ['receiving', 'uploading', 'done'],
      });
      expect(fromStream.every((r) => r.size === undefined)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends with failed when the file is refused, and when the call is aborted', async () => {
    const failed: CiUploadProgress[] = [];
    await expect(
      service.ci.upload(Buffer.from('plain text, not an image'), { onProgress: (p) => void failed.push(p) }),
    ).rejects.toMatchObject({ code: 'CI_UNSUPPORTED_MEDIA' });
    expectFailedProgress(failed, {
      statusCode: 415,
      code: 'CI_UNSUPPORTED_MEDIA',
      message: 'The file is not an image (checked from its bytes)',
    });

    const aborted: CiUploadProgress[] = [];
    const controller = new AbortController();
    const jpeg = await largeJpeg(3);
    const slow = new Readable({ read() {} });
    slow.push(jpeg.subarray(0, 1_500_000));
    const upload = service.ci.upload(
      slow,
      { onProgress: (p) => void aborted.push(p) },
      { signal: controller.signal },
    );
    await waitFor(() => aborted.some((r) => r.bytesReceived >= 1_500_000 && r.key !== undefined));
    controller.abort(new Error('user cancelled'));
    await expect(upload).rejects.toMatchObject({ code: 'CI_ABORTED' });
    expectFailedProgress(aborted, {
      statusCode: 503,
      code: 'CI_ABORTED',
      message: 'Upload aborted: user cancelled',
    });
    expect(await service.kit.leftovers()).toEqual({ objects: [], uploads: [] });
  });
});

describe('CiService.upload onProgress over the seed API (files-v2)', () => {
  const service = useCiService('files-v2');

  it('reports a large Buffer sent in one request, and a stream of unknown size held for one request', async () => {
    const jpeg = await largeJpeg(3);
    const sliced: CiUploadProgress[] = [];
    const a = await service.ci.upload(jpeg, { rules: [RULES[0]!], onProgress: (p) => void sliced.push(p) });
    // Its size is known: one op=upload request (up to 20 MB), stored and processed in it.
    expectSuccessfulProgress(sliced, {
      size: jpeg.length,
      key: a.key,
      fieldname: '',
      originalName: '',
      phases: ['receiving', 'uploading', 'done'],
    });
    // files-v2 needs the size up front to slice: a stream of unknown size goes whole, in one request.
    const held: CiUploadProgress[] = [];
    const b = await service.ci.upload(Readable.from([jpeg]), { onProgress: (p) => void held.push(p) });
    expectSuccessfulProgress(held, {
      size: jpeg.length,
      key: b.key,
      fieldname: '',
      originalName: '',
      phases: ['receiving', 'uploading', 'done'],
    });
  });
});

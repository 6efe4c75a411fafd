/**
 * Reliability: CI commits after the client gave up (issue 13, item 3). A `slow-processing` fault makes the
 * emulator's processing outlast the client's `headersMs`: the client answers 504 and cleans up at once, BEFORE CI
 * stores anything; CI then finishes the request anyway (as COS does with a body it received) and stores the
 * original and the outputs. The second look `unknownOutcomeRecheckMs` later must remove them: for PutObject and
 * CompleteMultipartUpload with Pic-Operations and for `CiService.process`, over both protocols.
 */
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import { startCiEmulator, type CiEmulator, type CiFaultOperation } from '../../emulator';
import { CiClient, CiModule, type CiProtocol } from '../../lib';
import { isCiTimeoutError } from '../../lib/core/errors';
import { UploadController } from '../nest/upload-app';
import { largeJpeg, photoJpeg } from '../support/images';

const bucket = 'latecommit-1250000000';
const HEADERS_MS = 400;
/** How much longer the faulty processing takes: well past `headersMs` (undici checks it about every 500 ms). */
const SLOW_MS = 2_500;
/** The second look comes after CI has committed (SLOW_MS after the request reached it, plus processing). */
const RECHECK_MS = SLOW_MS + 1_500;

interface Images {
  small: Buffer;
  large: Buffer;
}

interface Scenario {
  name: string;
  /** The request(s) whose processing is slowed (every one, so that no retry escapes the fault). */
  operation: Record<CiProtocol, CiFaultOperation>;
  send: (http: ReturnType<typeof supertest>, images: Images) => Promise<supertest.Response>;
  /** Objects that stay: the source of a processing call, stored before. */
  keeps: (res: supertest.Response) => string[];
  /**
   * Protocols where the late commit cannot happen: the client's first clean-up aborts the multipart upload
   * while CI is still processing, so CI's Complete then finds its parts gone (`InvalidPart`) and stores nothing.
   */
  abortedFirst?: CiProtocol[];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'PutObject with Pic-Operations',
    operation: { 'cos-v5': 'PutObject', 'files-v2': 'FilesV2' },
    send: (http, images) => http.post('/avatars').attach('file', images.small, 'small.jpg'),
    keeps: () => [],
  },
  {
    name: 'CompleteMultipartUpload with Pic-Operations',
    operation: { 'cos-v5': 'CompleteMultipartUpload', 'files-v2': 'FilesV2' },
    send: (http, images) => http.post('/avatars').attach('file', images.large, 'large.jpg'),
    keeps: () => [],
    abortedFirst: ['cos-v5'],
  },
  {
    name: 'CiService.process',
    operation: { 'cos-v5': 'ImageProcess', 'files-v2': 'FilesV2' },
    send: async (http, images) => {
      const stored = await http.post('/plain').attach('file', images.small, 'src.jpg').expect(201);
      const res = await http.post('/process').send({ key: stored.body.key });
      res.body.__source = stored.body.key;
      return res;
    },
    keeps: (res) => [res.body.__source as string],
  },
];

describe("the emulator's slow-processing fault", () => {
  let emulator: CiEmulator;
  let client: CiClient;
  let small: Buffer;
  const picOperations = JSON.stringify({
    rules: [{ fileid: 'thumb.png', rule: 'imageMogr2/thumbnail/64x/format/png' }],
  });

  beforeAll(async () => {
    emulator = await startCiEmulator({ port: 0, buckets: [bucket] });
    client = new CiClient({
      bucket,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: emulator.credentials[0]!,
      timeouts: { headersMs: HEADERS_MS },
      retry: { retries: 0 },
    });
    small = await photoJpeg(320, 240);
  });

  afterAll(async () => {
    await client?.close();
    await emulator?.close();
  });

  beforeEach(() => emulator.reset());

  it('commits the original and the outputs after the client gave up', async () => {
    emulator.faults.add({
      match: { operation: 'PutObject' },
      action: { type: 'slow-processing', ms: SLOW_MS },
    });
    const error = await client.upload('late.jpg', small, { picOperations }).catch((e: unknown) => e);
    expect(isCiTimeoutError(error)).toBe(true);
    // The client has gone; CI has not stored anything yet ...
    expect(emulator.listObjects(bucket)).toEqual([]);
    // ... and stores both once its processing is done.
    await waitFor(() => emulator.listObjects(bucket).length === 2, SLOW_MS + 5_000);
    expect(emulator.listObjects(bucket).map((o) => o.key)).toEqual(['late.jpg', 'thumb.png']);
    expect(emulator.requests.find((r) => r.operation === 'PutObject')?.fault?.type).toBe('slow-processing');
  });

  it('has no effect on a request without processing', async () => {
    emulator.faults.add({
      match: { operation: 'PutObject' },
      action: { type: 'slow-processing', ms: SLOW_MS },
    });
    await expect(client.upload('plain.jpg', small)).resolves.toMatchObject({ key: 'plain.jpg' });
  });

  it('is ended by close(), which stores nothing', async () => {
    const own = await startCiEmulator({ port: 0, buckets: [bucket] });
    const ownClient = new CiClient({
      bucket,
      region: own.region,
      endpoint: own.url,
      credentials: own.credentials[0]!,
      retry: { retries: 0 },
    });
    own.faults.add({ times: Infinity, action: { type: 'slow-processing', ms: 600_000 } });
    const pending = ownClient.upload('never.jpg', small, { picOperations }).catch((e: unknown) => e);
    await waitFor(() => inflight(own), 5_000);
    await own.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(own.listObjects(bucket)).toEqual([]);
    await ownClient.close();
  });
});

describe.each(['cos-v5', 'files-v2'] as CiProtocol[])('a late commit over %s', (protocol) => {
  let emulator: CiEmulator;
  let app: INestApplication;
  let http: ReturnType<typeof supertest>;
  let inspect: CiClient;
  const images = {} as Images;

  beforeAll(async () => {
    emulator = await startCiEmulator({ port: 0, buckets: [bucket], region: 'ap-guangzhou' });
    const connection = {
      bucket,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: emulator.credentials[0]!,
    };
    inspect = new CiClient(connection);
    const moduleRef = await Test.createTestingModule({
      imports: [
        CiModule.forRoot({
          ...connection,
          protocol,
          timeouts: { headersMs: HEADERS_MS },
          retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
          upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 1 },
          unknownOutcomeRecheckMs: RECHECK_MS,
          limits: { fileSize: 8 * 1024 * 1024 },
          logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        }),
      ],
      controllers: [UploadController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    http = supertest(app.getHttpServer());
    images.small = await photoJpeg(640, 480);
    images.large = await largeJpeg(2.5);
  });

  afterAll(async () => {
    await app?.close();
    await inspect?.close();
    await emulator?.close();
  });

  beforeEach(() => emulator.reset());

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: 504, and nothing it created remains after the second look',
    async (_name, scenario) => {
      emulator.faults.add({
        match: { operation: scenario.operation[protocol] },
        times: Infinity,
        action: { type: 'slow-processing', ms: SLOW_MS },
      });
      const res = await scenario.send(http, images);
      expect(res.status).toBe(504);
      const kept = scenario.keeps(res);

      if (scenario.abortedFirst?.includes(protocol)) {
        const refused = () =>
          emulator.requests.some((r) => r.operation === 'CompleteMultipartUpload' && r.status >= 400);
        await waitFor(refused, SLOW_MS + 5_000);
        expect(refused()).toBe(true);
        expect(objects()).toEqual(kept);
      } else {
        // CI finishes after the client's clean-up: what it stores shows up in the bucket ...
        await waitFor(() => objects().length > kept.length, SLOW_MS + 5_000);
        expect(objects().length).toBeGreaterThan(kept.length);
      }
      // ... until the second look removes it; no multipart upload stays open either.
      await waitFor(() => objects().join() === kept.join(), RECHECK_MS + 5_000);
      emulator.faults.clear();
      expect({ objects: objects(), uploads: await openUploads() }).toEqual({ objects: kept, uploads: [] });
      // Still serving.
      await http.post('/plain').attach('file', images.small, 'after.jpg').expect(201);
    },
  );

  function objects(): string[] {
    return emulator
      .listObjects(bucket)
      .map((o) => o.key)
      .sort();
  }

  async function openUploads(): Promise<string[]> {
    return (await inspect.listMultipartUploads()).map((u) => `${u.key} ${u.uploadId}`);
  }
});

/** True while the emulator holds a request (it is logged only once served). */
function inflight(emulator: CiEmulator): boolean {
  return emulator.faults.list().some((f) => f.hits > 0);
}

/** Waits (bounded) for `check`; the caller asserts what it needs afterwards. */
async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
}

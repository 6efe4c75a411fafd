/**
 * Reliability: CI commits after the client gave up (issue 13, item 3). A `slow-processing` fault makes the
 * emulator's processing outlast the client's `headersMs`: the client answers 504 and cleans up at once, BEFORE CI
 * stores anything; CI then finishes the request anyway (as COS does with a body it received) and stores the
 * original and the outputs. The second look `unknownOutcomeRecheckMs` later must remove them: for PutObject and
 * CompleteMultipartUpload with Pic-Operations and for `CiService.process`, over both protocols.
 */
import type supertest from 'supertest';
import { startCiEmulator, type CiEmulator, type CiFaultOperation } from '../../emulator';
import { CiClient, type CiProtocol } from '../../lib';
import { isCiTimeoutError } from '../../lib/core/errors';
import { UploadController } from '../nest/upload-app';
import { photoJpeg } from '../support/images';
import { type ReliabilityImages, useReliabilityRig, waitFor } from './reliability.rig';

const bucket = 'latecommit-1250000000';
const HEADERS_MS = 400;
/** How much longer the faulty processing takes: well past `headersMs` (undici checks it about every 500 ms). */
const SLOW_MS = 2_500;
/** The second look comes after CI has committed (SLOW_MS after the request reached it, plus processing). */
const RECHECK_MS = SLOW_MS + 1_500;

interface Scenario {
  name: string;
  /** The request(s) whose processing is slowed (every one, so that no retry escapes the fault). */
  operation: Record<CiProtocol, CiFaultOperation>;
  send: (http: ReturnType<typeof supertest>, images: ReliabilityImages) => Promise<supertest.Response>;
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
    // A many-file route: the file's size is unknown until it ends, so it goes multipart (a single-file route
    // predicts it from Content-Length and pipes it into one PUT).
    send: (http, images) => http.post('/gallery').attach('files', images.large, 'large.jpg'),
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
  const rig = useReliabilityRig({
    bucket,
    protocol,
    headersMs: HEADERS_MS,
    unknownOutcomeRecheckMs: RECHECK_MS,
    controllers: [UploadController],
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: 504, and nothing it created remains after the second look',
    async (_name, scenario) => {
      const { emulator, http, images, objects, openUploads } = rig();
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
});

/** True while the emulator holds a request (it is logged only once served). */
function inflight(emulator: CiEmulator): boolean {
  return emulator.faults.list().some((f) => f.hits > 0);
}

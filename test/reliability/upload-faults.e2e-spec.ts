/**
 * Reliability: a fault injected at each step of an upload (and of cloud processing, and of the clean-up
 * itself), for both protocols. After each request, whatever it answered, the bucket holds exactly what a
 * successful answer reported (nothing after an error) and no multipart upload is open, seen through the COS
 * API (ListMultipartUploads via CiClient); and the app still serves.
 */
import type supertest from 'supertest';
import type { CiFaultAction, CiFaultOperation } from '../../emulator';
import type { CiProtocol, CiUploadResult } from '../../lib';
import { AfterUploadController, UploadController } from '../nest/upload-app';
import { type ReliabilityImages, type ReliabilityRig, startReliabilityRig, waitFor } from './reliability.rig';

const bucket = 'reliabilitybucket-1250000000';
const HEADERS_MS = 600;

const FAULTS: [string, CiFaultAction][] = [
  ['CI error 500', { type: 'error', status: 500, code: 'InternalError' }],
  ['reset before serving', { type: 'reset', phase: 'request' }],
  ['reset after serving (answer lost)', { type: 'reset', phase: 'response' }],
  ['stall (no answer)', { type: 'stall' }],
  ['answer slower than headersMs', { type: 'latency', ms: HEADERS_MS * 3 }],
  ['malformed answer', { type: 'malformed-xml' }],
];

/** A request to drive and the step (operation, and which of its requests) that gets the fault. */
interface Step {
  name: string;
  operation: CiFaultOperation;
  /** The fault hits the n-th matching request (0-based). */
  nth?: number;
  send: (http: ReturnType<typeof supertest>, images: Images) => Promise<supertest.Response>;
  /** Objects expected to remain besides what a successful answer reports (the source of a processing call). */
  keeps?: (res: supertest.Response) => string[];
}

type Images = ReliabilityImages;

const upload = (path: string, image: keyof Images) => (http: ReturnType<typeof supertest>, images: Images) =>
  http.post(path).attach('file', images[image], `${image}.jpg`);

/** Stores a plain image, then processes it in the cloud (the fault hits the processing). */
const processing: Step['send'] = async (http, images) => {
  const stored = await http.post('/plain').attach('file', images.small, 'src.jpg').expect(201);
  const res = await http.post('/process').send({ key: stored.body.key });
  res.body.__source = stored.body.key;
  return res;
};

const STEPS: Record<CiProtocol, Step[]> = {
  'cos-v5': [
    { name: 'PutObject', operation: 'PutObject', send: upload('/avatars', 'small') },
    {
      name: 'InitiateMultipartUpload',
      operation: 'InitiateMultipartUpload',
      send: upload('/avatars', 'large'),
    },
    { name: 'first UploadPart', operation: 'UploadPart', send: upload('/avatars', 'large') },
    { name: 'second UploadPart', operation: 'UploadPart', nth: 1, send: upload('/avatars', 'large') },
    { name: 'last UploadPart', operation: 'UploadPart', nth: 2, send: upload('/avatars', 'large') },
    {
      name: 'CompleteMultipartUpload',
      operation: 'CompleteMultipartUpload',
      send: upload('/avatars', 'large'),
    },
    { name: 'ImageProcess', operation: 'ImageProcess', send: processing, keeps: (r) => [r.body.__source] },
    {
      name: 'DeleteObject (clean-up after the handler threw)',
      operation: 'DeleteObject',
      send: upload('/after/throws-one', 'small'),
    },
    {
      name: 'AbortMultipartUpload (clean-up after the size limit)',
      operation: 'AbortMultipartUpload',
      send: upload('/small', 'large'),
    },
  ],
  'files-v2': [
    { name: 'upload', operation: 'FilesV2', send: upload('/avatars', 'small') },
    { name: 'large upload', operation: 'FilesV2', send: upload('/avatars', 'large') },
    {
      name: 'image_process',
      operation: 'FilesV2',
      nth: 1,
      send: processing,
      keeps: (r) => [r.body.__source],
    },
    {
      name: 'DeleteObject (clean-up after the handler threw)',
      operation: 'DeleteObject',
      send: upload('/after/throws-one', 'small'),
    },
  ],
};

describe.each(['cos-v5', 'files-v2'] as CiProtocol[])('reliability over %s', (protocol) => {
  let rig: ReliabilityRig;

  beforeAll(async () => {
    rig = await startReliabilityRig({
      bucket,
      protocol,
      headersMs: HEADERS_MS,
      unknownOutcomeRecheckMs: 100,
      controllers: [UploadController, AfterUploadController],
    });
  });

  afterAll(() => rig?.close());

  beforeEach(() => rig.emulator.reset());

  const cases = STEPS[protocol].flatMap((step) =>
    FAULTS.map(([fault, action]) => [step.name, fault, step, action] as const),
  );

  it.each(cases)('%s: %s leaves nothing behind', async (_step, _fault, step, action) => {
    const { emulator, http, images, objects, openUploads } = rig;
    for (let i = 0; i < (step.nth ?? 0); i++) {
      emulator.faults.add({ match: { operation: step.operation }, action: { type: 'latency', ms: 0 } });
    }
    emulator.faults.add({ match: { operation: step.operation }, action });
    const res = await step.send(http, images);
    emulator.faults.clear();

    // Whatever was answered: exactly what a success reported, and nothing after an error.
    const reported = res.status < 300 ? storedKeys(res.body) : [];
    const expected = [...new Set([...reported, ...(step.keeps?.(res) ?? [])])].sort();
    await waitFor(() => objects().join() === expected.join(), 3_000);
    expect({ status: res.status, objects: objects(), uploads: await openUploads() }).toEqual({
      status: res.status,
      objects: expected,
      uploads: [],
    });
    // A second look later finds nothing new (CI may commit after the client gave up).
    await new Promise((r) => setTimeout(r, 300));
    expect(objects()).toEqual(expected);
    // Still serving.
    await http.post('/plain').attach('file', images.small, 'after.jpg').expect(201);
  });
});

/** Keys a successful answer reports: the original and its outputs (`/avatars` wraps its result). */
function storedKeys(body: { result?: CiUploadResult } & Partial<CiUploadResult>): string[] {
  const b = body.result ?? body;
  return [b.key, ...(b.imageInfo?.processResults ?? []).map((r) => r.key)].filter((k): k is string => !!k);
}

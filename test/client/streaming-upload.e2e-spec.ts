/**
 * `CiClient.upload` with a known size (issue 22): piped into one request, no budget, checked against the size;
 * requests per upload; a source that sends too slowly is cut.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type CiEmulator,
  EMULATOR_DEV_CREDENTIALS,
  startCiEmulator,
  storeOnlyPicProcessor,
} from '../../emulator';
import { CiClient, type CiClientOptions } from '../../lib';
import { waitFor } from '../support/multipart';

const MiB = 1024 * 1024;
const KiB = 1024;
const BUCKET = 'streambucket-1250000000';
const md5 = (bytes: Buffer | undefined) => bytes && createHash('md5').update(bytes).digest('hex');

/** `data` in 64 KiB chunks, as a socket delivers them. */
const chunked = (data: Buffer) =>
  Readable.from(
    Array.from({ length: Math.ceil(data.length / (64 * KiB)) }, (_, i) =>
      data.subarray(i * 64 * KiB, (i + 1) * 64 * KiB),
    ),
  );

describe('CiClient.upload: the streaming core (against the emulator)', () => {
  let emulator: CiEmulator;
  const clients: CiClient[] = [];

  function client(upload: CiClientOptions['upload'] = {}, extra: Partial<CiClientOptions> = {}): CiClient {
    const c = new CiClient({
      bucket: BUCKET,
      region: 'ap-guangzhou',
      credentials: EMULATOR_DEV_CREDENTIALS,
      endpoint: emulator.url,
      upload,
      ...extra,
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    emulator = await startCiEmulator({ buckets: [BUCKET] }, { picProcessor: storeOnlyPicProcessor });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await emulator.close();
  });
  beforeEach(() => emulator.reset());

  const operations = () => emulator.requests.map((r) => r.operation);
  async function leftovers(c: CiClient) {
    return {
      objects: emulator.listObjects(BUCKET).map((o) => o.key),
      uploads: (await c.listMultipartUploads()).map((u) => u.key),
    };
  }

  it.each(['cos-v5', 'files-v2'] as const)(
    '%s: a 16 MiB stream of known size is piped into one request, stored exactly, without the budget',
    async (protocol) => {
      const c = client({}, { protocol });
      const data = randomBytes(16 * MiB);
      let peak = 0;
      const result = await c.upload('stream/known.bin', chunked(data), {
        size: data.length,
        onProgress: () => (peak = Math.max(peak, c.uploadBufferStats().inUseBytes)),
      });
      expect(result.size).toBe(data.length);
      expect(operations()).toEqual([protocol === 'cos-v5' ? 'PutObject' : 'FilesV2Upload']);
      expect(md5(await emulator.getObject(BUCKET, 'stream/known.bin'))).toBe(md5(data));
      expect(peak).toBe(0);
    },
  );

  it('a 16 MiB stream of unknown size goes in parts sized from the budget: 10 requests, not 18', async () => {
    const c = client();
    const data = randomBytes(16 * MiB);
    await c.upload('stream/unknown.bin', chunked(data));
    // Initiate, 8 parts of 2 MiB (16 MiB budget / 8), Complete.
    expect(operations().filter((op) => op === 'UploadPart')).toHaveLength(8);
    expect(operations()).toHaveLength(10);
    expect(md5(await emulator.getObject(BUCKET, 'stream/unknown.bin'))).toBe(md5(data));
    expect(c.uploadBufferStats().inUseBytes).toBe(0);
  });

  it.each([
    ['shorter', -10],
    ['longer', 10],
  ])(
    'a source %s than its declared size fails with SIZE_MISMATCH and stores nothing',
    async (_what, delta) => {
      const c = client();
      const data = randomBytes(3 * MiB);
      const err = await c
        .upload('stream/lie.bin', chunked(data), { size: data.length - delta })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'CiValidationError', reason: 'SIZE_MISMATCH' });
      // The request went out, and was dropped before its last byte.
      await waitFor(() => operations().includes('PutObject'));
      expect(await leftovers(c)).toEqual({ objects: [], uploads: [] });
    },
  );

  it.each([
    ['known', 2 * MiB],
    ['unknown', undefined],
  ])(
    'a source of %s size that stalls is cut: CiSlowSourceError, nothing stored, budget released',
    async (_what, size) => {
      const c = client({
        minSourceBytesPerSecond: 64 * KiB,
        sourceRateWindowMs: 200,
        multipartThreshold: MiB,
      });
      const data = randomBytes(2 * MiB);
      // 1.5 MiB, then nothing: the client stopped sending.
      const stalled = new Readable({ read() {} });
      for (let at = 0; at < 1.5 * MiB; at += 64 * KiB) stalled.push(data.subarray(at, at + 64 * KiB));
      const err = await c.upload('stream/stalled.bin', stalled, { size }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'CiSlowSourceError', code: 'CI_SLOW_SOURCE' });
      expect((err as { bytesPerSecond: number }).bytesPerSecond).toBeLessThan(64 * KiB);
      expect(await leftovers(c)).toEqual({ objects: [], uploads: [] });
      expect(c.uploadBufferStats()).toMatchObject({ inUseBytes: 0, waiting: 0 });
      expect(stalled.destroyed).toBe(true);
    },
  );

  it("the wait for CI's answer after the last byte is not held against the source", async () => {
    const c = client({ minSourceBytesPerSecond: 64 * KiB, sourceRateWindowMs: 200 });
    emulator.faults.add({
      match: { operation: 'PutObject' },
      action: { type: 'latency', ms: 1000, phase: 'headers' },
    });
    const data = randomBytes(MiB);
    const result = await c.upload('stream/waits.bin', chunked(data), { size: data.length });
    expect(result.size).toBe(data.length);
  });
});

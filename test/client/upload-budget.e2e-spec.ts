import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type CiEmulator,
  EMULATOR_DEV_CREDENTIALS,
  startCiEmulator,
  storeOnlyPicProcessor,
} from '../../emulator';
import { CiAbortError, CiBusyError, CiClient, CiValidationError, type CiClientOptions } from '../../lib';
import { waitFor } from '../support/multipart';

const MiB = 1024 * 1024;
const KiB = 1024;
const BUCKET = 'budgetbucket-1250000000';
const md5 = (bytes: Buffer | undefined) => bytes && createHash('md5').update(bytes).digest('hex');

/**
 * A byte stream like a socket's: 64 KiB chunks made on demand, a 64 KiB high-water mark, so what it has
 * produced is what the reader pulled (plus one buffer ahead). `gateAt` stops producing there until `open()`.
 */
function countingSource(data: Buffer, gateAt = Infinity) {
  let produced = 0;
  let gateOpen = false;
  let resume: (() => void) | undefined;
  const stream = new Readable({
    highWaterMark: 64 * KiB,
    read() {
      if (produced >= data.length) {
        this.push(null);
      } else if (produced >= gateAt && !gateOpen) {
        resume = () => this._read(64 * KiB);
      } else {
        const end = Math.min(produced + 64 * KiB, data.length, gateOpen ? Infinity : gateAt);
        this.push(data.subarray(produced, end));
        produced = end;
      }
    },
  });
  const open = () => {
    gateOpen = true;
    resume?.();
  };
  return { stream, produced: () => produced, open };
}

describe('CiClient upload buffer budget (against the emulator)', () => {
  let emulator: CiEmulator;
  const clients: CiClient[] = [];

  function client(upload: CiClientOptions['upload'], extra: Partial<CiClientOptions> = {}): CiClient {
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

  async function leftovers(c: CiClient) {
    return {
      objects: emulator.listObjects(BUCKET).map((o) => o.key),
      uploads: (await c.listMultipartUploads()).map((u) => u.key),
    };
  }

  it('12 uploads through a budget of 2 parts all complete, whole, never buffering more than the budget', async () => {
    const c = client({
      maxBufferedBytes: 2 * MiB,
      partSize: MiB,
      multipartThreshold: MiB,
      partConcurrency: 2,
    });
    // Mostly multipart (3.5 to 5 MiB), some single PUTs: every one counts against the same budget.
    const files = Array.from({ length: 12 }, (_, i) =>
      randomBytes(i % 4 === 3 ? 300 * KiB + i : Math.round(3.5 * MiB) + i * 131 * KiB),
    );
    const sources = files.map((f) => countingSource(f));
    const buffered = new Array<number>(files.length).fill(0);
    const read = new Array<number>(files.length).fill(0);
    let peakBuffered = 0;
    let peakReadAhead = 0;
    let peakWaiting = 0;
    const results = await Promise.all(
      files.map((_, i) =>
        c.upload(`budget/${i}.bin`, sources[i]!.stream, {
          onProgress: ({ bytesRead, bytesSent }) => {
            buffered[i] = bytesRead - bytesSent;
            read[i] = bytesRead;
            peakBuffered = Math.max(
              peakBuffered,
              buffered.reduce((a, b) => a + b),
            );
            const pulled = sources.reduce((sum, s) => sum + s.produced(), 0);
            peakReadAhead = Math.max(peakReadAhead, pulled - read.reduce((a, b) => a + b));
            peakWaiting = Math.max(peakWaiting, c.uploadBufferStats().waiting);
          },
        }),
      ),
    );
    expect(results.map((r) => r.size)).toEqual(files.map((f) => f.length));
    for (const [i, file] of files.entries()) {
      expect(md5(await emulator.getObject(BUCKET, `budget/${i}.bin`))).toBe(md5(file));
    }
    // Parts are reserved before they are read; past that, each upload holds at most the source chunk in hand
    // (read to learn whether the source goes on, or cut at a part's edge): the documented bound.
    expect(peakBuffered).toBeLessThanOrEqual(2 * MiB + files.length * 64 * KiB);
    // Uploads waiting for the budget did not read their sources: at most what each source had produced ahead
    // of the reader (its 64 KiB buffer and the chunk in hand) is outside the budget.
    expect(peakReadAhead).toBeLessThanOrEqual(files.length * 3 * 64 * KiB);
    expect(peakWaiting).toBeGreaterThan(0);
    expect((await leftovers(c)).uploads).toEqual([]);
    expect(c.uploadBufferStats()).toEqual({ budgetBytes: 2 * MiB, inUseBytes: 0, waiting: 0, piped: 0 });
  });

  it('an upload waiting longer than budgetWaitMs fails with CiBusyError, stores nothing; the holder completes', async () => {
    const c = client({ maxBufferedBytes: MiB, partSize: MiB, budgetWaitMs: 100 });
    const held = randomBytes(700 * KiB);
    const holder = countingSource(held, 300 * KiB);
    let holderRead = 0;
    const holding = c.upload('budget/holder.bin', holder.stream, {
      onProgress: (p) => (holderRead = p.bytesRead),
    });
    await waitFor(() => holderRead > 0);

    // A stream of unknown size (a known size is piped and needs no budget).
    const refused = await c
      .upload('budget/refused.bin', Readable.from([randomBytes(200 * KiB)]))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CiBusyError);
    expect(refused).toMatchObject({ code: 'CI_BUSY', reason: 'BUDGET_WAIT_TIMEOUT', budgetBytes: MiB });
    expect(await leftovers(c)).toEqual({ objects: [], uploads: [] });

    holder.open();
    expect((await holding).size).toBe(held.length);
    expect(md5(await emulator.getObject(BUCKET, 'budget/holder.bin'))).toBe(md5(held));
    expect(c.uploadBufferStats().inUseBytes).toBe(0);
  });

  it('a multipart upload that waits too long is aborted: no part and no object stays behind', async () => {
    const c = client({ maxBufferedBytes: MiB, partSize: MiB, multipartThreshold: MiB, budgetWaitMs: 100 });
    // Its first part is held by CI well past the budget wait; the upload needs a second unit meanwhile.
    emulator.faults.add({
      match: { operation: 'UploadPart' },
      action: { type: 'latency', ms: 3000, phase: 'headers' },
    });
    const err = await c.upload('budget/aborted.bin', Readable.from([randomBytes(3 * MiB)])).catch((e) => e);
    expect(err).toMatchObject({ name: 'CiBusyError', reason: 'BUDGET_WAIT_TIMEOUT' });
    expect(emulator.requests.filter((r) => r.operation === 'InitiateMultipartUpload')).toHaveLength(1);
    expect(await leftovers(c)).toEqual({ objects: [], uploads: [] });
    expect(c.uploadBufferStats().inUseBytes).toBe(0);
  });

  it('an upload aborted while it waits leaves the queue; the budget serves the next ones', async () => {
    const c = client({ maxBufferedBytes: MiB, partSize: MiB });
    const holder = countingSource(randomBytes(600 * KiB), 100 * KiB);
    let holderRead = 0;
    const holding = c.upload('budget/holder.bin', holder.stream, {
      onProgress: (p) => (holderRead = p.bytesRead),
    });
    await waitFor(() => holderRead > 0);
    const controller = new AbortController();
    const waiting = c.upload('budget/waiting.bin', Readable.from([randomBytes(100 * KiB)]), {
      signal: controller.signal,
    });
    await waitFor(() => c.uploadBufferStats().waiting === 1);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CiAbortError);
    expect(c.uploadBufferStats().waiting).toBe(0);
    holder.open();
    await holding;
    const after = randomBytes(2500 * KiB);
    expect((await c.upload('budget/after.bin', after)).size).toBe(after.length);
    expect(
      emulator
        .listObjects(BUCKET)
        .map((o) => o.key)
        .sort(),
    ).toEqual(['budget/after.bin', 'budget/holder.bin']);
  });

  it('files-v2: a stream of unknown size larger than the whole budget is refused at once (it must be held whole)', async () => {
    const c = client({ maxBufferedBytes: 2 * MiB, partSize: MiB }, { protocol: 'files-v2' });
    const err = await c
      .upload('budget/whole.bin', Readable.from([randomBytes(MiB), randomBytes(MiB), randomBytes(MiB)]))
      .catch((e) => e);
    expect(err).toMatchObject({ name: 'CiBusyError', code: 'CI_BUSY', reason: 'BUDGET_TOO_SMALL' });
    expect(emulator.listObjects(BUCKET)).toEqual([]);
    const fits = randomBytes(1900 * KiB);
    expect((await c.upload('budget/fits.bin', Readable.from([fits]))).size).toBe(fits.length);
  });

  it.each([
    [{ maxBufferedBytes: 512 * KiB }, /upload\.maxBufferedBytes must be at least one part/],
    [{ partConcurrency: 0 }, /upload\.partConcurrency must be an integer >= 1/],
    [{ budgetWaitMs: -1 }, /upload\.budgetWaitMs must be an integer >= 0/],
    [{ partSize: 100 * KiB }, /upload\.partSize must be at least 1 MiB/],
  ])('refuses upload options %j when the client is built', (upload, message) => {
    expect(() => client(upload)).toThrow(CiValidationError);
    expect(() => client(upload)).toThrow(message);
  });

  it("sends a call's own partSize: parts are reserved from the budget in bytes, not in units", async () => {
    const c = client({ maxBufferedBytes: 8 * MiB, multipartThreshold: MiB });
    const file = randomBytes(5 * MiB + 7);
    const result = await c.upload('budget/x.bin', Readable.from([file]), { tuning: { partSize: 2 * MiB } });
    expect(result.size).toBe(file.length);
    expect(md5(await emulator.getObject(BUCKET, 'budget/x.bin'))).toBe(md5(file));
    // The first part is the 1 MiB held up to the threshold, then parts of 2 MiB: 1 + 2 + 2 + 7 bytes.
    expect(emulator.requests.filter((r) => r.operation === 'UploadPart')).toHaveLength(4);
    expect(c.uploadBufferStats().inUseBytes).toBe(0);
  });
});

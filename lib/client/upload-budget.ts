import { CiAbortError, CiBusyError, CiValidationError, type CiRequestTarget } from '../core/errors';
import { CI_CLIENT_DEFAULTS, type CiUploadClientTuning } from './ci-client.options';

const MiB = 1024 * 1024;
/** COS's smallest and largest part. */
const PART_SIZE_RANGE = [MiB, 5 * 1024 * MiB] as const;

/**
 * Fills in the defaults of `upload` and checks every field (at start-up: the client is built at boot), with one
 * `CiValidationError` naming each bad field.
 */
export function resolveUploadTuning(upload: CiUploadClientTuning = {}): Required<CiUploadClientTuning> {
  const t = { ...CI_CLIENT_DEFAULTS.upload, ...upload };
  const problems: [string, string][] = [];
  const integer = (field: keyof CiUploadClientTuning, min: number, what: string) => {
    const v = t[field];
    if (!Number.isSafeInteger(v) || v < min) problems.push([`upload.${field}`, `must be ${what}, got ${v}`]);
  };
  integer('multipartThreshold', 0, 'an integer >= 0 (bytes)');
  integer('partSize', PART_SIZE_RANGE[0], 'at least 1 MiB (COS minimum), in bytes');
  if (t.partSize > PART_SIZE_RANGE[1])
    problems.push(['upload.partSize', 'must be at most 5 GiB (COS maximum)']);
  integer('partConcurrency', 1, 'an integer >= 1');
  integer('maxBufferedBytes', t.partSize, `at least one part (upload.partSize, ${t.partSize} bytes)`);
  integer('budgetWaitMs', 0, 'an integer >= 0 (ms)');
  if (problems.length) {
    throw new CiValidationError('OPTIONS_INVALID', problems.map(([f, m]) => `${f} ${m}`).join('; '), {
      field: problems[0]![0],
    });
  }
  return t;
}

/** A snapshot of a client's upload buffer budget (see `CiClient.uploadBufferStats`). */
export interface CiUploadBufferStats {
  /** `upload.maxBufferedBytes`, rounded down to whole parts. */
  budgetBytes: number;
  /** Bytes taken by uploads in flight (whole parts: a part is taken before it is filled). */
  inUseBytes: number;
  /** Uploads waiting for a part's worth of the budget (their clients are held by TCP backpressure). */
  waiting: number;
}

interface Waiter {
  resolve(unit: Buffer): void;
  reject(err: unknown): void;
}

/**
 * The buffer memory of every upload of one `CiClient`, shared: `maxBufferedBytes` cut into units of one part
 * (`partSize`). An upload takes a unit before it reads bytes into it and gives it back once the part is
 * acknowledged, so what all uploads buffer together never passes the budget; an upload that finds it full
 * waits (first come, first served) and, as it does not read its source meanwhile, the wait reaches the client
 * socket as TCP backpressure.
 *
 * Units are reused while uploads are in flight (no allocation, no garbage per part) and dropped when the last
 * one comes back, so an idle client holds nothing. A unit whose request failed is not reused: the transport
 * may still be writing it to a dead connection.
 */
export class UploadBudget {
  /** Bytes of one unit: one part. */
  readonly unitBytes: number;
  /** Units in the budget. */
  readonly units: number;
  private readonly free: Buffer[] = [];
  private readonly waiters: Waiter[] = [];
  private inUse = 0;

  constructor(
    maxBufferedBytes: number,
    partSize: number,
    private readonly waitMs: number,
  ) {
    this.unitBytes = partSize;
    this.units = Math.floor(maxBufferedBytes / partSize);
  }

  /** The budget in bytes (whole units). */
  get bytes(): number {
    return this.units * this.unitBytes;
  }

  /** What the budget holds now: units taken (in bytes) and uploads waiting for one. */
  stats(): CiUploadBufferStats {
    return {
      budgetBytes: this.bytes,
      inUseBytes: this.inUse * this.unitBytes,
      waiting: this.waiters.length,
    };
  }

  /** A unit now, or `undefined` when none is free or others are already waiting (they go first). */
  tryAcquire(): Buffer | undefined {
    if (this.waiters.length || this.inUse >= this.units) return undefined;
    this.inUse++;
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.unitBytes);
  }

  /**
   * A unit, once one is free, first come first served: every upload moves on a part at a time, so no wait is
   * longer than a turn of the queue (freed parts given to started uploads first starved new ones past
   * `budgetWaitMs` at 64 concurrent 16 MiB uploads in the bench). Rejects with `CiBusyError`
   * (`BUDGET_WAIT_TIMEOUT`) after `budgetWaitMs`, or with `CiAbortError` when `signal` aborts first.
   */
  acquire(signal: AbortSignal | undefined, what: CiRequestTarget): Promise<Buffer> {
    const queue = this.waiters;
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (signal?.aborted) return Promise.reject(new CiAbortError(what, { cause: signal.reason }));
    return new Promise<Buffer>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
      };
      const waiter: Waiter = {
        resolve: (unit) => {
          done();
          resolve(unit);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      };
      const onAbort = () => waiter.reject(new CiAbortError(what, { cause: signal?.reason }));
      const timer = setTimeout(
        () =>
          waiter.reject(
            new CiBusyError(
              'BUDGET_WAIT_TIMEOUT',
              `Upload waited ${this.waitMs} ms for buffer memory: the upload budget (upload.maxBufferedBytes, ` +
                `${this.bytes} bytes) is held by other uploads: ${what.method} ${what.path}`,
              this.bytes,
            ),
          ),
        this.waitMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }

  /** Gives a unit back (to the first waiter, else to the pool); `reuse: false` drops it (its request failed). */
  release(unit: Buffer, reuse = true): void {
    const next = this.waiters[0];
    if (next) {
      next.resolve(reuse ? unit : Buffer.allocUnsafeSlow(this.unitBytes));
      return;
    }
    this.inUse--;
    if (this.inUse === 0) this.free.length = 0;
    else if (reuse) this.free.push(unit);
  }
}

import { CiAbortError, CiBusyError, CiValidationError, type CiRequestTarget } from '../core/errors';
import { CI_CLIENT_DEFAULTS, type CiUploadClientTuning } from './ci-client.options';

const MiB = 1024 * 1024;
/** COS's smallest and largest part. */
export const PART_SIZE_RANGE = [MiB, 5 * 1024 * MiB] as const;

/** The client's upload tuning with its defaults filled in (`partSize` stays optional: chosen per upload). */
export type ResolvedUploadTuning = Required<Omit<CiUploadClientTuning, 'partSize'>> & { partSize?: number };

/**
 * Fills in the defaults of `upload` and checks every field (at start-up: the client is built at boot), with one
 * `CiValidationError` naming each bad field.
 */
export function resolveUploadTuning(upload: CiUploadClientTuning = {}): ResolvedUploadTuning {
  const t = { ...CI_CLIENT_DEFAULTS.upload, ...upload };
  const problems: [string, string][] = [];
  const integer = (field: keyof CiUploadClientTuning, min: number, what: string) => {
    const v = t[field];
    if (!Number.isSafeInteger(v) || v! < min) problems.push([`upload.${field}`, `must be ${what}, got ${v}`]);
  };
  integer('multipartThreshold', 0, 'an integer >= 0 (bytes)');
  if (t.partSize !== undefined) {
    integer('partSize', PART_SIZE_RANGE[0], 'at least 1 MiB (COS minimum), in bytes');
    if (t.partSize > PART_SIZE_RANGE[1])
      problems.push(['upload.partSize', 'must be at most 5 GiB (COS maximum)']);
  }
  integer('partConcurrency', 1, 'an integer >= 1');
  integer('maxBufferedBytes', t.partSize ?? MiB, `at least one part (${t.partSize ?? MiB} bytes)`);
  integer('budgetWaitMs', 0, 'an integer >= 0 (ms)');
  integer('minSourceBytesPerSecond', 0, 'an integer >= 0 (bytes per second; 0 turns the check off)');
  integer('sourceRateWindowMs', 100, 'an integer >= 100 (ms)');
  if (problems.length) {
    throw new CiValidationError('OPTIONS_INVALID', problems.map(([f, m]) => `${f} ${m}`).join('; '), {
      field: problems[0]![0],
    });
  }
  return t;
}

/** A snapshot of a client's upload buffer budget (see `CiClient.uploadBufferStats`). */
export interface CiUploadBufferStats {
  /** `upload.maxBufferedBytes`. */
  budgetBytes: number;
  /** Bytes reserved by uploads in flight (a part is reserved whole before it is read). */
  inUseBytes: number;
  /** Uploads waiting for a reservation (their clients are held by TCP backpressure). */
  waiting: number;
  /** Uploads of known size being piped to CI now (they hold no budget). */
  piped: number;
}

interface Waiter {
  bytes: number;
  resolve(): void;
}

/**
 * The buffer memory of the uploads of one `CiClient` that must be held (streams of unknown size), shared:
 * `maxBufferedBytes`, reserved in bytes. An upload reserves a part before it reads bytes into it and gives it
 * back once the part is acknowledged, so what all uploads hold together never passes the budget; an upload
 * that finds it full waits (first come, first served) and, as it does not read its source meanwhile, the wait
 * reaches the client socket as TCP backpressure. Uploads of known size are piped and reserve nothing.
 */
export class UploadBudget {
  private readonly waiters: Waiter[] = [];
  private inUse = 0;
  /** Piped uploads in flight, counted for {@link stats} only. */
  piped = 0;

  constructor(
    /** The budget in bytes. */
    readonly bytes: number,
    private readonly waitMs: number,
  ) {}

  /** What the budget holds now: bytes reserved and uploads waiting for a reservation. */
  stats(): CiUploadBufferStats {
    return {
      budgetBytes: this.bytes,
      inUseBytes: this.inUse,
      waiting: this.waiters.length,
      piped: this.piped,
    };
  }

  /** Reserves `bytes` now, or returns false when they do not fit or others are already waiting (they go first). */
  tryTake(bytes: number): boolean {
    if (this.waiters.length || this.inUse + bytes > this.bytes) return false;
    this.inUse += bytes;
    return true;
  }

  /**
   * Reserves `bytes` (at most the whole budget), first come first served. Rejects with `CiBusyError`
   * (`BUDGET_WAIT_TIMEOUT`) after `budgetWaitMs`, or with `CiAbortError` when `signal` aborts first.
   */
  take(bytes: number, signal: AbortSignal, what: CiRequestTarget): Promise<void> {
    if (this.tryTake(bytes)) return Promise.resolve();
    if (signal.aborted) return Promise.reject(new CiAbortError(what, { cause: signal.reason }));
    return new Promise<void>((resolve, reject) => {
      const leave = (err?: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        if (!err) return resolve();
        reject(err);
        // The first in line left: the next ones may fit.
        if (at === 0) this.serve();
      };
      const waiter: Waiter = { bytes, resolve: () => leave() };
      const onAbort = () => leave(new CiAbortError(what, { cause: signal.reason }));
      const timer = setTimeout(() => {
        leave(
          new CiBusyError(
            'BUDGET_WAIT_TIMEOUT',
            `Upload waited ${this.waitMs} ms for buffer memory: the upload budget (upload.maxBufferedBytes, ` +
              `${this.bytes} bytes) is held by other uploads: ${what.method} ${what.path}`,
            this.bytes,
          ),
        );
        this.serve();
      }, this.waitMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives `bytes` back and serves the waiters that now fit, in order. */
  give(bytes: number): void {
    this.inUse -= bytes;
    this.serve();
  }

  private serve(): void {
    while (this.waiters[0] && this.inUse + this.waiters[0].bytes <= this.bytes) {
      const next = this.waiters[0];
      this.inUse += next.bytes;
      next.resolve();
    }
  }
}

import { Readable } from 'node:stream';
import { CiSlowSourceError } from '../core/errors';
import type { UploadSession } from './upload-session';

/** The slowest a source may send, over a window of time spent waiting for it. */
export interface SourceRate {
  /** Bytes per second; 0 turns the check off. */
  minBytesPerSecond: number;
  windowMs: number;
}

type Chunk = Buffer | Uint8Array | string;

/**
 * The caller's source as Buffers, for one upload: every wait for a chunk ends when the session aborts, every
 * chunk is reported to the session (progress), and a source that sends slower than the minimum while the upload
 * waits for it (a client trickling its body, or one that stopped) cuts the session with `CiSlowSourceError`.
 * Time the upload spends not reading (waiting for CI: backpressure) is not held against the source.
 */
export class UploadSource implements AsyncIterator<Buffer> {
  private readonly iterator: AsyncIterator<Chunk>;
  /** The source itself when it is a stream: destroyed when the upload stops before its end. */
  private readonly stream?: { destroy(): void };
  private readonly timer?: NodeJS.Timeout;
  /** Since when a read is pending (0: none), and the wait and bytes of the current window. */
  private waitingSince = 0;
  private waitedMs = 0;
  private windowBytes = 0;
  /** Rejects the read in progress: one abort listener for the whole upload, not one per chunk. */
  private rejectWait?: (err: unknown) => void;
  private ended = false;
  private readonly onAbort = () => this.rejectWait?.(this.session.abortError());

  constructor(
    source: AsyncIterable<Chunk> | AsyncIterator<Chunk>,
    private readonly session: UploadSession,
    private readonly rate: SourceRate,
  ) {
    this.iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<Chunk>)[Symbol.asyncIterator]()
        : (source as AsyncIterator<Chunk>);
    if (source instanceof Readable) this.stream = source;
    session.signal.addEventListener('abort', this.onAbort, { once: true });
    if (rate.minBytesPerSecond > 0) {
      this.timer = setInterval(() => this.checkRate(), rate.windowMs);
      this.timer.unref();
    }
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.session.signal.aborted) return Promise.reject(this.session.abortError());
    this.waitingSince = performance.now();
    return new Promise((resolve, reject) => {
      this.rejectWait = reject;
      this.iterator.next().then(
        (result) => {
          this.settleWait();
          if (result.done) {
            this.ended = true;
            return resolve({ done: true, value: undefined });
          }
          const value = result.value;
          const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
          this.windowBytes += chunk.length;
          this.session.read(chunk.length);
          resolve({ done: false, value: chunk });
        },
        (err: unknown) => {
          this.settleWait();
          reject(err);
        },
      );
    });
  }

  private settleWait(): void {
    this.rejectWait = undefined;
    this.waitedMs += performance.now() - this.waitingSince;
    this.waitingSince = 0;
  }

  /** Stops the rate check and, when the upload stopped before the end, the source's iterator (a Readable's destroys it). */
  close(): void {
    clearInterval(this.timer);
    this.session.signal.removeEventListener('abort', this.onAbort);
    if (this.ended) return;
    // A pending read keeps a Readable's iterator from returning: the stream is destroyed instead.
    this.stream?.destroy();
    this.iterator.return?.().catch(() => undefined);
  }

  private checkRate(): void {
    const now = performance.now();
    const waited = this.waitedMs + (this.waitingSince ? now - this.waitingSince : 0);
    const bytes = this.windowBytes;
    this.waitedMs = 0;
    this.windowBytes = 0;
    if (this.waitingSince) this.waitingSince = now;
    // Judged only when the upload spent most of the window waiting for the source.
    if (waited < this.rate.windowMs / 2) return;
    const bytesPerSecond = (bytes * 1000) / waited;
    if (bytesPerSecond >= this.rate.minBytesPerSecond) return;
    clearInterval(this.timer);
    this.session.cut(new CiSlowSourceError(this.session.what, bytesPerSecond, this.rate.minBytesPerSecond));
  }
}

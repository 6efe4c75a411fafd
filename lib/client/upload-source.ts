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
  private watched = false;
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
      RATE_WATCH.add(this, rate.windowMs);
      this.watched = true;
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
    this.unwatch();
    this.session.signal.removeEventListener('abort', this.onAbort);
    if (this.ended) return;
    // A pending read keeps a Readable's iterator from returning: the stream is destroyed instead.
    this.stream?.destroy();
    this.iterator.return?.().catch(() => undefined);
  }

  private unwatch(): void {
    if (this.watched) RATE_WATCH.delete(this, this.rate.windowMs);
    this.watched = false;
  }

  /** Called once per window by {@link RATE_WATCH}. */
  checkRate(): void {
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
    this.unwatch();
    this.session.cut(new CiSlowSourceError(this.session.what, bytesPerSecond, this.rate.minBytesPerSecond));
  }
}

/**
 * One timer per window length for every source being read (not one per upload): each tick judges the window
 * that just ended. A source added just before a tick is not judged on it (it waited less than half a window).
 */
const RATE_WATCH = {
  byWindow: new Map<number, { sources: Set<UploadSource>; timer: NodeJS.Timeout }>(),
  add(source: UploadSource, windowMs: number): void {
    let watch = this.byWindow.get(windowMs);
    if (!watch) {
      const sources = new Set<UploadSource>();
      const timer = setInterval(() => {
        for (const s of sources) s.checkRate();
      }, windowMs);
      timer.unref();
      this.byWindow.set(windowMs, (watch = { sources, timer }));
    }
    watch.sources.add(source);
  },
  delete(source: UploadSource, windowMs: number): void {
    const watch = this.byWindow.get(windowMs);
    if (!watch?.sources.delete(source) || watch.sources.size) return;
    clearInterval(watch.timer);
    this.byWindow.delete(windowMs);
  },
};

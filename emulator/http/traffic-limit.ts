import { setTimeout as sleep } from 'node:timers/promises';
import { pipeline, type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';

/** The clock a {@link TrafficLimiter} paces by: tests pass their own to see each wait without measuring time. */
export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: PacingClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/** How much of a second one slice of the stream covers: 100 ms worth of bytes at the limit. */
const SLICES_PER_SECOND = 10;

/**
 * Paces a byte stream (a GET body, an upload into its staging sink) to `x-cos-traffic-limit` (bit/s, COS's
 * "单链接限速" page): bytes go through in slices of
 * a tenth of a second's worth, and after each slice the stream waits until the time the limit allows for every
 * byte so far (`start + bytes * 8 / limit`). The first slice goes at once; n bytes take (n - one slice) * 8 /
 * limit seconds at least.
 *
 * @example
 * reader.stream().pipe(new TrafficLimiter(819_200)) // 100 KB/s
 */
export class TrafficLimiter extends Transform {
  private readonly sliceBytes: number;
  private start?: number;
  private sent = 0;

  constructor(
    /** The limit in bit/s. */
    private readonly bitsPerSecond: number,
    private readonly clock: PacingClock = REAL_CLOCK,
  ) {
    super();
    this.sliceBytes = Math.max(1, Math.floor(bitsPerSecond / 8 / SLICES_PER_SECOND));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pace(chunk).then(() => callback(), callback);
  }

  private async pace(chunk: Buffer): Promise<void> {
    this.start ??= this.clock.now();
    for (let offset = 0; offset < chunk.length; offset += this.sliceBytes) {
      if (this.destroyed) return;
      const slice = chunk.subarray(offset, offset + this.sliceBytes);
      const wait = this.start + ((this.sent * 8) / this.bitsPerSecond) * 1000 - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      this.sent += slice.length;
      this.push(slice);
    }
  }
}

/**
 * A body paced to `bitsPerSecond` (a {@link TrafficLimiter} behind it, both destroyed together when either ends
 * early), or the body itself without a limit.
 */
export function limitTraffic(
  body: Readable,
  bitsPerSecond: number | undefined,
  clock?: PacingClock,
): Readable {
  if (!bitsPerSecond) return body;
  // The error is the paced stream's too: whoever reads it sees it.
  return pipeline(body, new TrafficLimiter(bitsPerSecond, clock), () => undefined);
}

/**
 * The sink an upload is received into, paced to `bitsPerSecond`: writes go through a {@link TrafficLimiter} into
 * `sink`, so the sink's backpressure slows the reading of the request and the client. Without a limit, `sink`
 * itself. Destroying the returned stream destroys `sink`; the staged body is whole only once `sink` has finished.
 */
export function limitUpload(
  sink: Writable,
  bitsPerSecond: number | undefined,
  clock?: PacingClock,
): Writable {
  if (!bitsPerSecond) return sink;
  const limiter = new TrafficLimiter(bitsPerSecond, clock);
  pipeline(limiter, sink, () => undefined);
  return limiter;
}

import { CiBusyError } from '../core/errors';
import type { UploadBudget } from './upload-budget';
import type { UploadSession } from './upload-session';

/** One part of a multipart upload, or the whole object when `only`. */
export interface UploadPart {
  /** 1-based. */
  number: number;
  /** Byte offset in the object. */
  offset: number;
  /** The source's own chunks (cut at the part's edges, never copied). */
  chunks: Buffer[];
  size: number;
  /** The budget this part holds until it is acknowledged; give it back with {@link PartsProducer.release}. */
  reserved: number;
  /** The source ended inside the first part: it is the whole object. */
  only: boolean;
}

/** How a source is cut into parts. */
export interface PartsPlan {
  /** Size of the first part: the single-request threshold, or `partSize` when the size is known. */
  firstPartSize: number;
  partSize: number;
  /**
   * Reserve the first part a step at a time, and refuse a source larger than it (files-v2 of unknown size is held
   * whole, the first part then being the whole budget).
   */
  growFirstBy?: number;
}

/**
 * Cuts a source into parts under the client's budget: the one place that knows it. A part's memory is reserved
 * before a byte is read into it (the producer then holds no other part that waits on it: the parts it gave
 * away are in flight and come back on their own), so while the budget is full the source is not read and the
 * client is held by TCP backpressure.
 */
export class PartsProducer {
  private carry?: Buffer;
  private number = 0;
  private offset = 0;
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly plan: PartsPlan,
    private readonly budget: UploadBudget,
    private readonly session: UploadSession,
  ) {}

  /** Bytes read so far (the object's size once {@link next} answered `undefined`). */
  get total(): number {
    return this.offset;
  }

  /** The next part, or `undefined` when the source has ended. Not re-entrant: one caller at a time. */
  async next(): Promise<UploadPart | undefined> {
    if (this.ended && !this.carry) return undefined;
    const first = this.number === 0;
    const target = first ? this.plan.firstPartSize : this.plan.partSize;
    const step = first && this.plan.growFirstBy ? this.plan.growFirstBy : target;
    const part: UploadPart = {
      number: ++this.number,
      offset: this.offset,
      chunks: [],
      size: 0,
      reserved: 0,
      only: false,
    };
    try {
      while (part.size < target) {
        if (part.size === part.reserved) {
          const bytes = Math.min(step, target - part.reserved);
          await this.budget.take(bytes, this.session.signal, this.session.what);
          part.reserved += bytes;
        }
        const chunk = this.carry ?? (await this.read());
        this.carry = undefined;
        if (!chunk) break;
        const room = part.reserved - part.size;
        if (chunk.length > room) this.carry = chunk.subarray(room);
        part.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        part.size += Math.min(chunk.length, room);
      }
      if (first && !this.carry && !this.ended) this.carry = await this.read();
      if (first && this.plan.growFirstBy && this.carry) throw this.tooSmall();
    } catch (err) {
      this.release(part);
      throw err;
    }
    part.only = first && !this.carry;
    this.offset += part.size;
    if (part.size || first) return part;
    this.release(part);
    return undefined;
  }

  /** Gives a part's memory back (acknowledged, or dropped): its chunks are let go with it. */
  release(part: UploadPart): void {
    this.budget.give(part.reserved);
    part.reserved = 0;
    part.chunks = [];
  }

  private async read(): Promise<Buffer | undefined> {
    for (;;) {
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        return undefined;
      }
      if (next.value.length) return next.value;
    }
  }

  private tooSmall(): CiBusyError {
    return new CiBusyError(
      'BUDGET_TOO_SMALL',
      `A stream of unknown size larger than the upload budget (upload.maxBufferedBytes, ${this.budget.bytes} ` +
        `bytes) cannot be held whole for files-v2: give its size, or raise the budget: ` +
        `${this.session.what.method} ${this.session.what.path}`,
      this.budget.bytes,
    );
  }
}

import { Writable } from 'node:stream';

/**
 * A sink that keeps what is written as the list of chunks it arrived in (never joined here), up to `limit`
 * bytes: past it, the write fails with the error `tooMuch()` makes.
 *
 * @example
 * const sink = new ChunkCollector(sliceBytes, () => new Error('slice goes past the file'));
 */
export class ChunkCollector extends Writable {
  /** The chunks, in order. */
  readonly chunks: Buffer[] = [];
  /** Bytes collected. */
  size = 0;

  constructor(
    private readonly limit: number,
    private readonly tooMuch: () => Error,
  ) {
    super();
  }

  /** The bytes as one buffer (one copy, unless there is a single chunk). */
  toBuffer(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.size + chunk.length > this.limit) {
      callback(this.tooMuch());
      return;
    }
    this.size += chunk.length;
    // A small slice of a large socket read keeps the whole read buffer alive: copy those.
    this.chunks.push(chunk.byteLength * 2 < chunk.buffer.byteLength ? Buffer.from(chunk) : chunk);
    callback();
  }
}

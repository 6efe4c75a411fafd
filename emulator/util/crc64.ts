import { crc64 } from 'crc64-ecma182.js';

// crc64-ecma182.js copies each buffer into a fixed 16 MiB asm.js heap: feed it in slices well below that.
const SLICE = 1024 * 1024;

/**
 * CRC-64/XZ (what COS calls CRC64-ECMA182 and answers in `x-cos-hash-crc64ecma`: reflected ECMA-182 polynomial,
 * all ones in and out), as an unsigned decimal string, computed incrementally. Built on `crc64-ecma182.js`
 * (the implementation used to check Alibaba OSS's identical header).
 *
 * @example new Crc64().update(Buffer.from('123456789')).value // '11051210869376104954'
 */
export class Crc64 {
  private current: string;

  /** Starts from nothing, or continues from the CRC of what came before (an appendable object's). */
  constructor(previous = '0') {
    this.current = previous;
  }

  /** Adds bytes. */
  update(bytes: Uint8Array): this {
    const buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let offset = 0; offset < buffer.length; offset += SLICE) {
      this.current = crc64(buffer.subarray(offset, offset + SLICE), this.current);
    }
    return this;
  }

  /** The CRC of everything added, unsigned decimal (`'0'` for no bytes). */
  get value(): string {
    return this.current;
  }
}

/** The CRC-64/XZ of everything a stream yields, unsigned decimal. */
export async function crc64OfStream(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const crc = new Crc64();
  for await (const chunk of stream) crc.update(chunk);
  return crc.value;
}

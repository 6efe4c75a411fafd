import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { Crc64 } from '../util/crc64';

/** Bytes of the start of a body kept for sniffing its type (file-type's sample size). */
export const HEAD_BYTES = 4100;

/** What a {@link createByteMeter} saw pass. */
export interface MeteredBytes {
  /** Bytes that passed. */
  size: number;
  /** SHA-1, lower-case hex. */
  sha1: string;
  /** MD5, binary. */
  md5: Buffer;
  /** CRC-64/XZ, unsigned decimal (COS's `x-cos-hash-crc64ecma`). */
  crc64: string;
  /** The first bytes (up to {@link HEAD_BYTES}), copied. */
  head: Buffer;
}

/**
 * A pass-through that counts and hashes (SHA-1, MD5, CRC-64) what flows through it and keeps a copy of its first
 * bytes; `onDone` gets the figures when the stream ends. Chunks pass on unchanged (not copied).
 * @example await pipeline(source, createByteMeter((m) => (meter = m)), sink);
 */
export function createByteMeter(onDone: (metered: MeteredBytes) => void): Transform {
  const sha1 = createHash('sha1');
  const md5 = createHash('md5');
  const crc = new Crc64();
  const head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      sha1.update(chunk);
      md5.update(chunk);
      crc.update(chunk);
      if (headBytes < HEAD_BYTES) {
        const part = Buffer.from(chunk.subarray(0, HEAD_BYTES - headBytes));
        head.push(part);
        headBytes += part.length;
      }
      callback(null, chunk);
    },
    flush(callback) {
      onDone({
        size,
        sha1: sha1.digest('hex'),
        md5: md5.digest(),
        crc64: crc.value,
        head: Buffer.concat(head),
      });
      callback();
    },
  });
}

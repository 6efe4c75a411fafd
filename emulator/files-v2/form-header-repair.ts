import { Transform, type TransformCallback } from 'node:stream';

/** Longest part-header block repaired; a longer one passes through untouched (busboy then judges it). */
const MAX_HEADER_BLOCK = 16 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

/** Drops a trailing `;` (and blanks) from the `Content-Disposition` lines of one part-header block. */
function repairBlock(block: Buffer): Buffer {
  const text = block.toString('latin1');
  const fixed = text
    .split('\r\n')
    .map((line) => (/^content-disposition[ \t]*:/i.test(line) ? line.replace(/[; \t]+$/, '') : line))
    .join('\r\n');
  return fixed === text ? block : Buffer.from(fixed, 'latin1');
}

/**
 * Sits in front of busboy and repairs one defect of the seed's sample request: part headers written
 * `Content-Disposition: form-data; name="op"; ` (a trailing `;`), which busboy silently drops as malformed.
 * Only the header blocks (between a `--boundary` line and the blank line after it) are rewritten; part contents
 * pass through as they came, without being copied (a delimiter cannot occur inside a part, by definition).
 *
 * @example req.pipe(new FormHeaderRepair(boundary)).pipe(busboy({ headers: req.headers }))
 */
export class FormHeaderRepair extends Transform {
  private readonly delimiter: Buffer;
  /** Bytes held back (less than a delimiter) because a delimiter may start in them. */
  private carry: Buffer;
  /** Bytes of the virtual CRLF before the body, still to be dropped from the output. */
  private skip = 2;
  /** Header block being collected, or `undefined` while in part contents. */
  private header: Buffer | undefined;

  constructor(boundary: string) {
    super();
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // The first delimiter has no CRLF before it: pretend there was one.
    this.carry = Buffer.from('\r\n');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.consume(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.pushBytes(this.header ?? this.carry);
    this.header = undefined;
    this.carry = Buffer.alloc(0);
    callback();
  }

  private consume(input: Buffer): void {
    let chunk = input;
    while (chunk.length > 0) {
      if (this.header !== undefined) {
        chunk = this.collectHeader(chunk);
        continue;
      }
      chunk = this.passContent(chunk);
    }
  }

  /** In part contents: emits everything up to and including the next delimiter; returns what follows it. */
  private passContent(chunk: Buffer): Buffer {
    const d = this.delimiter;
    const carry = this.carry;
    // A delimiter straddling carry and chunk, else one inside the chunk.
    const joint = Buffer.concat([carry, chunk.subarray(0, d.length - 1)]);
    let at = joint.indexOf(d);
    if (at < 0 || at >= carry.length) {
      const inside = chunk.indexOf(d);
      at = inside < 0 ? -1 : carry.length + inside;
    }
    if (at < 0) {
      // Keep the last d.length - 1 bytes: a delimiter may start there.
      const keep = Math.min(d.length - 1, carry.length + chunk.length);
      const emitUpTo = carry.length + chunk.length - keep;
      if (emitUpTo <= carry.length) {
        this.pushBytes(carry.subarray(0, emitUpTo));
        this.carry = Buffer.concat([carry.subarray(emitUpTo), chunk]);
      } else {
        this.pushBytes(carry);
        this.pushBytes(chunk.subarray(0, emitUpTo - carry.length));
        this.carry = Buffer.from(chunk.subarray(emitUpTo - carry.length));
      }
      return Buffer.alloc(0);
    }
    const end = at + d.length;
    if (end <= carry.length) {
      this.pushBytes(carry.subarray(0, end));
      this.carry = Buffer.alloc(0);
      this.header = Buffer.alloc(0);
      return Buffer.concat([carry.subarray(end), chunk]);
    }
    this.pushBytes(carry);
    this.pushBytes(chunk.subarray(0, end - carry.length));
    this.carry = Buffer.alloc(0);
    this.header = Buffer.alloc(0);
    return chunk.subarray(end - carry.length);
  }

  /** After a delimiter: collects the header block, emits it repaired; returns the part contents after it. */
  private collectHeader(chunk: Buffer): Buffer {
    const header = Buffer.concat([this.header!, chunk]);
    const end = header.indexOf(HEADER_END);
    if (end < 0) {
      if (header.length <= MAX_HEADER_BLOCK) {
        this.header = header;
        return Buffer.alloc(0);
      }
      this.pushBytes(header);
      this.header = undefined;
      return Buffer.alloc(0);
    }
    this.pushBytes(repairBlock(header.subarray(0, end + HEADER_END.length)));
    this.header = undefined;
    return header.subarray(end + HEADER_END.length);
  }

  /** Pushes bytes, minus the virtual CRLF at the very start. */
  private pushBytes(bytes: Buffer): void {
    let out = bytes;
    if (this.skip > 0) {
      const drop = Math.min(this.skip, out.length);
      this.skip -= drop;
      out = out.subarray(drop);
    }
    if (out.length > 0) this.push(out);
  }
}

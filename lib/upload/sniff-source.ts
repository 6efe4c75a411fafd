import { CiMediaError } from '../core/errors';
import { SNIFF_BYTES, sniffImageType, type CiImageFormat, type SniffedImageType } from '../core/media';

/** A source whose type is known from its first bytes, ready to be read from the start. */
export interface SniffedSource {
  type: SniffedImageType;
  /** The first bytes read (at least {@link SNIFF_BYTES}, or the whole file when shorter). */
  head: Buffer;
  /** Every byte of the source, the sniffed head included. */
  body: AsyncIterable<Buffer>;
}

/** `head`, then the rest of `source`: each later chunk is the source's own promise (no generator in between). */
function prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncIterableIterator<Buffer> {
  let first: Buffer | undefined = head;
  return {
    next: () => {
      if (!first) return rest.next();
      const value = first;
      first = undefined;
      return Promise.resolve({ done: false, value });
    },
    return: () => rest.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Reads just enough of `source` to tell its image type from the magic bytes, refuses what is empty, not an
 * image, or not allowed (`CiMediaError`), and gives back an iterable of the whole source. The held bytes are
 * never more than one chunk past {@link SNIFF_BYTES}.
 */
export async function sniffSource(
  source: AsyncIterator<Buffer>,
  allowed: readonly CiImageFormat[],
  field?: string,
): Promise<SniffedSource> {
  const head: Buffer[] = [];
  let size = 0;
  while (size < SNIFF_BYTES) {
    const next = await source.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    size += chunk.length;
  }
  const where = field ? ` - ${field}` : '';
  if (size === 0) throw new CiMediaError('EMPTY_FILE', `The file is empty${where}`, { field });
  const headBytes = head.length === 1 ? head[0]! : Buffer.concat(head);
  const type = await sniffImageType(headBytes);
  if (!type) {
    throw new CiMediaError('NOT_AN_IMAGE', `The file is not an image (checked from its bytes)${where}`, {
      field,
    });
  }
  if (!allowed.includes(type.format)) {
    throw new CiMediaError(
      'FORMAT_NOT_ALLOWED',
      `Image format ${type.format} is not allowed here (allowed: ${allowed.join(', ')})${where}`,
      { field },
    );
  }
  return { type, head: headBytes, body: prepend(headBytes, source) };
}

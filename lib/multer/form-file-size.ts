import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';

/** The request chunk busboy is parsing, and its byte offset in the body. */
interface ParsePosition {
  chunk: Buffer;
  offset: number;
  next: number;
}

const positions = new WeakMap<IncomingMessage, ParsePosition>();

/**
 * multer's `streamHandler`: pipes the request into busboy as multer does, noting which chunk of the body busboy
 * is parsing and where it starts, so that {@link predictFileSize} can tell where a file's bytes begin.
 */
export function trackingStreamHandler(req: IncomingMessage, busboy: Writable): void {
  const at: ParsePosition = { chunk: Buffer.alloc(0), offset: 0, next: 0 };
  positions.set(req, at);
  const parse = busboy._write.bind(busboy);
  busboy._write = (chunk: Buffer, encoding, callback) => {
    at.chunk = chunk;
    at.offset = at.next;
    at.next += chunk.length;
    parse(chunk, encoding, callback);
  };
  req.pipe(busboy);
}

/**
 * The size of a form's file, predicted from the request's `Content-Length` as if the file were the last part of
 * the form (then only the closing delimiter `\r\n--<boundary>--\r\n` follows it): available once its first
 * bytes are in, `undefined` when it cannot be told (no `Content-Length`, or busboy handed over a copy of the
 * first bytes rather than a view of the request's chunk). A prediction is checked when the file ends: a form
 * with a part after the file, or a wrong `Content-Length`, fails and stores nothing.
 */
export function predictFileSize(req: IncomingMessage, file: Readable): () => number | undefined {
  const contentLength = Number(req.headers['content-length']);
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
  const at = positions.get(req);
  if (!at || !boundary || !Number.isSafeInteger(contentLength)) return () => undefined;
  const closing = `\r\n--${boundary[1] ?? boundary[2]}--\r\n`.length;
  let predicted: number | undefined;
  // busboy pushes the file's bytes as views of the chunk it is parsing: the first one's place in that chunk is
  // where the file begins in the body.
  const push = file.push.bind(file);
  file.push = (chunk: Buffer | null) => {
    file.push = push;
    const { chunk: parsing, offset } = at;
    const within = chunk && chunk.buffer === parsing.buffer ? chunk.byteOffset - parsing.byteOffset : -1;
    if (chunk && within >= 0 && within < parsing.length) {
      const size = contentLength - (offset + within) - closing;
      if (size > 0) predicted = size;
    }
    return push(chunk);
  };
  return () => predicted;
}

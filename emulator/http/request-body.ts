import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { cosErrors } from '../errors/cos-errors';
import { Crc64 } from '../util/crc64';

/** Bytes of an unread body the server reads and drops after an early answer before it closes the connection. */
export const DISCARD_LIMIT = 8 * 1024 * 1024;

/** What {@link receiveBody} read. */
export interface ReceivedBody {
  /** Bytes received. */
  size: number;
  /** Binary MD5 of the bytes. */
  md5: Buffer;
  /** CRC-64/XZ of the bytes, unsigned decimal (COS's `x-cos-hash-crc64ecma`). */
  crc64: string;
}

/**
 * The declared `Content-Length`, or `undefined` for a chunked body. A request with neither has an empty
 * body (HTTP/1.1), so it counts as 0.
 */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header !== undefined) return Number(header);
  return req.headers['transfer-encoding'] ? undefined : 0;
}

/** Decodes a `Content-MD5` header (base64 of 16 bytes); 400 `InvalidDigest` when malformed. */
export function parseContentMd5(header: string | undefined): Buffer | undefined {
  if (header === undefined) return undefined;
  const digest = Buffer.from(header, 'base64');
  if (digest.length !== 16 || digest.toString('base64') !== header.trim()) throw cosErrors.invalidDigest();
  return digest;
}

/**
 * Streams a request body into `sink`, hashing it (MD5, CRC-64) and counting bytes, with backpressure. Rejects
 * with 400 `EntityTooLarge` past `maxSize` (it stops reading then; the caller answers and the rest of the
 * body is discarded) and with 400 `IncompleteBody` when the client leaves before the declared length. On
 * rejection `sink` is destroyed; the caller discards what it staged.
 */
export function receiveBody(
  req: IncomingMessage,
  sink: Writable,
  maxSize: number,
  /** The CRC-64 the body's continues (an appendable object's); `crc64` is then that of both. */
  crcFrom?: string,
): Promise<ReceivedBody> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    const crc = new Crc64(crcFrom);
    let size = 0;
    let settled = false;
    let ended = false;

    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onRequestError);
      req.off('close', onRequestClose);
      sink.off('drain', onDrain);
      sink.off('error', onSinkError);
      sink.off('finish', onFinish);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      sink.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxSize) return fail(cosErrors.entityTooLarge(maxSize));
      hash.update(chunk);
      crc.update(chunk);
      if (!sink.write(chunk)) req.pause();
    };
    const onDrain = () => req.resume();
    const onEnd = () => {
      ended = true;
      if (!req.complete) return fail(cosErrors.incompleteBody());
      sink.end();
    };
    const onFinish = () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({ size, md5: hash.digest(), crc64: crc.value });
    };
    const onRequestError = (cause: Error) => {
      const error = cosErrors.incompleteBody();
      error.cause = cause;
      fail(error);
    };
    const onRequestClose = () => {
      if (!ended) fail(cosErrors.incompleteBody());
    };
    const onSinkError = (error: Error) => fail(error);

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onRequestError);
    req.on('close', onRequestClose);
    sink.on('drain', onDrain);
    sink.on('error', onSinkError);
    sink.on('finish', onFinish);
    req.resume();
  });
}

/** Reads a small body (an XML document) into memory; 400 `EntityTooLarge` past `maxSize`. */
export async function readSmallBody(req: IncomingMessage, maxSize: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await receiveBody(req, sink, maxSize);
  return Buffer.concat(chunks);
}

/**
 * Reads and drops what remains of a request body after an early answer, so the connection can serve the
 * next request; past {@link DISCARD_LIMIT} bytes it closes the connection once the answer is flushed.
 */
export function discardBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || req.destroyed) return;
  let seen = 0;
  let closing = false;
  const close = () => req.socket?.destroy();
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen <= DISCARD_LIMIT || closing) return;
    closing = true;
    req.pause();
    // Destroying the socket before the answer is flushed would lose the answer.
    if (res.writableFinished || res.destroyed) close();
    else res.once('close', close);
  });
  req.on('error', () => undefined);
  req.resume();
}

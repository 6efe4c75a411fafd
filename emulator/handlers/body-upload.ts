import { Writable } from 'node:stream';
import { cosErrors } from '../errors/cos-errors';
import { declaredLength, parseContentMd5, receiveBody } from '../http/request-body';
import { limitUpload } from '../http/traffic-limit';
import type { StagedBody } from '../storage/object-store';
import type { HandlerContext } from './handler.types';
import { checkTrafficLimit, header } from './handler.utils';
import { checkForbidOverwrite } from './forbid-overwrite';

/** The checks of an upload request that need no body: run them before anything is read. */
export interface UploadPreconditions {
  /** Declared `Content-Length`; `undefined` for a chunked body. */
  length: number | undefined;
  /** Decoded `Content-MD5`, when sent. */
  contentMd5: Buffer | undefined;
}

/**
 * Checks an upload's headers before its body: 411 `MissingContentLength` for a chunked body that carries
 * `Pic-Operations` (CI cannot read those, protocol.md 1.5), 400 `EntityTooLarge` for a declared length over
 * the limit (refused before reading), 400 `InvalidDigest` for a malformed `Content-MD5`.
 */
export function checkUploadHeaders(context: HandlerContext, maxSize: number): UploadPreconditions {
  const { req } = context.exchange;
  checkForbidOverwrite(context);
  const length = declaredLength(req);
  if (length === undefined && req.headers['pic-operations'] !== undefined) {
    throw cosErrors.missingContentLength(
      'A request carrying Pic-Operations must declare its Content-Length: CI does not read chunked bodies.',
    );
  }
  if (length !== undefined && length > maxSize) throw cosErrors.entityTooLarge(maxSize);
  return { length, contentMd5: parseContentMd5(header(req, 'content-md5')) };
}

/** A body received whole, staged, and checked against its `Content-MD5`. */
export interface ReceivedUpload {
  staged: StagedBody;
  size: number;
  /** Binary MD5 of the body. */
  md5: Buffer;
  /** CRC-64 of the body, unsigned decimal. */
  crc64: string;
}

/**
 * Streams the request body into the store's staging area (for an object, or for a part of `uploadId`); its
 * CRC-64 continues `crcFrom` when given.
 * Anything that goes wrong (client gone: `IncompleteBody`; too large; `BadDigest`) drops what was staged.
 */
export async function receiveUpload(
  context: HandlerContext,
  preconditions: UploadPreconditions,
  maxSize: number,
  uploadId?: string,
  crcFrom?: string,
): Promise<ReceivedUpload> {
  const { exchange, env, bucket } = context;
  const staged = await env.store.stageBody(bucket, uploadId);
  try {
    exchange.continueIfExpected();
    const limit = checkTrafficLimit(exchange.req, context.target.query);
    const body = await receiveBody(exchange.req, limitUpload(staged.sink, limit), maxSize, crcFrom);
    if (preconditions.contentMd5 && !preconditions.contentMd5.equals(body.md5)) throw cosErrors.badDigest();
    return { staged, size: body.size, md5: body.md5, crc64: body.crc64 };
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

/** A body received whole into memory and checked against its `Content-MD5`. */
export interface ReceivedUploadBytes {
  bytes: Buffer;
  /** Binary MD5 of the body. */
  md5: Buffer;
  /** CRC-64 of the body, unsigned decimal. */
  crc64: string;
}

/**
 * Receives the body of an upload that carries `Pic-Operations` into memory: CI processes it before anything is
 * stored, and the original is staged only once processing succeeded. Errors as {@link receiveUpload}.
 */
export async function receiveUploadInMemory(
  context: HandlerContext,
  preconditions: UploadPreconditions,
  maxSize: number,
): Promise<ReceivedUploadBytes> {
  const { exchange } = context;
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  exchange.continueIfExpected();
  const body = await receiveBody(exchange.req, sink, maxSize);
  if (preconditions.contentMd5 && !preconditions.contentMd5.equals(body.md5)) throw cosErrors.badDigest();
  return { bytes: Buffer.concat(chunks, body.size), md5: body.md5, crc64: body.crc64 };
}

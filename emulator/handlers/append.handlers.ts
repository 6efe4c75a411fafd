import { createHash } from 'node:crypto';
import { cosErrors } from '../errors/cos-errors';
import { CosHttpError } from '../errors/cos-http.error';
import { AppendRefusedError, type ObjectMeta } from '../storage/object-store';
import { checkUploadHeaders, receiveUpload } from './body-upload';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import {
  checkKey,
  contentTypeOf,
  crc64Headers,
  header,
  objectHeaders,
  quotedMd5,
  storedHeadersOf,
  unquote,
} from './handler.utils';

/** The header COS answers the next append's position in. */
const NEXT_POSITION = 'x-cos-next-append-position';

/** True when the object appended to is the one whose CRC-64 the body's continued (and that one had a CRC-64). */
function sameObject(previous: ObjectMeta | undefined, basis: ObjectMeta | undefined): boolean {
  if (!previous || !basis) return previous === basis;
  return previous.etag === basis.etag && previous.crc64 !== undefined && previous.crc64 === basis.crc64;
}

/** The `position` of an append: a non-negative integer, else 400 `InvalidArgument`. */
function positionOf(context: HandlerContext): number {
  const raw = context.target.query.get('position') ?? '';
  if (!/^\d+$/.test(raw))
    throw cosErrors.invalidArgument('APPEND Object needs position=<non-negative integer>.');
  return Number(raw);
}

/**
 * APPEND Object (`POST /<key>?append&position=N`): the body is added at the end of an appendable object (the
 * first append, at position 0, creates it with the request's type and headers). 409 `ObjectNotAppendable` for a
 * normal object, 409 `PositionNotEqualToLength` when `position` is not the object's length (both answer
 * `x-cos-next-append-position`), 400 `EntityTooLarge` past `maxObjectSize` in all. Appendable objects take no
 * part in versioning (COS's APPEND Object page): in a versioned bucket too, the object is the key's null version,
 * without a version id, replaced in place. `Pic-Operations` is refused (400 `InvalidArgument`) rather than ignored. Answer: 200 with
 * `x-cos-next-append-position` and the new ETag.
 */
async function appendObject(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, key } = context;
  const { req } = exchange;
  checkKey(key);
  const position = positionOf(context);
  if (header(req, 'pic-operations') !== undefined) {
    throw cosErrors.invalidArgument('APPEND Object does not run Pic-Operations.');
  }
  const preconditions = checkUploadHeaders(context, env.maxObjectSize - position);
  // The CRC-64 is computed on from the object's as the body arrives; it holds if the object is still that one.
  const basis = env.store.headObject(bucket, key);
  const body = await receiveUpload(
    context,
    preconditions,
    env.maxObjectSize - position,
    undefined,
    basis?.crc64,
  );
  let meta;
  try {
    meta = await env.store.appendObject(
      body.staged,
      {
        bucket,
        key,
        size: body.size,
        etag: quotedMd5(body.md5),
        crc64: body.crc64,
        contentType: contentTypeOf(req, key),
        headers: storedHeadersOf(req),
      },
      position,
      // The first append's ETag is its MD5; later ones chain the previous ETag with the new bytes' MD5, so the
      // ETag changes with every append without reading the object again.
      // The CRC-64 continues from the previous one over the new bytes (absent when the previous had none).
      (previous) => ({
        etag: previous
          ? quotedMd5(createHash('md5').update(unquote(previous.etag)).update(body.md5).digest())
          : quotedMd5(body.md5),
        crc64: sameObject(previous, basis) ? body.crc64 : undefined,
      }),
    );
  } catch (error) {
    if (!(error instanceof AppendRefusedError)) throw error;
    exchange.res.setHeader(NEXT_POSITION, String(error.length));
    throw error.reason === 'position'
      ? new CosHttpError(
          409,
          'PositionNotEqualToLength',
          `position must be the object's length, ${error.length}.`,
        )
      : new CosHttpError(
          409,
          'ObjectNotAppendable',
          'The object is not appendable: it was not made by APPEND Object.',
        );
  }
  const { ETag } = objectHeaders(meta);
  exchange.sendEmpty(200, { ETag, ...crc64Headers(meta), [NEXT_POSITION]: String(meta.size) });
}

/** Append route: AppendObject. */
export const appendRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'AppendObject',
    method: 'POST',
    scope: 'object',
    subresources: ['append'],
    handler: appendObject,
  },
];

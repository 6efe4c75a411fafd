import { CosHttpError } from '../errors/cos-http.error';
import type { HandlerContext } from './handler.types';

/**
 * `x-cos-forbid-overwrite: true` (PUT Object, Complete Multipart Upload): refuses to replace an existing object
 * with 409 `FileAlreadyExists`, before any byte is stored. The code follows COS's sibling APIs; the emulator
 * checks at the start of the request (a race with a concurrent writer is not modelled).
 */
export function checkForbidOverwrite(context: HandlerContext): void {
  const value = context.exchange.req.headers['x-cos-forbid-overwrite'];
  if (String(value).toLowerCase() !== 'true') return;
  if (context.env.store.headObject(context.bucket, context.key)) {
    throw new CosHttpError(
      409,
      'FileAlreadyExists',
      `${context.key} already exists and x-cos-forbid-overwrite is true.`,
    );
  }
}

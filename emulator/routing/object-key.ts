import { COS_MAX_KEY_BYTES } from '../../lib/core/pic-operations';
import { cosErrors } from '../errors/cos-errors';

/** Refuses a key longer than COS allows (400 `KeyTooLong`). */
export function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > COS_MAX_KEY_BYTES) throw cosErrors.keyTooLong(COS_MAX_KEY_BYTES);
}

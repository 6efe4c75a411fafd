import { randomUUID } from 'node:crypto';
import { CiValidationError } from '../../core/errors';
import type { CiKeyContext } from '../interfaces/ci-module-options.interface';

/** The default key: `<prefix>/<yyyy>/<mm>/<uuid>.<ext of the sniffed type>`; the client's name never enters it. */
export function defaultObjectKey(prefix: string, file: Pick<CiKeyContext, 'ext'>, now = new Date()): string {
  const yyyy = String(now.getUTCFullYear());
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `${prefix ? prefix + '/' : ''}${yyyy}/${mm}/${randomUUID()}.${file.ext}`;
}

/** Refuses a key a strategy returned that COS would misread (empty, leading `/`, `..`, control characters). */
export function checkObjectKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new CiValidationError('KEY_INVALID', 'The key strategy returned an empty key');
  }
  // eslint-disable-next-line no-control-regex
  if (
    key.startsWith('/') ||
    key.split('/').some((s) => s === '..' || s === '.') ||
    /[\u0000-\u001f\u007f]/.test(key)
  ) {
    throw new CiValidationError('KEY_INVALID', `The key strategy returned an unusable key "${key}"`);
  }
  if (Buffer.byteLength(key) > 850) {
    throw new CiValidationError('KEY_INVALID', 'The key strategy returned a key over 850 bytes');
  }
  return key;
}

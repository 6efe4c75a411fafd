import { randomUUID } from 'node:crypto';
import { CiValidationError } from '../core/errors';
import { validateFileId } from '../core/pic-operations';
import type { CiKeyContext } from './upload.options';

/** The default key: `<prefix>/<yyyy>/<mm>/<uuid>.<ext of the sniffed type>`; the client's name never enters it. */
export function defaultObjectKey(prefix: string, file: Pick<CiKeyContext, 'ext'>, now = new Date()): string {
  const yyyy = String(now.getUTCFullYear());
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `${prefix ? prefix + '/' : ''}${yyyy}/${mm}/${randomUUID()}.${file.ext}`;
}

/**
 * Refuses a key a strategy returned that COS would misread: the checks of a rule's `fileid` (empty, control
 * characters, `.`/`..`/empty segments, over 850 bytes), plus no leading `/`.
 */
export function checkObjectKey(key: unknown): string {
  try {
    if (typeof key === 'string' && key.startsWith('/')) throw new Error('starts with "/"');
    validateFileId(key, 'key');
  } catch (cause) {
    throw new CiValidationError(
      'KEY_INVALID',
      `The key strategy returned an unusable key: ${(cause as Error).message}`,
      {
        field: 'key',
        cause,
      },
    );
  }
  return key as string;
}

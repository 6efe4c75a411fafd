import { validateFileId } from './pic-operations.validator';

/**
 * Resolves a rule's `fileid` to the output object key as CI does: a `fileid` starting with `/` is absolute;
 * any other is relative to the directory of `sourceKey`. Returns the key without a leading slash.
 * Validates `fileid` (`CiValidationError` with a `FILEID_*` reason, field `fileid`).
 * @example resolveFileId('/p1/test1.jpg', 'p2/t.jpg') // 'p1/p2/t.jpg'
 * @example resolveFileId('p1/test1.jpg', '/out/t.jpg') // 'out/t.jpg'
 */
export function resolveFileId(sourceKey: string, fileid: string): string {
  validateFileId(fileid);
  if (fileid.startsWith('/')) return fileid.slice(1);
  const source = sourceKey.startsWith('/') ? sourceKey.slice(1) : sourceKey;
  return source.slice(0, source.lastIndexOf('/') + 1) + fileid;
}

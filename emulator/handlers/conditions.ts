import type { ObjectMeta } from '../storage/object-store';
import { unquote } from './handler.utils';

function etagMatches(list: string, etag: string): boolean {
  return list
    .split(',')
    .some((candidate) => candidate.trim() === '*' || unquote(candidate) === unquote(etag));
}

function notAfter(headerDate: string | undefined, modified: Date): boolean | undefined {
  if (!headerDate) return undefined;
  const since = Date.parse(headerDate);
  if (Number.isNaN(since)) return undefined;
  return Math.floor(modified.getTime() / 1000) <= Math.floor(since / 1000);
}

/**
 * Evaluates conditional headers (RFC 9110 13.2.2 order) against an object: 412, 304, or `undefined` when they
 * hold. `get(name)` reads `if-match`, `if-none-match`, `if-modified-since`, `if-unmodified-since` (a copy reads
 * them as `x-cos-copy-source-if-*`).
 */
export function evaluateConditions(
  get: (name: string) => string | undefined,
  meta: ObjectMeta,
): 304 | 412 | undefined {
  const ifMatch = get('if-match');
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, meta.etag)) return 412;
  } else if (notAfter(get('if-unmodified-since'), meta.lastModified) === false) {
    return 412;
  }
  const ifNoneMatch = get('if-none-match');
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, meta.etag)) return 304;
  } else if (notAfter(get('if-modified-since'), meta.lastModified) === true) {
    return 304;
  }
  return undefined;
}

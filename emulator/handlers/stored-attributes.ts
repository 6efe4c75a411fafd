import { cosErrors } from '../errors/cos-errors';
import type { StoredHeaders } from '../storage/object-store';

/** Canned ACLs COS accepts on a bucket (an object also takes `default`: the bucket's applies). */
export const CANNED_ACLS: ReadonlySet<string> = new Set(['private', 'public-read', 'public-read-write']);

/** The stored header holding an object's canned ACL (never answered as a header). */
export const OBJECT_ACL_HEADER = 'x-cos-acl';

/** The stored header holding an object's ACL grants as JSON, when set beyond a canned ACL (never answered). */
export const OBJECT_GRANTS_HEADER = 'x-cos-acl-grants';

/** Reads `x-cos-acl`; 400 `InvalidArgument` for a value COS does not know. `default` reads as `undefined`. */
export function cannedAclOf(value: string | undefined, allowDefault: boolean): string | undefined {
  if (value === undefined) return undefined;
  const acl = value.trim().toLowerCase();
  if (allowDefault && acl === 'default') return undefined;
  if (!CANNED_ACLS.has(acl))
    throw cosErrors.invalidArgument(
      `x-cos-acl must be one of private, public-read, public-read-write${allowDefault ? ', default' : ''}.`,
    );
  return acl;
}

/** The stored header holding an object's tags, as `x-cos-tagging` sends them (`k1=v1&k2=v2`, URL-encoded). */
export const OBJECT_TAGGING_HEADER = 'x-cos-tagging';

/** Most tags an object may carry (COS's limit). */
export const MAX_OBJECT_TAGS = 10;

/**
 * Longest tag key and value in UTF-8 bytes: COS's PUT Object tagging reference says a key is "shorter than 128
 * bytes" and a value "shorter than 256 bytes" (cloud.tencent.cn/document/product/436/42997).
 */
export const MAX_TAG_KEY_BYTES = 127;
export const MAX_TAG_VALUE_BYTES = 255;

/** Reads `x-cos-tagging: k1=v1&k2=v2`; 400 `InvalidTag` for tags past COS's limits ({@link checkTags}). */
export function parseTagging(value: string): Array<[string, string]> {
  const tags = [...new URLSearchParams(value).entries()];
  checkTags(tags);
  return tags;
}

/**
 * 400 `InvalidTag` past {@link MAX_OBJECT_TAGS} tags, for an empty key or a repeated one, a key past
 * {@link MAX_TAG_KEY_BYTES} or a value past {@link MAX_TAG_VALUE_BYTES}.
 */
export function checkTags(tags: ReadonlyArray<readonly [string, string]>): void {
  if (tags.length > MAX_OBJECT_TAGS) {
    throw cosErrors.invalidTag(`An object can carry at most ${MAX_OBJECT_TAGS} tags.`);
  }
  if (tags.some(([key]) => key === '')) throw cosErrors.invalidTag('A tag key must not be empty.');
  if (tags.some(([key]) => Buffer.byteLength(key) > MAX_TAG_KEY_BYTES)) {
    throw cosErrors.invalidTag(`A tag key can be at most ${MAX_TAG_KEY_BYTES} bytes.`);
  }
  if (tags.some(([, value]) => Buffer.byteLength(value) > MAX_TAG_VALUE_BYTES)) {
    throw cosErrors.invalidTag(`A tag value can be at most ${MAX_TAG_VALUE_BYTES} bytes.`);
  }
  if (new Set(tags.map(([key]) => key)).size !== tags.length)
    throw cosErrors.invalidTag('Tag keys must be unique.');
}

/** The tags stored with an object. */
export function storedTags(headers: StoredHeaders): Array<[string, string]> {
  const value = headers[OBJECT_TAGGING_HEADER];
  return value ? [...new URLSearchParams(value).entries()] : [];
}

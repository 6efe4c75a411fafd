import { CiValidationError } from '../errors';

/** Canned ACLs COS accepts on an object (`x-cos-acl`). */
export const CI_OBJECT_ACLS = ['default', 'private', 'public-read'] as const;
/** A canned object ACL: `default` inherits the bucket's. */
export type CiObjectAcl = (typeof CI_OBJECT_ACLS)[number];

/** Storage classes COS accepts on upload (`x-cos-storage-class`). */
export const CI_STORAGE_CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'INTELLIGENT_TIERING',
  'ARCHIVE',
  'DEEP_ARCHIVE',
  'MAZ_STANDARD',
  'MAZ_STANDARD_IA',
  'MAZ_INTELLIGENT_TIERING',
] as const;
/** A COS storage class. */
export type CiStorageClass = (typeof CI_STORAGE_CLASSES)[number];

/**
 * Headers stored with an uploaded object (COS XML API): what a route, the module or a `CiService.upload` call
 * may set. Everything is optional; nothing is sent for an absent field.
 *
 * @example
 * { cacheControl: 'public, max-age=31536000, immutable', metadata: { owner: '42' }, acl: 'public-read',
 *   tagging: { kind: 'avatar' } }
 */
export interface CiObjectHeaders {
  /** `Cache-Control` served with the object. */
  cacheControl?: string;
  /** `Content-Disposition` served with the object (ASCII; encode a UTF-8 file name as `filename*=UTF-8''...`). */
  contentDisposition?: string;
  /** `Content-Encoding` served with the object. */
  contentEncoding?: string;
  /** `Expires` served with the object (an HTTP date). */
  expires?: string;
  /** User metadata, sent as `x-cos-meta-<name>` (names: letters, digits, `-`, `_`; values: printable ASCII). */
  metadata?: Record<string, string>;
  /** Canned ACL (`x-cos-acl`). Default: the bucket's. */
  acl?: CiObjectAcl;
  /** Storage class (`x-cos-storage-class`). Default: the bucket's (`STANDARD`). */
  storageClass?: CiStorageClass;
  /** Object tags (`x-cos-tagging`), at most 10. */
  tagging?: Record<string, string>;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const META_NAME = /^[A-Za-z0-9_-]+$/;
// COS: at most 10 tags; keys up to 128 and values up to 256 characters.
const MAX_TAGS = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/**
 * Checks object headers and returns their wire form (lower-case header names); a bad value throws
 * `CiValidationError` (`OPTIONS_INVALID`) naming the field under `where`.
 *
 * @example
 * objectHeadersToWire({ cacheControl: 'no-cache', metadata: { owner: '42' } })
 * // { 'cache-control': 'no-cache', 'x-cos-meta-owner': '42' }
 */
export function objectHeadersToWire(
  headers: CiObjectHeaders | undefined,
  where = 'object',
): Record<string, string> {
  const wire: Record<string, string> = {};
  if (!headers) return wire;
  const fail = (field: string, message: string): never => {
    throw new CiValidationError('OPTIONS_INVALID', `${where}.${field} ${message}`, {
      field: `${where}.${field}`,
    });
  };
  const text = (field: keyof CiObjectHeaders, name: string) => {
    const value = headers[field];
    if (value === undefined) return;
    if (typeof value !== 'string' || !value.trim() || !PRINTABLE_ASCII.test(value)) {
      fail(field, 'must be a non-empty printable ASCII string');
    }
    wire[name] = value as string;
  };
  text('cacheControl', 'cache-control');
  text('contentDisposition', 'content-disposition');
  text('contentEncoding', 'content-encoding');
  text('expires', 'expires');
  for (const [name, value] of Object.entries(headers.metadata ?? {})) {
    if (!META_NAME.test(name)) fail(`metadata.${name}`, 'must be named with letters, digits, - and _ only');
    if (typeof value !== 'string' || !PRINTABLE_ASCII.test(value)) {
      fail(`metadata.${name}`, 'must be printable ASCII (encode other text, e.g. with encodeURIComponent)');
    }
    wire[`x-cos-meta-${name.toLowerCase()}`] = value;
  }
  if (headers.acl !== undefined) {
    if (!(CI_OBJECT_ACLS as readonly string[]).includes(headers.acl)) {
      fail('acl', `must be one of ${CI_OBJECT_ACLS.join(', ')}`);
    }
    wire['x-cos-acl'] = headers.acl;
  }
  if (headers.storageClass !== undefined) {
    if (!(CI_STORAGE_CLASSES as readonly string[]).includes(headers.storageClass)) {
      fail('storageClass', `must be one of ${CI_STORAGE_CLASSES.join(', ')}`);
    }
    wire['x-cos-storage-class'] = headers.storageClass;
  }
  if (headers.tagging !== undefined) {
    const tags = Object.entries(headers.tagging);
    if (tags.length > MAX_TAGS) fail('tagging', `may hold at most ${MAX_TAGS} tags`);
    for (const [key, value] of tags) {
      if (!key || key.length > MAX_TAG_KEY)
        fail(`tagging.${key}`, `key must be 1 to ${MAX_TAG_KEY} characters`);
      if (typeof value !== 'string' || value.length > MAX_TAG_VALUE) {
        fail(`tagging.${key}`, `value must be a string of at most ${MAX_TAG_VALUE} characters`);
      }
    }
    // Percent-encoded (a space is %20, never +), as COS decodes the header.
    if (tags.length) {
      wire['x-cos-tagging'] = tags
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join('&');
    }
  }
  return wire;
}

/** `base` overlaid by `over`, metadata and tags merged key by key (a route refines the module's defaults). */
export function mergeObjectHeaders(
  base: CiObjectHeaders | undefined,
  over: CiObjectHeaders | undefined,
): CiObjectHeaders | undefined {
  if (!base || !over) return over ?? base;
  const merged: CiObjectHeaders = { ...base, ...over };
  if (base.metadata || over.metadata) merged.metadata = { ...base.metadata, ...over.metadata };
  if (base.tagging || over.tagging) merged.tagging = { ...base.tagging, ...over.tagging };
  return merged;
}

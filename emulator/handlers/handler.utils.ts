import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { lookup as lookupMimeType } from 'mime-types';
import { cosErrors } from '../errors/cos-errors';
import {
  cannedAclOf,
  OBJECT_ACL_HEADER,
  OBJECT_GRANTS_HEADER,
  OBJECT_TAGGING_HEADER,
  parseTagging,
  storedTags,
} from './stored-attributes';
import type { PicOperationsServices } from '../processing/run-pic-operations';
import type { HandlerContext } from './handler.types';
import type { QueryParams } from '../routing/query-params';
import type { ObjectMeta, StoredHeaders } from '../storage/object-store';

/** Headers stored with an object and given back on GET/HEAD. */
const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
  'x-cos-storage-class',
  OBJECT_ACL_HEADER,
  OBJECT_TAGGING_HEADER,
];

/** Stored headers that are not answered as headers: the ACL (GET ?acl) and the tags (GET ?tagging). */
const UNANSWERED_HEADERS: ReadonlySet<string> = new Set([
  OBJECT_ACL_HEADER,
  OBJECT_GRANTS_HEADER,
  OBJECT_TAGGING_HEADER,
]);

/** The storage classes COS accepts in `x-cos-storage-class`. */
export const STORAGE_CLASSES: ReadonlySet<string> = new Set([
  'STANDARD',
  'STANDARD_IA',
  'ARCHIVE',
  'DEEP_ARCHIVE',
  'INTELLIGENT_TIERING',
  'MAZ_STANDARD',
  'MAZ_STANDARD_IA',
  'MAZ_INTELLIGENT_TIERING',
]);

/** A request header as one string, or `undefined`. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The `Content-Type` an object is stored with: the request's, else (absent or empty) the type of the key's
 * extension as COS infers it (`1.zip` `application/zip`, `1.txt` `text/plain`), else `application/octet-stream`.
 */
export function contentTypeOf(req: IncomingMessage, key: string): string {
  return header(req, 'content-type')?.trim() || lookupMimeType(key) || 'application/octet-stream';
}

/**
 * The headers of an upload request that are stored with the object (`Cache-Control`, `x-cos-meta-*`,
 * `x-cos-storage-class`, ...). An empty one (the SDK sends `Cache-Control: ` on every upload) is not stored, as
 * COS does not; an unknown storage class is 400 `InvalidStorageClass`.
 */
export function storedHeadersOf(req: IncomingMessage): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = (Array.isArray(value) ? value.join(', ') : value).trim();
    if (text === '') continue;
    if (STORED_HEADERS.includes(name) || name.startsWith('x-cos-meta-')) stored[name] = text;
  }
  const acl = cannedAclOf(stored[OBJECT_ACL_HEADER], true);
  if (acl === undefined) delete stored[OBJECT_ACL_HEADER];
  else stored[OBJECT_ACL_HEADER] = acl;
  const tagging = stored[OBJECT_TAGGING_HEADER];
  if (tagging !== undefined)
    stored[OBJECT_TAGGING_HEADER] = new URLSearchParams(parseTagging(tagging)).toString();
  const storageClass = stored['x-cos-storage-class']?.toUpperCase();
  if (storageClass !== undefined) {
    if (!STORAGE_CLASSES.has(storageClass)) throw cosErrors.invalidStorageClass(storageClass);
    if (storageClass === 'STANDARD') delete stored['x-cos-storage-class'];
    else stored['x-cos-storage-class'] = storageClass;
  }
  return stored;
}

/** The storage class of an object or upload: its stored `x-cos-storage-class`, else `STANDARD`. */
export function storageClassOf(item: { headers: StoredHeaders }): string {
  return item.headers['x-cos-storage-class'] ?? 'STANDARD';
}

/**
 * The headers that describe a stored object on GET and HEAD; `x-cos-storage-class` only for a class other than
 * STANDARD, as COS answers it.
 */
export function objectHeaders(meta: ObjectMeta): OutgoingHttpHeaders {
  const answered = Object.entries(meta.headers).filter(([name]) => !UNANSWERED_HEADERS.has(name));
  const tags = storedTags(meta.headers).length;
  return {
    ...Object.fromEntries(answered),
    ...(tags ? { 'x-cos-tagging-count': String(tags) } : {}),
    ...versionHeaders(meta),
    ...(meta.appendable ? { 'x-cos-object-type': 'appendable' } : {}),
    ...crc64Headers(meta),
    'Content-Type': meta.contentType,
    ETag: meta.etag,
    'Last-Modified': meta.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
}

/** `x-cos-version-id` of a version that has an id (none for the null version, as for an unversioned bucket). */
export function versionHeaders(meta: ObjectMeta): OutgoingHttpHeaders {
  return meta.versionId ? { 'x-cos-version-id': meta.versionId } : {};
}

/** `x-cos-hash-crc64ecma` of an object or part whose CRC-64 is known (COS omits it otherwise). */
export function crc64Headers(item: { crc64?: string }): OutgoingHttpHeaders {
  return item.crc64 === undefined ? {} : { 'x-cos-hash-crc64ecma': item.crc64 };
}

/** A quoted ETag from a binary MD5. */
export function quotedMd5(md5: Buffer): string {
  return `"${md5.toString('hex')}"`;
}

/** An ETag without quotes (and without a weak `W/` prefix). */
export function unquote(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

export { checkKey } from '../routing/object-key';

/** An integer query parameter within bounds (or clamped to `max`), or its default; else 400 `InvalidArgument`. */
export function integerParam(
  query: QueryParams,
  name: string,
  bounds: { min: number; max: number; fallback: number; clamp?: boolean },
): number {
  const raw = query.get(name);
  if (raw === undefined || raw === '') return bounds.fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < bounds.min || (value > bounds.max && !bounds.clamp)) {
    throw cosErrors.invalidArgument(`${name} must be an integer from ${bounds.min} to ${bounds.max}.`);
  }
  return Math.min(value, bounds.max);
}

/** Bounds of `x-cos-traffic-limit`, in bit/s (100 KB/s to 100 MB/s), as COS documents them. */
export const TRAFFIC_LIMIT_BOUNDS = { min: 819_200, max: 838_860_800 } as const;

/**
 * Reads `x-cos-traffic-limit` (header, or query parameter of a pre-signed URL): the limit in bit/s within COS's
 * bounds, `undefined` when absent, else 400 `InvalidArgument`. GET Object paces its body to it
 * (`http/traffic-limit.ts`).
 */
export function checkTrafficLimit(req: IncomingMessage, query: QueryParams): number | undefined {
  const value = header(req, 'x-cos-traffic-limit') ?? query.get('x-cos-traffic-limit');
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!/^\d+$/.test(value.trim()) || limit < TRAFFIC_LIMIT_BOUNDS.min || limit > TRAFFIC_LIMIT_BOUNDS.max) {
    throw cosErrors.invalidArgument(
      `x-cos-traffic-limit must be an integer from ${TRAFFIC_LIMIT_BOUNDS.min} to ${TRAFFIC_LIMIT_BOUNDS.max} (bit/s).`,
    );
  }
  return limit;
}

/** What the `Pic-Operations` sequence needs from a COS request: the processor, the store, the addressed host. */
export function picServices({ env, target }: HandlerContext): PicOperationsServices {
  return { processor: env.picProcessor, store: env.store, origin: target };
}

import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { cosErrors } from '../errors/cos-errors';
import type { QueryParams } from '../routing/query-params';
import type { ObjectMeta, StoredHeaders } from '../storage/object-store';

/** Longest object key COS accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 850;

/** Headers stored with an object and given back on GET/HEAD. */
const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];

/** A request header as one string, or `undefined`. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The `Content-Type` an object is stored with; COS defaults to `application/octet-stream`. */
export function contentTypeOf(req: IncomingMessage): string {
  return header(req, 'content-type') || 'application/octet-stream';
}

/** The headers of an upload request that are stored with the object (`Cache-Control`, `x-cos-meta-*`, ...). */
export function storedHeadersOf(req: IncomingMessage): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (STORED_HEADERS.includes(name) || name.startsWith('x-cos-meta-')) {
      stored[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return stored;
}

/** The headers that describe a stored object on GET and HEAD. */
export function objectHeaders(meta: ObjectMeta): OutgoingHttpHeaders {
  return {
    ...meta.headers,
    'Content-Type': meta.contentType,
    ETag: meta.etag,
    'Last-Modified': meta.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
    'x-cos-storage-class': 'STANDARD',
  };
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

/** Refuses a key longer than COS allows (400 `KeyTooLong`). */
export function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw cosErrors.keyTooLong(MAX_KEY_BYTES);
}

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

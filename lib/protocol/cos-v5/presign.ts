import { encodeProcessingQuery } from '../../core/rules/rule-query';
import { cosEncode, encodeKeyPath } from './encode';
import { signCosRequest } from './sign';

/** Inputs of {@link createPresignedQuery}. */
export interface PresignInput {
  /** SecretId (`q-ak`). */
  secretId: string;
  /** SecretKey; used only to derive the HMAC key, never returned. */
  secretKey: string;
  /** HTTP method the URL is for. Default `'GET'`. */
  method?: string;
  /** Decoded object path starting with `/` (`/photos/猫.jpg`), as signed. */
  pathname: string;
  /** Host the request will carry (`<bucket>.cos.<region>.myqcloud.com`); always signed, as the SDK does. */
  host: string;
  /**
   * The caller's own query parameters (`response-content-type`, ...): signed and appended to the query string.
   * `undefined` is a parameter with no value, sent bare (`?acl`); `''` is sent as `acl=`.
   */
  query?: Record<string, string | number | undefined>;
  /** Other headers the request will carry and that must be signed (any case); a `host` here is ignored. */
  headers?: Record<string, string | number>;
  /** Validity in seconds. Default 900. */
  expiresIn?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** STS session token; appended as `x-cos-security-token` (not signed, as the SDK does). */
  securityToken?: string;
  /**
   * A download-time processing rule (`imageMogr2/thumbnail/200x`, decoded): signed as a parameter without a value,
   * as the official SDK signs `Query: { '<rule>': '' }` (its `q-url-param-list` then carries the rule encoded twice),
   * and appended last, written as CI's documentation writes it.
   */
  processing?: string;
}

function withoutHost(headers: Record<string, string | number> | undefined): Record<string, string | number> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => k.toLowerCase() !== 'host'));
}

function encodePairs(query: Record<string, string | number | undefined> | undefined): string[] {
  return Object.entries(query ?? {}).map(([k, v]) =>
    v === undefined ? cosEncode(k) : `${cosEncode(k)}=${cosEncode(String(v))}`,
  );
}

/**
 * Returns the query string (no leading `?`) of a pre-signed COS v5 URL: the q-sign fields with `;` encoded as
 * `%3B`, then `x-cos-security-token` when given, then the caller's signed parameters.
 *
 * @example
 * createPresignedQuery({ secretId, secretKey, pathname: '/a.jpg', host: 'b-1250000000.cos.ap-guangzhou.myqcloud.com' })
 * // 'q-sign-algorithm=sha1&q-ak=AKID...&q-sign-time=1700000000%3B1700000900&...&q-signature=...'
 */
export function createPresignedQuery(input: PresignInput): string {
  const s = signCosRequest({
    secretId: input.secretId,
    secretKey: input.secretKey,
    method: input.method ?? 'GET',
    pathname: input.pathname,
    query: input.processing === undefined ? input.query : { ...input.query, [input.processing]: undefined },
    headers: { ...withoutHost(input.headers), host: input.host },
    expiresIn: input.expiresIn ?? 900,
    now: input.now,
  });
  const fields: [string, string][] = [
    ['q-sign-algorithm', 'sha1'],
    ['q-ak', input.secretId],
    ['q-sign-time', s.keyTime],
    ['q-key-time', s.keyTime],
    ['q-header-list', s.headerList],
    ['q-url-param-list', s.urlParamList],
    ['q-signature', s.signature],
  ];
  if (input.securityToken) fields.push(['x-cos-security-token', input.securityToken]);
  const processing = input.processing === undefined ? [] : [encodeProcessingQuery(input.processing)];
  return [...fields.map(([k, v]) => `${k}=${cosEncode(v)}`), ...encodePairs(input.query), ...processing].join(
    '&',
  );
}

/** Inputs of {@link createPresignedUrl}. */
export interface PresignedUrlInput extends Omit<PresignInput, 'pathname' | 'host'> {
  /** Scheme and authority the URL points at (`https://b-1250000000.cos.ap-guangzhou.myqcloud.com`). */
  origin: string;
  /** Host to sign when it is not the origin's (behind a proxy that rewrites Host). Default: the origin's host. */
  bucketHost?: string;
  /** Object key without a leading slash; encoded per segment in the URL, signed decoded. */
  key: string;
  /** Put the bucket in the path (`/<bucket>/<key>`) for an origin whose host names no bucket; still signs `/<key>`. */
  pathStyleBucket?: string;
  /** A style applied by separator: `<key><separator><name>` (`a.jpg!thumb`), separator written as is. */
  style?: { separator: string; name: string };
}

function objectPath(
  key: string,
  pathStyleBucket?: string,
  style?: { separator: string; name: string },
): string {
  const suffix = style ? style.separator + cosEncode(style.name) : '';
  return (pathStyleBucket ? '/' + cosEncode(pathStyleBucket) : '') + encodeKeyPath(key) + suffix;
}

/**
 * Returns a pre-signed COS v5 URL for one object (GET by default), valid `expiresIn` seconds.
 *
 * @example
 * createPresignedUrl({ origin: 'https://b-1250000000.cos.ap-guangzhou.myqcloud.com', key: '相册/猫.jpg', secretId, secretKey })
 */
export function createPresignedUrl(input: PresignedUrlInput): string {
  const { origin, bucketHost, key, pathStyleBucket, style, ...rest } = input;
  const base = new URL(origin);
  const path = objectPath(key, pathStyleBucket, style);
  const pathname = '/' + key + (style ? style.separator + style.name : '');
  const query = createPresignedQuery({ ...rest, pathname, host: bucketHost ?? base.host });
  return `${base.protocol}//${base.host}${path}?${query}`;
}

/** Inputs of {@link createObjectUrl}. */
export interface ObjectUrlInput {
  /** Scheme and authority (`https://b-1250000000.cos.ap-guangzhou.myqcloud.com`, a CDN domain). */
  origin: string;
  /** Object key without a leading slash; encoded per segment. */
  key: string;
  /** Put the bucket first in the path, for an origin whose host names no bucket. */
  pathStyleBucket?: string;
  /** A style applied by separator (`a.jpg!thumb`). */
  style?: { separator: string; name: string };
  /** A download-time processing rule, appended as the query. */
  processing?: string;
}

/**
 * A plain (unsigned) object URL, for public-read buckets and CDN domains, with an optional processing query.
 * @example createObjectUrl({ origin: 'https://cdn.example.com', key: 'a.jpg', processing: 'imageMogr2/thumbnail/200x' })
 * // 'https://cdn.example.com/a.jpg?imageMogr2/thumbnail/200x'
 */
export function createObjectUrl(input: ObjectUrlInput): string {
  const base = new URL(input.origin);
  const prefix = base.pathname.replace(/\/+$/, '');
  const path = prefix + objectPath(input.key, input.pathStyleBucket, input.style);
  const query = input.processing === undefined ? '' : '?' + encodeProcessingQuery(input.processing);
  return `${base.protocol}//${base.host}${path}${query}`;
}

import { createHash, createHmac } from 'node:crypto';
import { cosEncode } from './encode';

/** Inputs of {@link createCosAuthorization}. */
export interface CosSignInput {
  /** SecretId (`q-ak`). */
  secretId: string;
  /** SecretKey; used only to derive the HMAC key, never returned. */
  secretKey: string;
  /** HTTP method, any case. */
  method: string;
  /** Decoded object path starting with `/` (`/photos/猫.jpg`, not percent-encoded). */
  pathname: string;
  /** Query parameters to sign; `''` or `undefined` for a parameter with no value (`?image_process`). */
  query?: Record<string, string | number | undefined>;
  /** Headers to sign, any case. Every header given is signed. */
  headers?: Record<string, string | number | undefined>;
  /** `"start;end"` in Unix seconds. Default: `now - 1` to `now + expiresIn`. */
  keyTime?: string;
  /** Validity in seconds when `keyTime` is not given. Default 900. */
  expiresIn?: number;
  /** Clock in milliseconds, injectable for tests and clock-skew correction. Default `Date.now`. */
  now?: () => number;
}

/** The parts of a q-sign signature, for the `Authorization` header or a pre-signed query string. */
export interface CosSignature {
  keyTime: string;
  headerList: string;
  urlParamList: string;
  signature: string;
}

function canonical(entries: Record<string, string | number | undefined> | undefined): {
  list: string;
  line: string;
} {
  const pairs = Object.entries(entries ?? {}).map(
    ([k, v]) => [cosEncode(k).toLowerCase(), cosEncode(v === undefined ? '' : String(v))] as const,
  );
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { list: pairs.map(([k]) => k).join(';'), line: pairs.map(([k, v]) => `${k}=${v}`).join('&') };
}

/** Computes the q-sign signature parts of COS v5 (https://cloud.tencent.com/document/product/436/7778). */
export function signCosRequest(input: CosSignInput): CosSignature {
  const now = Math.floor((input.now ?? Date.now)() / 1000) - 1;
  const keyTime = input.keyTime ?? `${now};${now + (input.expiresIn ?? 900)}`;
  const signKey = createHmac('sha1', input.secretKey).update(keyTime).digest('hex');
  const params = canonical(input.query);
  const headers = canonical(input.headers);
  const httpString = [input.method.toLowerCase(), input.pathname, params.line, headers.line, ''].join('\n');
  const stringToSign = [
    'sha1',
    keyTime,
    createHash('sha1').update(httpString, 'utf8').digest('hex'),
    '',
  ].join('\n');
  const signature = createHmac('sha1', signKey).update(stringToSign).digest('hex');
  return { keyTime, headerList: headers.list, urlParamList: params.list, signature };
}

/**
 * Returns the `Authorization` header value (q-sign) for a COS v5 request.
 *
 * @example
 * createCosAuthorization({ secretId, secretKey, method: 'PUT', pathname: '/a.jpg', headers: { host } })
 */
export function createCosAuthorization(input: CosSignInput): string {
  const s = signCosRequest(input);
  return formatAuthorization(input.secretId, s);
}

/** Formats signature parts as the `Authorization` value. */
export function formatAuthorization(secretId: string, s: CosSignature): string {
  return [
    'q-sign-algorithm=sha1',
    `q-ak=${secretId}`,
    `q-sign-time=${s.keyTime}`,
    `q-key-time=${s.keyTime}`,
    `q-header-list=${s.headerList}`,
    `q-url-param-list=${s.urlParamList}`,
    `q-signature=${s.signature}`,
  ].join('&');
}

/** Parsed fields of a q-sign `Authorization` value or pre-signed query. */
export interface ParsedCosAuthorization {
  algorithm: string;
  secretId: string;
  signTime: string;
  keyTime: string;
  headerList: string[];
  urlParamList: string[];
  signature: string;
}

function decodeOrKeep(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Parses a q-sign `Authorization` value; `undefined` when a field is missing. The header and parameter lists are
 * split at `;` before their entries are decoded (an entry is an encoded name, which may hold `%3b`), so they hold
 * the decoded, lower-case names.
 */
export function parseCosAuthorization(value: string): ParsedCosAuthorization | undefined {
  const raw = new Map<string, string>();
  for (const part of value.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) raw.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const get = (k: string) => {
    const field = raw.get(k);
    return field === undefined ? undefined : decodeOrKeep(field);
  };
  const algorithm = get('q-sign-algorithm');
  const secretId = get('q-ak');
  const signTime = get('q-sign-time');
  const keyTime = get('q-key-time');
  const signature = get('q-signature');
  if (!algorithm || !secretId || !signTime || !keyTime || !signature) return undefined;
  const list = (k: string) => (raw.get(k) ?? '').split(';').filter(Boolean).map(decodeOrKeep);
  return {
    algorithm,
    secretId,
    signTime,
    keyTime,
    headerList: list('q-header-list'),
    urlParamList: list('q-url-param-list'),
    signature,
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { cosEncode } from '../../lib/protocol/cos-v5/encode';
import {
  type ParsedCosAuthorization,
  parseCosAuthorization,
  signCosRequest,
} from '../../lib/protocol/cos-v5/sign';
import { cosErrors } from '../errors/cos-errors';
import type { QueryParams } from '../routing/query-params';
import type { CosCredential } from './cos-credential';
import { parseV4Sign, verifyV4Sign } from './verify-v4-sign';

export type { CosCredential } from './cos-credential';

/** The parts of a request a q-sign signature covers. */
export interface SignedRequest {
  method: string;
  /** Decoded pathnames the signature may be computed over (see `CosTarget.signingPathnames`). */
  pathnames: readonly string[];
  query: QueryParams;
  headers: IncomingHttpHeaders;
  /** Current time in milliseconds. */
  now: number;
  /** The bucket (`name-appid`) and decoded key addressed, which a v4 `?sign=` names. */
  bucket?: string;
  key?: string;
}

const SIGNATURE_QUERY_FIELDS = [
  'q-sign-algorithm',
  'q-ak',
  'q-sign-time',
  'q-key-time',
  'q-header-list',
  'q-url-param-list',
  'q-signature',
] as const;

/** True when the request is signed: a q-sign (header, `?sign=`, `q-*` query fields) or a v4 `?sign=`. */
export function isCosSigned(headers: IncomingHttpHeaders, query: QueryParams): boolean {
  if (extractCosSignature(headers, query)) return true;
  return !headers.authorization && parseV4Sign(query.get('sign') ?? '') !== undefined;
}

/**
 * The signature of a request: the `Authorization` header, else a pre-signed URL's `?sign=<Authorization>` or its
 * `?q-sign-algorithm=sha1&q-ak=...` parameters. `undefined` when there is none; 403 `AccessDenied` when it is malformed.
 */
export function extractCosSignature(
  headers: IncomingHttpHeaders,
  query: QueryParams,
): ParsedCosAuthorization | undefined {
  let raw = headers.authorization;
  // `?sign=<url-encoded Authorization>`: the form the SDK's getObjectUrl builds (decoded already). A v4 `sign`
  // is not a q-sign: verifyCosSignature checks it (verify-v4-sign.ts).
  if (!raw && query.has('sign')) {
    raw = query.get('sign');
    if (raw && parseV4Sign(raw)) return undefined;
  }
  if (!raw && query.has('q-signature')) {
    // Decoded once, each value is what the Authorization header would hold (the SDK encodes the fields again in
    // the URL): list entries are encoded names, which the header parser splits at `;` and then decodes.
    raw = SIGNATURE_QUERY_FIELDS.map((name) => `${name}=${query.get(name) ?? ''}`).join('&');
  }
  if (!raw) return undefined;
  let parsed: ParsedCosAuthorization | undefined;
  try {
    parsed = parseCosAuthorization(raw.trim());
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    throw cosErrors.accessDenied(
      'The signature is malformed: it needs q-sign-algorithm, q-ak, q-sign-time, q-key-time and q-signature.',
    );
  }
  return parsed;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function parseWindow(value: string): [number, number] | undefined {
  const match = /^(\d+);(\d+)$/.exec(value);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase());
  const right = Buffer.from(b.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Verifies a q-sign signature by recomputing it with the SecretKey of its `q-ak`, over the header and
 * parameter lists the client declared (header values from the request, parameter values from the query).
 * Returns the credential that signed; throws the 403 COS answers otherwise:
 * none: `AccessDenied`; unknown SecretId: `InvalidAccessKeyId`; missing or wrong STS token:
 * `InvalidAccessKeyId` / `AccessDenied`; outside `q-sign-time`: `AccessDenied` "Request has expired";
 * `Pic-Operations` sent but not signed: `AccessDenied`; anything else: `SignatureDoesNotMatch`.
 */
export function verifyCosSignature(
  request: SignedRequest,
  credentials: ReadonlyMap<string, CosCredential>,
): CosCredential {
  const v4 = request.headers.authorization ? undefined : parseV4Sign(request.query.get('sign') ?? '');
  if (v4) {
    return verifyV4Sign(
      v4,
      { bucket: request.bucket ?? '', key: request.key ?? '', now: request.now },
      credentials,
    );
  }
  const signature = extractCosSignature(request.headers, request.query);
  if (!signature) {
    throw cosErrors.accessDenied(
      'Access Denied: the request is not signed (no Authorization header and no q-signature in the query).',
    );
  }
  if (signature.algorithm.toLowerCase() !== 'sha1') {
    throw cosErrors.accessDenied(`q-sign-algorithm must be sha1, not "${signature.algorithm}".`);
  }
  const credential = credentials.get(signature.secretId);
  if (!credential) throw cosErrors.invalidAccessKeyId();

  if (credential.securityToken !== undefined) {
    const token =
      headerValue(request.headers, 'x-cos-security-token') ||
      headerValue(request.headers, 'x-ci-security-token') ||
      request.query.get('x-cos-security-token');
    if (!token) {
      throw cosErrors.invalidAccessKeyId(
        'The SecretId is a temporary key: the request must carry its x-cos-security-token.',
      );
    }
    if (token !== credential.securityToken) {
      throw cosErrors.accessDenied('The x-cos-security-token does not belong to this temporary SecretId.');
    }
  }

  const signTime = parseWindow(signature.signTime);
  const keyTime = parseWindow(signature.keyTime);
  if (!signTime || !keyTime) {
    throw cosErrors.accessDenied('q-sign-time and q-key-time must be "<start>;<end>" in Unix seconds.');
  }
  const nowSeconds = Math.floor(request.now / 1000);
  for (const [start, end] of [signTime, keyTime]) {
    if (nowSeconds < start || nowSeconds > end) throw cosErrors.requestExpired();
  }

  if (request.headers['pic-operations'] !== undefined && !signature.headerList.includes('pic-operations')) {
    throw cosErrors.accessDenied(
      'The Pic-Operations header must be signed: add pic-operations to q-header-list.',
    );
  }

  const headers: Record<string, string> = {};
  for (const name of signature.headerList) headers[name] = headerValue(request.headers, name.toLowerCase());
  const query: Record<string, string> = {};
  for (const listed of signature.urlParamList) {
    // Listed names are lower case (the SDK lowers the encoded name): compare in that form.
    const signedAs = cosEncode(listed).toLowerCase();
    const entry = request.query.entries.find(([name]) => cosEncode(name).toLowerCase() === signedAs);
    if (entry) query[entry[0]] = entry[1];
    else query[listed] = '';
  }

  for (const pathname of request.pathnames) {
    const expected = signCosRequest({
      secretId: credential.secretId,
      secretKey: credential.secretKey,
      method: request.method,
      pathname,
      query,
      headers,
      keyTime: signature.keyTime,
    });
    if (sameHex(expected.signature, signature.signature)) return credential;
  }
  throw cosErrors.signatureDoesNotMatch();
}

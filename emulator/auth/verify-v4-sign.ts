import { createHmac, timingSafeEqual } from 'node:crypto';
import { cosErrors } from '../errors/cos-errors';
import type { CosCredential } from './cos-credential';

/**
 * The fields of a COS v4 signature (the JSON API's, which the XML API still accepts as `?sign=`): the SDK's
 * `getV4Auth` (cos-nodejs-sdk-v5 `sdk/util.js`) builds `base64(HMAC-SHA1(SecretKey, plain) ‖ plain)` with
 * `plain = a=<appid>&b=<bucket>&k=<SecretId>&t=<now>&e=<expiry>&r=<random>&f=/<appid>/<bucket>/<encoded key>`.
 */
interface V4Sign {
  mac: Buffer;
  plain: string;
  fields: URLSearchParams;
}

/** The v4 signature a `sign` value holds, or `undefined` when it is not one (a q-sign value, say). */
export function parseV4Sign(value: string): V4Sign | undefined {
  if (value.startsWith('q-sign-algorithm') || !/^[A-Za-z0-9+/]+=*$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length <= 20) return undefined;
  const plain = bytes.subarray(20).toString('utf8');
  if (!/^a=[^&]*&b=/.test(plain)) return undefined;
  return { mac: bytes.subarray(0, 20), plain, fields: new URLSearchParams(plain) };
}

/** Where a v4 signature is checked: the bucket (`name-appid`) and the decoded key the request addresses. */
export interface V4SignedRequest {
  bucket: string;
  key: string;
  /** Current time in milliseconds. */
  now: number;
}

/**
 * Verifies a v4 signature: its SecretId (`k`) must be one of the emulator's, the HMAC must hold, `e` must not be
 * past, and `a`/`b` must name the bucket addressed and `f` (when not empty) the object. Returns the credential;
 * throws the same 403s as a q-sign check (`InvalidAccessKeyId`, `AccessDenied` "Request has expired",
 * `SignatureDoesNotMatch`).
 */
export function verifyV4Sign(
  sign: V4Sign,
  request: V4SignedRequest,
  credentials: ReadonlyMap<string, CosCredential>,
): CosCredential {
  const get = (name: string) => sign.fields.get(name) ?? '';
  const credential = credentials.get(get('k'));
  if (!credential) throw cosErrors.invalidAccessKeyId();
  const expected = createHmac('sha1', credential.secretKey).update(sign.plain).digest();
  if (expected.length !== sign.mac.length || !timingSafeEqual(expected, sign.mac)) {
    throw cosErrors.signatureDoesNotMatch();
  }
  const expiry = Number(get('e'));
  if (expiry > 0 && Math.floor(request.now / 1000) > expiry) throw cosErrors.requestExpired();
  const appId = request.bucket.slice(request.bucket.lastIndexOf('-') + 1);
  const shortName = request.bucket.slice(0, request.bucket.lastIndexOf('-'));
  if (get('a') !== appId || get('b') !== shortName) throw cosErrors.signatureDoesNotMatch();
  const file = get('f');
  if (file && decodeURIComponent(file) !== `/${appId}/${shortName}/${request.key}`) {
    throw cosErrors.signatureDoesNotMatch();
  }
  return credential;
}

import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { CiValidationError } from '../../core/errors';

/** Inputs of {@link createFilesV2Signature}. */
export interface FilesV2SignInput {
  /** APPID (`a`). */
  appId: string;
  /** Short bucket name, without `-<appid>` (`b`). */
  bucket: string;
  /** SecretId (`k`). */
  secretId: string;
  /** SecretKey: the HMAC key, never part of the result. */
  secretKey: string;
  /** Absolute expiry in Unix seconds (`e`); `0` makes a single-use signature (then `fileId` is required). */
  expiresAt: number;
  /** Clock in milliseconds for `t`. Default `Date.now`. */
  now?: () => number;
  /** Random decimal of up to 10 digits (`r`). Default: a fresh random one. */
  nonce?: number | string;
  /** `f`, verbatim (`/<appid>/<bucket>/<encoded key>`, see `filesV2FileId`). Default `''`: multi-use for the bucket. */
  fileId?: string;
}

/** The fields of a files-v2 (v4 "multi-effect") signature. */
export interface FilesV2SignatureFields {
  /** APPID. */
  appId: string;
  /** Short bucket name. */
  bucket: string;
  /** SecretId. */
  secretId: string;
  /** Absolute expiry in Unix seconds; 0 for single-use. */
  expiresAt: number;
  /** Signing time in Unix seconds. */
  signedAt: number;
  /** The nonce, as sent. */
  nonce: string;
  /** `f`, as sent (`''` when absent). */
  fileId: string;
}

/** A parsed signature: its fields, the exact signed text and the 20-byte MAC. */
export interface ParsedFilesV2Signature extends FilesV2SignatureFields {
  /** The signed plain text exactly as it was in the signature (field order varies between SDKs). */
  plain: string;
  /** HMAC-SHA1 of `plain`, raw bytes. */
  mac: Buffer;
}

const MAC_LENGTH = 20;

/**
 * Returns the files-v2 multi-effect signature `base64(HMAC-SHA1(secretKey, plain) ++ plain)` with
 * `plain = a=<appid>&b=<bucket>&k=<secretId>&e=<expiresAt>&t=<now>&r=<nonce>&f=<fileId>` (protocol.md section 4).
 *
 * @example
 * createFilesV2Signature({ appId: '1250000000', bucket: 'examplebucket', secretId, secretKey, expiresAt: now + 900 })
 */
export function createFilesV2Signature(input: FilesV2SignInput): string {
  // An '&' would make the plain text ambiguous: the server (and parseFilesV2Signature) split on it.
  for (const field of ['appId', 'bucket', 'secretId', 'fileId'] as const) {
    if (input[field]?.includes('&')) {
      const message = `files-v2 signature field ${field} must not contain '&'`;
      throw new CiValidationError('OPTIONS_INVALID', message, { field });
    }
  }
  if (input.nonce !== undefined && !/^\d{1,10}$/.test(String(input.nonce))) {
    const message = 'files-v2 signature nonce must be a decimal of up to 10 digits';
    throw new CiValidationError('OPTIONS_INVALID', message, { field: 'nonce' });
  }
  const t = Math.floor((input.now ?? Date.now)() / 1000);
  const r = input.nonce ?? randomInt(1, 2 ** 32);
  const plain = `a=${input.appId}&b=${input.bucket}&k=${input.secretId}&e=${input.expiresAt}&t=${t}&r=${r}&f=${input.fileId ?? ''}`;
  const mac = createHmac('sha1', input.secretKey).update(plain, 'utf8').digest();
  return Buffer.concat([mac, Buffer.from(plain, 'utf8')]).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const INTEGER = /^\d{1,12}$/;

/**
 * Parses a files-v2 signature in any field order (PHP/node `a,b,k,e,t,r,f`, node v5 `a,b,k,t,e,r,f`,
 * Java/Python `a,k,e,t,r,f,b`); `undefined` when it is not one (bad base64, too short, a field missing).
 */
export function parseFilesV2Signature(sign: string): ParsedFilesV2Signature | undefined {
  return decode(sign)?.parsed;
}

function decode(sign: string): { parsed: ParsedFilesV2Signature; plainBytes: Buffer } | undefined {
  const trimmed = sign.trim();
  if (!BASE64.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.length <= MAC_LENGTH) return undefined;
  const plainBytes = bytes.subarray(MAC_LENGTH);
  const plain = plainBytes.toString('utf8');
  const fields = new Map<string, string>();
  for (const part of plain.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const name = part.slice(0, eq);
    if (fields.has(name)) return undefined;
    fields.set(name, part.slice(eq + 1));
  }
  const [a, b, k, e, t, r] = ['a', 'b', 'k', 'e', 't', 'r'].map((n) => fields.get(n));
  if (!a || !b || !k || e === undefined || t === undefined || r === undefined) return undefined;
  if (!INTEGER.test(e) || !INTEGER.test(t)) return undefined;
  const parsed: ParsedFilesV2Signature = {
    appId: a,
    bucket: b,
    secretId: k,
    expiresAt: Number(e),
    signedAt: Number(t),
    nonce: r,
    fileId: fields.get('f') ?? '',
    plain,
    mac: Buffer.from(bytes.subarray(0, MAC_LENGTH)),
  };
  return { parsed, plainBytes };
}

/** Why {@link verifyFilesV2Signature} refused a signature. */
export type FilesV2SignatureFailure =
  | 'MALFORMED'
  | 'UNKNOWN_SECRET_ID'
  | 'SIGNATURE_MISMATCH'
  | 'EXPIRED'
  | 'SINGLE_USE_WITHOUT_FILEID'
  | 'APPID_MISMATCH'
  | 'BUCKET_MISMATCH'
  | 'FILEID_MISMATCH';

/** Result of {@link verifyFilesV2Signature}. */
export type FilesV2SignatureVerdict =
  | { ok: true; fields: FilesV2SignatureFields; singleUse: boolean }
  | { ok: false; reason: FilesV2SignatureFailure };

/** Options of {@link verifyFilesV2Signature}. */
export interface FilesV2VerifyOptions {
  /** The SecretKey of a SecretId, or `undefined` when the id is unknown. */
  secretKeyFor: (secretId: string) => string | undefined;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** What the request addresses; each given value must match the signature (`f` only when it is set). */
  expected?: { appId?: string; bucket?: string; fileId?: string };
}

/**
 * Checks a files-v2 signature as the server does: the MAC (constant-time), then expiry (`e` in the past is
 * expired; `e = 0` is single-use and needs `f`), then the optional expected APPID, bucket and file id.
 * Never throws; never reveals the key.
 */
export function verifyFilesV2Signature(sign: string, options: FilesV2VerifyOptions): FilesV2SignatureVerdict {
  const decoded = decode(sign);
  if (!decoded) return { ok: false, reason: 'MALFORMED' };
  const { parsed, plainBytes } = decoded;
  const secretKey = options.secretKeyFor(parsed.secretId);
  if (secretKey === undefined) return { ok: false, reason: 'UNKNOWN_SECRET_ID' };
  // The MAC covers the bytes as sent, not a re-encoding of the decoded text.
  const mac = createHmac('sha1', secretKey).update(plainBytes).digest();
  if (!timingSafeEqual(mac, parsed.mac)) return { ok: false, reason: 'SIGNATURE_MISMATCH' };
  const singleUse = parsed.expiresAt === 0;
  if (singleUse && !parsed.fileId) return { ok: false, reason: 'SINGLE_USE_WITHOUT_FILEID' };
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  if (!singleUse && parsed.expiresAt <= now) return { ok: false, reason: 'EXPIRED' };
  const expected = options.expected ?? {};
  if (expected.appId !== undefined && expected.appId !== parsed.appId) {
    return { ok: false, reason: 'APPID_MISMATCH' };
  }
  if (expected.bucket !== undefined && expected.bucket !== parsed.bucket) {
    return { ok: false, reason: 'BUCKET_MISMATCH' };
  }
  if (expected.fileId !== undefined && parsed.fileId && expected.fileId !== parsed.fileId) {
    return { ok: false, reason: 'FILEID_MISMATCH' };
  }
  const { plain: _plain, mac: _mac, ...fields } = parsed;
  return { ok: true, fields, singleUse };
}

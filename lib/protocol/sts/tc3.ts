import { createHash, createHmac } from 'node:crypto';

/** Inputs of {@link signTc3Request}: one Tencent Cloud API 3.0 POST with a JSON body. */
export interface Tc3SignInput {
  /** SecretId. */
  secretId: string;
  /** SecretKey; only the HMAC key chain is derived from it, never returned. */
  secretKey: string;
  /** Service name, the first label of the API host (`sts`, `cvm`). */
  service: string;
  /** Host the request goes to (`sts.tencentcloudapi.com`). */
  host: string;
  /** `X-TC-Timestamp`, Unix seconds. */
  timestamp: number;
  /** The exact body bytes sent. */
  payload: string;
  /** `Content-Type` sent and signed. Default `application/json; charset=utf-8`. */
  contentType?: string;
}

/** The parts of a TC3 signature. */
export interface Tc3Signature {
  /** `<yyyy-mm-dd>/<service>/tc3_request`, the date in UTC. */
  credentialScope: string;
  /** Hex SHA-256 of the canonical request. */
  hashedCanonicalRequest: string;
  /** Hex signature. */
  signature: string;
  /** The whole `Authorization` value. */
  authorization: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

/**
 * TC3-HMAC-SHA256 over a POST to `/` with no query, signing `content-type` and `host` (Tencent Cloud API 3.0,
 * "Signature v3": https://www.tencentcloud.com/document/api/213/30654).
 *
 * @example
 * signTc3Request({ secretId, secretKey, service: 'sts', host: 'sts.tencentcloudapi.com', timestamp, payload })
 *   .authorization // 'TC3-HMAC-SHA256 Credential=AKID.../2026-01-01/sts/tc3_request, SignedHeaders=content-type;host, Signature=...'
 */
export function signTc3Request(input: Tc3SignInput): Tc3Signature {
  const contentType = input.contentType ?? 'application/json; charset=utf-8';
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${contentType.toLowerCase()}\nhost:${input.host.toLowerCase()}\n`,
    signedHeaders,
    sha256(input.payload),
  ].join('\n');
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const hashedCanonicalRequest = sha256(canonicalRequest);
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(input.timestamp),
    credentialScope,
    hashedCanonicalRequest,
  ].join('\n');
  const signing = hmac(hmac(hmac('TC3' + input.secretKey, date), input.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(stringToSign, 'utf8').digest('hex');
  return {
    credentialScope,
    hashedCanonicalRequest,
    signature,
    authorization:
      `TC3-HMAC-SHA256 Credential=${input.secretId}/${credentialScope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** The fields of a TC3 `Authorization` value. */
export interface ParsedTc3Authorization {
  secretId: string;
  /** `yyyy-mm-dd`. */
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=..., Signature=...`. */
export function parseTc3Authorization(value: string): ParsedTc3Authorization | undefined {
  const match =
    /^TC3-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      value.trim(),
    );
  if (!match) return undefined;
  return {
    secretId: match[1]!,
    date: match[2]!,
    service: match[3]!,
    signedHeaders: match[4]!.split(';'),
    signature: match[5]!,
  };
}

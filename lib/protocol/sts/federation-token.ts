import { signTc3Request } from './tc3';

/** The STS API version `GetFederationToken` belongs to (https://cloud.tencent.com/document/product/1312/48195). */
export const STS_API_VERSION = '2018-08-13';

/** The STS API host. */
export const STS_DEFAULT_HOST = 'sts.tencentcloudapi.com';

/** One statement of a CAM policy (https://cloud.tencent.com/document/product/598/10603). */
export interface CamPolicyStatement {
  effect: 'allow' | 'deny';
  /** `name/cos:PutObject`, ... */
  action: string[];
  /** `qcs::cos:<region>:uid/<appid>:<bucket>/<prefix>*`, ... */
  resource: string[];
}

/** A CAM policy document, version 2.0. */
export interface CamPolicy {
  version: '2.0';
  statement: CamPolicyStatement[];
}

/** Inputs of {@link cosPrefixPolicy}. */
export interface CosPrefixPolicyInput {
  region: string;
  /** Bucket as `<name>-<appid>`. */
  bucket: string;
  /** Key prefix the keys may touch (`uploads/user-42/`); `''` allows the whole bucket. */
  prefix: string;
  /** COS actions without the `name/cos:` namespace (`PutObject`, `PostObject`, `InitiateMultipartUpload`, ...). */
  actions: readonly string[];
}

/**
 * A policy allowing `actions` on the objects under one prefix of one bucket, the resource written as COS's
 * temporary-key practice writes it: `qcs::cos:<region>:uid/<appid>:<bucket>/<prefix>*`
 * (https://cloud.tencent.com/document/product/436/31923).
 */
export function cosPrefixPolicy(input: CosPrefixPolicyInput): CamPolicy {
  const appId = /-(\d+)$/.exec(input.bucket)?.[1] ?? '';
  return {
    version: '2.0',
    statement: [
      {
        effect: 'allow',
        action: input.actions.map((a) => `name/cos:${a}`),
        resource: [`qcs::cos:${input.region}:uid/${appId}:${input.bucket}/${input.prefix}*`],
      },
    ],
  };
}

/** Inputs of {@link getFederationTokenRequest}. */
export interface FederationTokenRequestInput {
  secretId: string;
  secretKey: string;
  /** `X-TC-Region`. */
  region: string;
  /** Federated user name (`Name`). */
  name: string;
  policy: CamPolicy;
  /** `DurationSeconds` (STS: up to 7200 for a main account's key). */
  durationSeconds: number;
  /** Unix seconds. */
  timestamp: number;
  /** Default {@link STS_DEFAULT_HOST}. */
  host?: string;
}

/** A signed STS request: POST `/` with these headers and this JSON body. */
export interface StsRequest {
  headers: Record<string, string>;
  body: string;
}

/**
 * A signed `GetFederationToken` request. The `Policy` parameter is the policy JSON URL-encoded, as the API doc asks
 * and the official STS SDK sends it (`qcloud-cos-sts-sdk:nodejs/sdk/sts.js`, `Policy: encodeURIComponent(...)`).
 */
export function getFederationTokenRequest(input: FederationTokenRequestInput): StsRequest {
  const host = input.host ?? STS_DEFAULT_HOST;
  const body = JSON.stringify({
    Name: input.name,
    Policy: encodeURIComponent(JSON.stringify(input.policy)),
    DurationSeconds: input.durationSeconds,
  });
  const contentType = 'application/json; charset=utf-8';
  const { authorization } = signTc3Request({
    secretId: input.secretId,
    secretKey: input.secretKey,
    service: 'sts',
    host,
    timestamp: input.timestamp,
    payload: body,
    contentType,
  });
  return {
    body,
    headers: {
      authorization,
      'content-type': contentType,
      host,
      'x-tc-action': 'GetFederationToken',
      'x-tc-version': STS_API_VERSION,
      'x-tc-timestamp': String(input.timestamp),
      'x-tc-region': input.region,
    },
  };
}

/** Temporary credentials from `GetFederationToken`. */
export interface FederationToken {
  /** `Credentials.TmpSecretId`. */
  secretId: string;
  /** `Credentials.TmpSecretKey`. */
  secretKey: string;
  /** `Credentials.Token`: send as `x-cos-security-token`. */
  securityToken: string;
  /** `ExpiredTime`, in ms since the epoch. */
  expiresAt: number;
  /** `RequestId`. */
  requestId?: string;
}

/** An STS error answer: `Response.Error.Code` / `Message`. */
export interface StsErrorBody {
  code: string;
  message: string;
  requestId?: string;
}

/**
 * Parses a Tencent Cloud API 3.0 answer to `GetFederationToken`:
 * `{ Response: { Credentials: { Token, TmpSecretId, TmpSecretKey }, ExpiredTime, Expiration, RequestId } }`, or
 * `{ Response: { Error: { Code, Message }, RequestId } }`.
 */
export function parseFederationTokenResponse(
  text: string,
): { ok: true; token: FederationToken } | { ok: false; error: StsErrorBody } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: { code: 'InvalidResponse', message: 'STS answered something that is not JSON' },
    };
  }
  const response = (parsed as { Response?: Record<string, unknown> } | null)?.Response ?? {};
  const requestId = typeof response.RequestId === 'string' ? response.RequestId : undefined;
  const error = response.Error as { Code?: string; Message?: string } | undefined;
  if (error) return { ok: false, error: { code: error.Code ?? '', message: error.Message ?? '', requestId } };
  const c = response.Credentials as
    { Token?: string; TmpSecretId?: string; TmpSecretKey?: string } | undefined;
  const expired = Number(response.ExpiredTime);
  if (!c?.TmpSecretId || !c.TmpSecretKey || !c.Token || !Number.isFinite(expired)) {
    return {
      ok: false,
      error: { code: 'InvalidResponse', message: 'STS answer lacks Credentials or ExpiredTime', requestId },
    };
  }
  return {
    ok: true,
    token: {
      secretId: c.TmpSecretId,
      secretKey: c.TmpSecretKey,
      securityToken: c.Token,
      expiresAt: expired * 1000,
      requestId,
    },
  };
}

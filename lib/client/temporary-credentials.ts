import { request } from 'undici';
import { CiResponseError, CiValidationError } from '../core/errors';
import {
  cosPrefixPolicy,
  getFederationTokenRequest,
  parseFederationTokenResponse,
  STS_DEFAULT_HOST,
  type FederationToken,
} from '../protocol/sts';
import type { CiCredentials } from './ci-client.options';
import { assertCiNetworkAllowed } from './loopback-guard';

/** Options of `CiClient.issueTemporaryCredentials`. */
export interface CiTemporaryCredentialsOptions {
  /** Key prefix the credentials may touch (`uploads/user-42/`); required, `''` is refused (the whole bucket). */
  prefix: string;
  /**
   * COS actions allowed under the prefix, without the `name/cos:` namespace. Default: what a simple and a multipart
   * upload need (`PutObject`, `PostObject`, `InitiateMultipartUpload`, `UploadPart`, `CompleteMultipartUpload`,
   * `AbortMultipartUpload`, `ListParts`).
   */
  actions?: readonly string[];
  /** Validity in seconds. Default 900; STS accepts at most 7200 for a main account's key. */
  durationSeconds?: number;
  /** Federated user name shown in CAM. Default `'nestjs-tencent-ci'`. */
  name?: string;
}

/** Temporary credentials scoped to a prefix, ready for an SDK (`SecurityToken` goes with every request). */
export interface CiTemporaryCredentials extends FederationToken {
  /** Bucket and region the credentials are for. */
  bucket: string;
  region: string;
  /** The prefix they are scoped to. */
  prefix: string;
  /** The actions allowed. */
  actions: string[];
}

/** The actions of an upload (simple, form or multipart), the default scope of temporary credentials. */
export const CI_UPLOAD_ACTIONS: readonly string[] = [
  'PutObject',
  'PostObject',
  'InitiateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'ListParts',
];

/** What the STS call needs from the client. */
export interface StsCallContext {
  credentials: CiCredentials;
  bucket: string;
  region: string;
  /** STS origin. Default `https://sts.tencentcloudapi.com`. */
  endpoint?: string;
  now: () => number;
}

/**
 * Calls STS `GetFederationToken` (TC3-HMAC-SHA256) with a policy allowing `actions` under `prefix` only, and
 * returns the temporary key pair and token. STS errors become `CiResponseError` (`ciCode` STS's `Error.Code`).
 */
export async function issueTemporaryCredentials(
  context: StsCallContext,
  options: CiTemporaryCredentialsOptions,
): Promise<CiTemporaryCredentials> {
  if (typeof options.prefix !== 'string' || options.prefix === '' || options.prefix.startsWith('/')) {
    throw new CiValidationError(
      'OPTIONS_INVALID',
      'prefix must be a non-empty key prefix without a leading "/" (credentials for the whole bucket are not issued)',
      { field: 'prefix' },
    );
  }
  const actions = [...(options.actions ?? CI_UPLOAD_ACTIONS)];
  const durationSeconds = options.durationSeconds ?? 900;
  const origin = new URL(context.endpoint ?? `https://${STS_DEFAULT_HOST}`);
  assertCiNetworkAllowed(origin.origin);
  const signed = getFederationTokenRequest({
    secretId: context.credentials.secretId,
    secretKey: context.credentials.secretKey,
    region: context.region,
    name: options.name ?? 'nestjs-tencent-ci',
    policy: cosPrefixPolicy({
      region: context.region,
      bucket: context.bucket,
      prefix: options.prefix,
      actions,
    }),
    durationSeconds,
    timestamp: Math.floor(context.now() / 1000),
    host: origin.host,
  });
  const res = await request(origin.origin + '/', {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  const text = await res.body.text();
  const parsed = parseFederationTokenResponse(text);
  if (!parsed.ok) {
    throw new CiResponseError({
      statusCode: res.statusCode,
      ciCode: parsed.error.code,
      ciMessage: parsed.error.message,
      requestId: parsed.error.requestId,
      method: 'POST',
      path: '/ (GetFederationToken)',
    });
  }
  return {
    ...parsed.token,
    bucket: context.bucket,
    region: context.region,
    prefix: options.prefix,
    actions,
  };
}

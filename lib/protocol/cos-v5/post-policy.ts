import { createHash, createHmac } from 'node:crypto';

/**
 * One condition of a COS POST Object policy (https://cloud.tencent.com/document/product/436/14690, "Policy"):
 * an exact match `{ field: value }` or `['eq', '$field', value]`, a prefix `['starts-with', '$field', prefix]`, or
 * the size range `['content-length-range', min, max]`.
 */
export type CosPostPolicyCondition =
  Record<string, string> | ['eq' | 'starts-with', string, string] | ['content-length-range', number, number];

/** A POST Object policy document: ISO 8601 `expiration` and its conditions. */
export interface CosPostPolicy {
  expiration: string;
  conditions: CosPostPolicyCondition[];
}

/** Inputs of {@link createPostObjectForm}. */
export interface PostObjectFormInput {
  /** SecretId (`q-ak`). */
  secretId: string;
  /** SecretKey; used only to derive the HMAC key, never returned. */
  secretKey: string;
  /** STS session token, sent as the `x-cos-security-token` field. */
  securityToken?: string;
  /** Bucket as `<name>-<appid>` (bound with an exact `bucket` condition). */
  bucket: string;
  /** Object key, bound exactly. */
  key: string;
  /** Form fields to send and bind exactly (`Content-Type`, `acl`, `x-cos-meta-*`, `success_action_status`). */
  fields?: Record<string, string>;
  /** Smallest and largest accepted file size in bytes (`content-length-range`). */
  contentLengthRange?: [number, number];
  /** Validity in seconds (the policy's `expiration` and `q-key-time`). Default 900. */
  expiresIn?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** A signed POST Object form: the fields to send before the `file` part, and the policy they carry. */
export interface PostObjectForm {
  /** Every field in the order to send it: `key`, the bound fields, `policy` and the `q-*` signature fields. */
  fields: Record<string, string>;
  /** The policy document (decoded). */
  policy: CosPostPolicy;
}

/**
 * The POST Object signature of a policy text: `SignKey = HMAC-SHA1(SecretKey, KeyTime)`,
 * `StringToSign = SHA1(policy)`, `Signature = HMAC-SHA1(SignKey, StringToSign)`, each lower-case hex
 * (https://cloud.tencent.com/document/product/436/14690, "Signature protection", steps 4 to 6).
 */
export function signPostPolicy(policyText: string, keyTime: string, secretKey: string): string {
  const signKey = createHmac('sha1', secretKey).update(keyTime).digest('hex');
  const stringToSign = createHash('sha1').update(policyText, 'utf8').digest('hex');
  return createHmac('sha1', signKey).update(stringToSign).digest('hex');
}

/**
 * Builds a signed COS POST Object form (HTML form upload) for one key: the policy binds the bucket, the key, every
 * given field and the size range, plus the `q-sign-algorithm`, `q-ak` and `q-sign-time` COS requires.
 *
 * @example
 * const { fields } = createPostObjectForm({ secretId, secretKey, bucket: 'b-1250000000', key: 'a.jpg',
 *   fields: { 'Content-Type': 'image/jpeg' }, contentLengthRange: [1, 1048576] });
 * // POST https://b-1250000000.cos.ap-guangzhou.myqcloud.com/ with fields, then the `file` part last
 */
export function createPostObjectForm(input: PostObjectFormInput): PostObjectForm {
  const start = Math.floor((input.now ?? Date.now)() / 1000) - 1;
  const end = start + 1 + (input.expiresIn ?? 900);
  const keyTime = `${start};${end}`;
  const bound = { ...input.fields };
  if (input.securityToken) bound['x-cos-security-token'] = input.securityToken;
  const conditions: CosPostPolicyCondition[] = [
    { bucket: input.bucket },
    ['eq', '$key', input.key],
    ...Object.entries(bound).map(([name, value]): CosPostPolicyCondition => ['eq', `$${name}`, value]),
    ...(input.contentLengthRange
      ? [['content-length-range', ...input.contentLengthRange] as CosPostPolicyCondition]
      : []),
    { 'q-sign-algorithm': 'sha1' },
    { 'q-ak': input.secretId },
    { 'q-sign-time': keyTime },
  ];
  const policy: CosPostPolicy = { expiration: new Date(end * 1000).toISOString(), conditions };
  const policyText = JSON.stringify(policy);
  return {
    policy,
    fields: {
      key: input.key,
      ...bound,
      policy: Buffer.from(policyText, 'utf8').toString('base64'),
      'q-sign-algorithm': 'sha1',
      'q-ak': input.secretId,
      'q-key-time': keyTime,
      'q-signature': signPostPolicy(policyText, keyTime, input.secretKey),
    },
  };
}

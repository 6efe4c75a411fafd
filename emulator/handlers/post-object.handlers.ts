import busboy from 'busboy';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { signPostPolicy } from '../../lib/protocol/cos-v5/post-policy';
import { cosErrors } from '../errors/cos-errors';
import { CosHttpError } from '../errors/cos-http.error';
import { enforceCredentialScope } from '../sts/credential-scope';
import { Crc64 } from '../util/crc64';
import { storeBytes } from '../processing/run-pic-operations';
import { objectLocation } from '../routing/location';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { checkKey, quotedMd5, storedHeadersOf } from './handler.utils';

/** A POST Object form read whole: its text fields (names as sent) and the file part's bytes. */
interface PostedForm {
  fields: Map<string, string>;
  file?: { bytes: Buffer; filename: string };
}

/** Form fields stored as object headers, by their header name (POST Object doc, "Form fields"). */
const STORED_FIELDS: Readonly<Record<string, string>> = {
  'cache-control': 'cache-control',
  'content-disposition': 'content-disposition',
  'content-encoding': 'content-encoding',
  expires: 'expires',
  acl: 'x-cos-acl',
  'x-cos-storage-class': 'x-cos-storage-class',
};

function readForm(req: IncomingMessage, maxFileSize: number): Promise<PostedForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fields: 64, fieldSize: 64 * 1024, files: 1, fileSize: maxFileSize + 1 },
        defParamCharset: 'utf8',
      });
    } catch {
      reject(cosErrors.invalidArgument('POST Object needs a multipart/form-data body.'));
      return;
    }
    const form: PostedForm = { fields: new Map() };
    let filePart: Promise<void> | undefined;
    parser.on('field', (name, value) => form.fields.set(name, value));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || filePart) {
        stream.resume();
        return;
      }
      filePart = (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        form.file = { bytes: Buffer.concat(chunks), filename: info.filename ?? '' };
      })();
    });
    parser.on('close', () => void (filePart ?? Promise.resolve()).then(() => resolve(form), reject));
    parser.on('error', (error: Error) =>
      reject(cosErrors.invalidArgument(`The form is malformed: ${error.message}`)),
    );
    req.pipe(parser);
  });
}

/** The field a policy condition names (`$key` → `key`), looked up case-insensitively as COS form names are. */
function fieldValue(fields: Map<string, string>, name: string): string | undefined {
  const wanted = name.replace(/^\$/, '').toLowerCase();
  for (const [k, v] of fields) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function policyFailure(condition: unknown): CosHttpError {
  return cosErrors.accessDenied(
    `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`,
  );
}

/**
 * Checks every condition of the policy (exact `{ field: value }` / `["eq", "$field", value]`, prefix
 * `["starts-with", "$field", prefix]`, `["content-length-range", min, max]`) against the form, the bucket and the
 * file's size; a field a condition names must be in the form (the doc: "fields that are used for limitation in the
 * policy must be used in the form fields", except `bucket`).
 */
function checkConditions(
  conditions: unknown[],
  fields: Map<string, string>,
  bucket: string,
  size: number,
): void {
  for (const condition of conditions) {
    if (Array.isArray(condition)) {
      const [op, name, value] = condition as [unknown, unknown, unknown];
      if (op === 'content-length-range') {
        if (size < Number(name) || size > Number(value)) {
          throw new CosHttpError(
            400,
            size > Number(value) ? 'EntityTooLarge' : 'EntityTooSmall',
            `Your proposed upload is outside the policy's content-length-range [${String(name)}, ${String(value)}].`,
          );
        }
        continue;
      }
      const actual =
        String(name).replace(/^\$/, '').toLowerCase() === 'bucket'
          ? bucket
          : fieldValue(fields, String(name));
      const ok =
        actual !== undefined &&
        (op === 'eq' ? actual === String(value) : op === 'starts-with' && actual.startsWith(String(value)));
      if (!ok) throw policyFailure(condition);
      continue;
    }
    if (!condition || typeof condition !== 'object') throw policyFailure(condition);
    for (const [name, value] of Object.entries(condition)) {
      // The policy binds `q-sign-time`; the form carries the same value as `q-key-time` (the doc's example).
      const field = name.toLowerCase() === 'q-sign-time' ? 'q-key-time' : name;
      const actual = name.toLowerCase() === 'bucket' ? bucket : fieldValue(fields, field);
      if (actual !== String(value)) throw policyFailure(condition);
    }
  }
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase());
  const right = Buffer.from(b.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Verifies the form's signature as COS documents it (https://cloud.tencent.com/document/product/436/14690,
 * "Signature protection"): `q-signature = HMAC-SHA1(HMAC-SHA1(SecretKey, q-key-time), SHA1(policy))`, the key time
 * and the policy's `expiration` current, a temporary key's `x-cos-security-token` present and its own. Returns the
 * decoded policy's conditions.
 */
function verifyForm(context: HandlerContext, fields: Map<string, string>, now: number): unknown[] {
  const get = (name: string) => fieldValue(fields, name);
  const encoded = get('policy');
  const algorithm = get('q-sign-algorithm');
  const secretId = get('q-ak');
  const keyTime = get('q-key-time');
  const signature = get('q-signature');
  if (!encoded || !algorithm || !secretId || !keyTime || !signature) {
    throw cosErrors.accessDenied(
      'The form is not signed: it needs policy, q-sign-algorithm, q-ak, q-key-time and q-signature before the file.',
    );
  }
  if (algorithm.toLowerCase() !== 'sha1') throw cosErrors.accessDenied('q-sign-algorithm must be sha1.');
  const credential = context.env.credentials.get(secretId);
  if (!credential) throw cosErrors.invalidAccessKeyId();
  if (credential.securityToken !== undefined && get('x-cos-security-token') !== credential.securityToken) {
    throw cosErrors.accessDenied('A temporary SecretId needs its x-cos-security-token field.');
  }
  const policyText = Buffer.from(encoded, 'base64').toString('utf8');
  if (!sameHex(signPostPolicy(policyText, keyTime, credential.secretKey), signature)) {
    throw cosErrors.signatureDoesNotMatch();
  }
  const window = /^(\d+);(\d+)$/.exec(keyTime);
  const seconds = Math.floor(now / 1000);
  if (!window || seconds < Number(window[1]) || seconds > Number(window[2])) throw cosErrors.requestExpired();
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(policyText) as typeof policy;
  } catch {
    throw cosErrors.invalidArgument('The policy is not JSON.');
  }
  const expiration = Date.parse(String(policy.expiration));
  if (!Number.isFinite(expiration) || expiration <= now) throw cosErrors.requestExpired();
  if (!Array.isArray(policy.conditions)) throw cosErrors.invalidArgument('The policy has no conditions.');
  const required = { 'q-sign-algorithm': algorithm, 'q-ak': secretId, 'q-sign-time': keyTime };
  for (const [name, value] of Object.entries(required)) {
    const bound = policy.conditions.some(
      (c) =>
        !!c && typeof c === 'object' && !Array.isArray(c) && (c as Record<string, unknown>)[name] === value,
    );
    if (!bound) throw cosErrors.accessDenied(`The policy must bind ${name} to the form's value.`);
  }
  enforceCredentialScope(
    credential,
    {
      operation: 'PostObject',
      bucket: context.bucket,
      key: get('key') ?? '',
      region: context.env.region,
      appId: context.env.appId,
    },
    now,
  );
  return policy.conditions;
}

/**
 * POST Object (HTML form upload): the signature and every policy condition checked, then the file stored with the
 * form's `Content-Type` and object fields. COS documents no `Pic-Operations` for this API, so none is processed
 * here (protocol.md 1.4). Answers `success_action_redirect` (303 with `bucket`, `key`, `etag`), else
 * `success_action_status` 200, 201 or 204 (the default), with `ETag` and `Location` and an empty body (the doc's
 * samples 8 and 9).
 */
function postObject(clock: () => number) {
  return async (context: HandlerContext): Promise<void> => {
    const { exchange, env, bucket } = context;
    exchange.continueIfExpected();
    const form = await readForm(exchange.req, env.maxObjectSize);
    const conditions = verifyForm(context, form.fields, clock());
    if (!form.file) throw cosErrors.invalidArgument('The form has no file field (it must be the last part).');
    const bytes = form.file.bytes;
    if (bytes.length > env.maxObjectSize) throw cosErrors.entityTooLarge(env.maxObjectSize);
    checkConditions(conditions, form.fields, bucket, bytes.length);
    const key = (fieldValue(form.fields, 'key') ?? '').replace(/\$\{filename\}/g, form.file.filename);
    checkKey(key);
    const headers: Record<string, string> = {};
    for (const [name, value] of form.fields) {
      const lower = name.toLowerCase();
      if (lower.startsWith('x-cos-meta-')) headers[lower] = value;
      else if (STORED_FIELDS[lower]) headers[STORED_FIELDS[lower]] = value;
    }
    const md5 = createHash('md5').update(bytes).digest();
    const meta = await storeBytes(
      env.store,
      {
        bucket,
        key,
        size: bytes.length,
        etag: quotedMd5(md5),
        crc64: new Crc64().update(bytes).value,
        contentType: fieldValue(form.fields, 'content-type') || 'application/octet-stream',
        headers: storedHeadersOf({ headers } as unknown as IncomingMessage),
      },
      bytes,
    );
    const location = objectLocation(bucket, key, context.target);
    const redirect = fieldValue(form.fields, 'success_action_redirect');
    if (redirect) {
      const url = new URL(redirect);
      url.searchParams.set('bucket', bucket);
      url.searchParams.set('key', key);
      url.searchParams.set('etag', meta.etag);
      exchange.sendEmpty(303, { Location: url.toString(), ETag: meta.etag });
      return;
    }
    const status = Number(fieldValue(form.fields, 'success_action_status') ?? 204);
    // "The response body of this API is empty" (the doc's Response section), whatever the status.
    exchange.sendEmpty([200, 201].includes(status) ? status : 204, {
      ETag: meta.etag,
      Location: `http://${location}`,
    });
  };
}

/** The POST Object route; its signature is in the form, so the auth stage leaves it to the handler. */
export function postObjectRoutes(clock: () => number = Date.now): CosHandlerRoute[] {
  return [
    {
      operation: 'PostObject',
      method: 'POST',
      scope: 'bucket',
      subresources: [],
      signedInForm: true,
      handler: postObject(clock),
    },
  ];
}

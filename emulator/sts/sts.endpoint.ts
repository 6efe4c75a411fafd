import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTc3Authorization, signTc3Request } from '../../lib/protocol/sts/tc3';
import type { CosCredential } from '../auth/verify-cos-signature';
import { newRequestId } from '../http/exchange';
import type { ScopedCredential, ScopeStatement } from './credential-scope';

/** Largest JSON body the endpoint reads. */
const BODY_LIMIT = 64 * 1024;

/** How far `X-TC-Timestamp` may be from the clock: "more than five minutes" fails (API 3.0 "Signature v3"). */
const CLOCK_SKEW_SECONDS = 300;

/** `DurationSeconds` bounds of `GetFederationToken` (https://cloud.tencent.com/document/product/1312/48195). */
const DURATION = { default: 1800, max: 7200 } as const;

/** What the endpoint needs. */
export interface StsEndpointOptions {
  /** The permanent key pairs allowed to call STS. */
  permanent: readonly CosCredential[];
  /** Where issued keys go: the map the COS API authenticates against. */
  issued: Map<string, CosCredential>;
  clock: () => number;
}

/** True for a Tencent Cloud API 3.0 request (`POST /` with `X-TC-Action`), which the emulator answers as STS. */
export function isStsRequest(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): boolean {
  return (
    (req.method ?? '').toUpperCase() === 'POST' &&
    (req.url ?? '').split('?')[0] === '/' &&
    req.headers['x-tc-action'] !== undefined
  );
}

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new StsError('InvalidParameter', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The `allow` statements of a CAM policy (`{ version, statement: [{ effect, action, resource }] }`). */
function parsePolicy(encoded: unknown): ScopeStatement[] {
  if (typeof encoded !== 'string' || !encoded) throw new StsError('MissingParameter', 'Policy is required.');
  let policy: { statement?: unknown };
  try {
    policy = JSON.parse(decodeURIComponent(encoded)) as { statement?: unknown };
  } catch {
    throw new StsError('InvalidParameter', 'Policy is not URL-encoded JSON.');
  }
  const statements = Array.isArray(policy.statement) ? policy.statement : [policy.statement];
  const allowed = statements
    .filter((s): s is Record<string, unknown> => !!s && typeof s === 'object')
    .filter((s) => String(s.effect).toLowerCase() === 'allow')
    .map((s) => ({ actions: asList(s.action), resources: asList(s.resource) }));
  if (!allowed.length) throw new StsError('InvalidParameter', 'Policy allows nothing.');
  return allowed;
}

/**
 * The emulator's STS: `GetFederationToken` signed with TC3-HMAC-SHA256 by a permanent key, answering temporary keys
 * whose policy the COS API then enforces (a request outside it is 403 `AccessDenied`). Answers in the API 3.0
 * envelope: HTTP 200 with `{ Response: { ..., RequestId } }`, errors as `Response.Error.{Code,Message}`.
 */
export async function serveSts(
  req: IncomingMessage,
  res: ServerResponse,
  options: StsEndpointOptions,
): Promise<void> {
  const requestId = newRequestId();
  let response: Record<string, unknown>;
  try {
    response = await getFederationToken(req, options);
  } catch (error) {
    if (!(error instanceof StsError)) throw error;
    response = { Error: { Code: error.code, Message: error.message } };
  }
  const body = Buffer.from(JSON.stringify({ Response: { ...response, RequestId: requestId } }));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

async function getFederationToken(
  req: IncomingMessage,
  options: StsEndpointOptions,
): Promise<Record<string, unknown>> {
  const payload = await readBody(req);
  const auth = parseTc3Authorization(header(req, 'authorization'));
  if (!auth)
    throw new StsError(
      'AuthFailure.InvalidAuthorization',
      'The Authorization header is not TC3-HMAC-SHA256.',
    );
  const caller = options.permanent.find((c) => c.secretId === auth.secretId && c.securityToken === undefined);
  if (!caller) throw new StsError('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
  const timestamp = Number(header(req, 'x-tc-timestamp'));
  const now = Math.floor(options.clock() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > CLOCK_SKEW_SECONDS) {
    throw new StsError(
      'AuthFailure.SignatureExpire',
      'The signature expired: X-TC-Timestamp is too far from now.',
    );
  }
  const expected = signTc3Request({
    secretId: caller.secretId,
    secretKey: caller.secretKey,
    service: auth.service,
    host: header(req, 'host'),
    timestamp,
    payload,
    contentType: header(req, 'content-type'),
  });
  const same =
    expected.signature.length === auth.signature.length &&
    timingSafeEqual(Buffer.from(expected.signature), Buffer.from(auth.signature));
  if (!same || auth.service !== 'sts' || auth.signedHeaders.join(';') !== 'content-type;host') {
    throw new StsError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
  }
  const action = header(req, 'x-tc-action');
  if (action !== 'GetFederationToken') {
    throw new StsError('InvalidAction', `The emulator's STS serves GetFederationToken, not ${action}.`);
  }
  let params: Record<string, unknown>;
  try {
    params = JSON.parse(payload || '{}') as Record<string, unknown>;
  } catch {
    throw new StsError('InvalidParameter', 'The body is not JSON.');
  }
  if (typeof params.Name !== 'string' || !params.Name)
    throw new StsError('MissingParameter', 'Name is required.');
  const statements = parsePolicy(params.Policy);
  const duration = params.DurationSeconds === undefined ? DURATION.default : Number(params.DurationSeconds);
  if (!Number.isInteger(duration) || duration < 1 || duration > DURATION.max) {
    throw new StsError('InvalidParameter', `DurationSeconds must be 1 to ${DURATION.max}.`);
  }
  const credential: ScopedCredential = {
    secretId: 'AKIDTMP' + randomBytes(12).toString('hex'),
    secretKey: randomBytes(24).toString('base64url'),
    securityToken: randomBytes(32).toString('base64url'),
    expiresAt: (now + duration) * 1000,
    statements,
  };
  options.issued.set(credential.secretId, credential);
  return {
    Credentials: {
      Token: credential.securityToken,
      TmpSecretId: credential.secretId,
      TmpSecretKey: credential.secretKey,
    },
    ExpiredTime: now + duration,
    Expiration: new Date((now + duration) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

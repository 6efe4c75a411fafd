import type { CosCredential } from '../auth/verify-cos-signature';
import { CosHttpError } from '../errors/cos-http.error';
import { cosErrors } from '../errors/cos-errors';

/** One `allow` statement of the CAM policy a temporary key was issued with. */
export interface ScopeStatement {
  /** `name/cos:PutObject`, `name/cos:*`, `*`. */
  actions: string[];
  /** `qcs::cos:<region>:uid/<appid>:<bucket>/<key pattern>` (or the STS SDK's `prefix//<appid>/<name>/...` form). */
  resources: string[];
}

/** A temporary key issued by the emulator's STS endpoint: its token, expiry and policy. */
export interface ScopedCredential extends CosCredential {
  securityToken: string;
  /** Ms since the epoch. */
  expiresAt: number;
  statements: ScopeStatement[];
}

/** What a request does, as a policy sees it. */
export interface ScopedAction {
  /** COS operation (`PutObject`, `PostObject`, `HeadObject`, ...): the action is `name/cos:<operation>`. */
  operation: string;
  bucket?: string;
  /** `''` for a bucket request. */
  key: string;
  region: string;
  appId: string;
}

function isScoped(credential: CosCredential): credential is ScopedCredential {
  return Array.isArray((credential as Partial<ScopedCredential>).statements);
}

function glob(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

/**
 * The object path a COS resource names, as `<bucket>/<key pattern>`: COS's form
 * `qcs::cos:<region>:uid/<appid>:<bucket>/<key>` (https://cloud.tencent.com/document/product/436/31923), or the
 * STS SDK's `qcs::cos:<region>:uid/<appid>:prefix//<appid>/<short name>/<key>` (`qcloud-cos-sts-sdk` `getPolicy`).
 */
function resourcePath(resource: string, action: ScopedAction): string | undefined {
  if (resource === '*') return '*';
  const match = /^qcs::cos:([^:]*):uid\/(\d+):(.*)$/.exec(resource);
  if (!match) return undefined;
  const [, region, appId, rest] = match;
  if ((region && region !== '*' && region !== action.region) || appId !== action.appId) return undefined;
  const sdk = /^prefix\/\/(\d+)\/([^/]+)\/(.*)$/.exec(rest!);
  return sdk ? `${sdk[2]}-${sdk[1]}/${sdk[3]}` : rest;
}

/**
 * Refuses what a temporary key's policy does not allow: an expired key (400 `ExpiredToken`), an action or a
 * resource outside its statements (403 `AccessDenied`). Permanent keys pass.
 */
export function enforceCredentialScope(credential: CosCredential, action: ScopedAction, now: number): void {
  if (!isScoped(credential)) return;
  if (credential.expiresAt <= now) {
    throw new CosHttpError(400, 'ExpiredToken', 'The provided token has expired.');
  }
  const name = `name/cos:${action.operation}`;
  const path = `${action.bucket ?? ''}/${action.key}`;
  const allowed = credential.statements.some(
    (s) =>
      s.actions.some((a) => a === '*' || glob(a, name)) &&
      s.resources.some((r) => {
        const pattern = resourcePath(r, action);
        return pattern !== undefined && glob(pattern, path);
      }),
  );
  if (!allowed) {
    throw cosErrors.accessDenied(
      `Access Denied: the temporary key's policy does not allow ${name} on ${path}.`,
    );
  }
}

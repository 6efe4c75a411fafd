import type { IncomingHttpHeaders } from 'node:http';
import { isCosHttpError } from '../errors/cos-http.error';
import { isAdminPath } from '../faults/fault-admin.endpoint';
import { isFilesV2Request, parseFilesV2Path } from '../files-v2/files-v2.path';
import { type CosRouter, type CosScope, subresourcesOf } from '../routing/cos-router';
import type { ClassifiedRequest } from '../routing/classified-request';
import { FILES_V2_OPERATION, PREFLIGHT_OPERATION, UNKNOWN_OPERATION } from '../routing/operations';
import { type CosTarget, resolveTarget } from '../routing/resolve-target';

/** The request line and headers a classification reads. */
export type RequestHead = { method?: string; url?: string; headers: IncomingHttpHeaders };

/**
 * The emulator's front door: works out once, before anything is read or answered, which API a request speaks,
 * its operation, bucket, key and sub-resources. Never throws.
 *
 * @example
 * new RequestClassifier(router, isOwnHost).classify(req) // { api: 'cos', operation: 'PutObject', bucket, key, ... }
 */
export class RequestClassifier<H> {
  constructor(
    private readonly router: CosRouter<H>,
    /** True when an authority addresses the emulator itself (its admin endpoints), not a bucket. */
    private readonly isOwnHost: (authority: string | undefined) => boolean,
  ) {}

  /** Classifies one request. */
  classify(req: RequestHead): ClassifiedRequest<H> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (isAdminPath(req.url) && this.isOwnHost(req.headers.host)) {
      return { api: 'admin', method, operation: 'Admin', key: '', subresources: [] };
    }
    if (method !== 'OPTIONS' && isFilesV2Request(req)) {
      try {
        const address = parseFilesV2Path(req);
        return {
          api: 'files-v2',
          method,
          operation: FILES_V2_OPERATION,
          bucket: address.bucket,
          key: address.key,
          subresources: [],
        };
      } catch {
        return { api: 'files-v2', method, operation: FILES_V2_OPERATION, key: '', subresources: [] };
      }
    }
    let target: CosTarget;
    try {
      target = resolveTarget(req);
    } catch (error) {
      return {
        api: 'cos',
        method,
        operation: UNKNOWN_OPERATION,
        key: '',
        subresources: [],
        error: isCosHttpError(error) ? error : undefined,
      };
    }
    const base = {
      api: 'cos' as const,
      method,
      bucket: target.bucket,
      key: target.key,
      subresources: subresourcesOf(target.query),
      target,
    };
    if (method === 'OPTIONS') return { ...base, operation: PREFLIGHT_OPERATION };
    const scope: CosScope = !target.bucket ? 'service' : target.key ? 'object' : 'bucket';
    const match = this.router.match(method, scope, target.query, req.headers);
    if (match.route) return { ...base, operation: match.route.operation, route: match.route };
    return { ...base, operation: UNKNOWN_OPERATION, error: match.error };
  }
}

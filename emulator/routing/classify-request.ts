import type { IncomingHttpHeaders } from 'node:http';
import type { CosHttpError } from '../errors/cos-http.error';
import { isCosHttpError } from '../errors/cos-http.error';
import { isAdminPath } from '../faults/fault-admin.endpoint';
import { isFilesV2Request, parseFilesV2Path } from '../files-v2/files-v2.path';
import { type CosRoute, type CosRouter, type CosScope, subresourcesOf } from './cos-router';
import { type EmulatorApi, FILES_V2_OPERATION, PREFLIGHT_OPERATION, UNKNOWN_OPERATION } from './operations';
import { type CosTarget, resolveTarget } from './resolve-target';

/** A request as the front door classified it, once: what faults, the request log, CORS and dispatchers read. */
export interface ClassifiedRequest<H = unknown> {
  api: EmulatorApi;
  /** Upper case. */
  method: string;
  /** Operation name (`PutObject`, `OptionsObject`, `FilesV2`, ... or `Unknown` when nothing routes it). */
  operation: string;
  /** `name-appid`; absent for a service request or an unreadable path. */
  bucket?: string;
  /** Decoded, normalized key without a leading `/`; `''` for a bucket or service request. */
  key: string;
  /** Sub-resource parameters present (`['partNumber', 'uploadId']`). */
  subresources: readonly string[];
  /** COS API: bucket, key, query and the pathnames a signature may cover. */
  target?: CosTarget;
  /** COS API: the route that serves it. */
  route?: CosRoute<H>;
  /** Why it cannot be served as addressed (400 `InvalidURI`, 405, 501), answered after the bucket check. */
  error?: CosHttpError;
}

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

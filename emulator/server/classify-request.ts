import type { IncomingHttpHeaders } from 'node:http';
import { isCosHttpError } from '../errors/cos-http.error';
import { isAdminPath } from '../faults/fault-admin.endpoint';
import { isFilesV2Request, parseFilesV2Path } from '../files-v2/files-v2.path';
import { splitStyleKey } from '../processing/download/download-query';
import type { ClassifiedRequest } from '../routing/classified-request';
import { type CosRouter, type CosScope, subresourcesOf } from '../routing/cos-router';
import { errorResource } from '../routing/location';
import { FILES_V2_OPERATION, PREFLIGHT_OPERATION, UNKNOWN_OPERATION } from '../routing/operations';
import { type CosTarget, resolveTarget } from '../routing/resolve-target';

/** The request line and headers a classification reads. */
export type RequestHead = { method?: string; url?: string; headers: IncomingHttpHeaders };

/** What the front door looks up besides the request: the region, which buckets, objects and styles exist. */
export interface ClassifierFacts {
  region: string;
  hasBucket(bucket: string): boolean;
  hasObject(bucket: string, key: string): boolean;
  /** True for a defined style (style-separator URLs such as `a.jpg!thumb`); absent: no style URLs. */
  hasStyle?(name: string): boolean;
}

const NO_FACTS: ClassifierFacts = { region: '', hasBucket: () => false, hasObject: () => false };

function pathOf(url: string | undefined): string {
  return (url ?? '/').replace(/\?.*$/, '');
}

/**
 * The emulator's front door: works out once, before anything is read or answered, which API a request speaks,
 * its operation, bucket (and whether it exists), key, files-v2 address, style and sub-resources, and the
 * resource its errors name. Never throws.
 *
 * @example
 * new RequestClassifier(router, isOwnHost, facts).classify(req) // { api: 'cos', operation: 'PutObject', bucket, key, ... }
 */
export class RequestClassifier<H> {
  constructor(
    private readonly router: CosRouter<H>,
    /** True when an authority addresses the emulator itself (its admin endpoints), not a bucket. */
    private readonly isOwnHost: (authority: string | undefined) => boolean,
    private readonly facts: ClassifierFacts = NO_FACTS,
  ) {}

  /** Classifies one request. */
  classify(req: RequestHead): ClassifiedRequest<H> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = pathOf(req.url);
    const unrouted = { method, key: '', subresources: [], resource: path };
    if (isAdminPath(req.url) && this.isOwnHost(req.headers.host)) {
      return { ...unrouted, api: 'admin', operation: 'Admin' };
    }
    if (method !== 'OPTIONS' && isFilesV2Request(req)) {
      try {
        const address = parseFilesV2Path(req);
        return {
          ...unrouted,
          api: 'files-v2',
          operation: FILES_V2_OPERATION,
          bucket: address.bucket,
          bucketExists: this.facts.hasBucket(address.bucket),
          key: address.key,
          filesV2: address,
        };
      } catch (error) {
        return { ...unrouted, api: 'files-v2', operation: FILES_V2_OPERATION, error: error as Error };
      }
    }
    let target: CosTarget;
    try {
      target = resolveTarget(req);
    } catch (error) {
      return {
        ...unrouted,
        api: 'cos',
        operation: UNKNOWN_OPERATION,
        error: isCosHttpError(error) ? error : undefined,
      };
    }
    const { bucket, key } = target;
    const base = {
      api: 'cos' as const,
      method,
      bucket,
      bucketExists: bucket !== undefined && this.facts.hasBucket(bucket),
      key,
      subresources: subresourcesOf(target.query),
      resource: errorResource(this.facts.region, bucket, key, path),
      target,
    };
    if (method === 'OPTIONS') return { ...base, operation: PREFLIGHT_OPERATION };
    const scope: CosScope = !bucket ? 'service' : key ? 'object' : 'bucket';
    const match = this.router.match(method, scope, target.query, req.headers);
    if (!match.route) return { ...base, operation: UNKNOWN_OPERATION, error: match.error };
    if (match.route.operation === 'GetObject' && base.bucketExists) {
      const styled = this.styleUrl(bucket ?? '', key);
      if (styled) return { ...base, ...styled };
    }
    return { ...base, operation: match.route.operation, route: match.route };
  }

  /**
   * A GET of `a.jpg!thumb` (also `-` and `_` separators) where no such object exists but `a.jpg` does and
   * `thumb` is a style: CI's style URL, a download-time processing of `a.jpg`.
   */
  private styleUrl(bucket: string, key: string) {
    const { hasStyle, hasObject } = this.facts;
    if (!hasStyle || hasObject(bucket, key)) return undefined;
    const split = splitStyleKey(key, hasStyle, (base) => hasObject(bucket, base));
    const route = split && this.router.routeOf('GetObjectProcessed');
    return route && { operation: route.operation, route, key: split.key, style: split.style };
  }
}

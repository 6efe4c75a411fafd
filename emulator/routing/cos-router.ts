import type { IncomingHttpHeaders } from 'node:http';
import { cosErrors } from '../errors/cos-errors';
import type { CosOperation } from './operations';
import type { CosHttpError } from '../errors/cos-http.error';
import type { QueryParams } from './query-params';

/**
 * The sub-resource a download-time processing parameter (`?imageMogr2/thumbnail/100x`, `?imageView2/...`,
 * `?watermark/1/...`, pipes of them) stands for: one name for every such request.
 */
export const PROCESSING_SUBRESOURCE = '<processing>';

const PROCESSING_PARAMETER = /^[A-Za-z][A-Za-z0-9-]*\//;

/** What a request addresses: the service (no bucket), a bucket, or an object. */
export type CosScope = 'service' | 'bucket' | 'object';

/**
 * Query parameters that select a COS sub-resource (and so an operation) rather than tune one. A request
 * carrying one that no route claims is answered 501 `NotImplemented` instead of being served as a plain
 * GET/PUT of the object.
 */
export const COS_SUBRESOURCES: ReadonlySet<string> = new Set([
  'uploads',
  'uploadId',
  'partNumber',
  'image_process',
  'ci-process',
  'imageInfo',
  'imageAve',
  'exif',
  'acl',
  'cors',
  'policy',
  'lifecycle',
  'tagging',
  'versioning',
  'versions',
  'website',
  'referer',
  'logging',
  'inventory',
  'domain',
  'encryption',
  'replication',
  'restore',
  'append',
  'select',
  'delete',
  'object-lock',
  'accelerate',
  'intelligenttiering',
  'location',
  'origin',
  'notification',
  'requestPayment',
  'symlink',
  'rename',
  'pic-process',
  'face-effect',
  'watermark',
  'guetzli',
  'retention',
  'legal-hold',
  'inventory-config',
  'metaquery',
  PROCESSING_SUBRESOURCE,
]);

/**
 * Query parameters that tune an operation (listing bounds, response overrides, signatures, version ids). Any
 * other parameter without a value (`?location`, `?origin`) is read as a sub-resource, so an unknown one is
 * answered 501 instead of being served as another operation.
 */
const TUNING_PARAMETERS: ReadonlySet<string> = new Set([
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'encoding-type',
  'key-marker',
  'upload-id-marker',
  'version-id-marker',
  'max-uploads',
  'max-parts',
  'part-number-marker',
  'versionId',
  'sign',
  'x-cos-security-token',
  'x-cos-traffic-limit',
  'clientIP',
  'clientUA',
  'token',
  'position',
]);

/** True for a query parameter that selects a sub-resource (see {@link COS_SUBRESOURCES}). */
export function isSubresource(name: string, value: string): boolean {
  if (COS_SUBRESOURCES.has(name)) return true;
  if (value !== '' || TUNING_PARAMETERS.has(name)) return false;
  return !name.startsWith('q-') && !name.startsWith('response-');
}

/** One operation: the method, scope and exact set of sub-resources that select it, and its handler. */
export interface CosRoute<H> {
  /** COS operation name (`PutObject`, `CompleteMultipartUpload`, ...), recorded in the request log. */
  operation: CosOperation;
  method: string;
  scope: CosScope;
  /** Sub-resource parameters the request must carry, no more and no fewer (`['partNumber', 'uploadId']`). */
  subresources: readonly string[];
  /** A request header that selects this route over the one without it (`x-cos-copy-source` for a copy). */
  header?: string;
  /** True for the operation that creates its bucket (PUT Bucket): the auth stage does not require it to exist. */
  bucketMayBeAbsent?: boolean;
  handler: H;
}

/** What {@link CosRouter.match} found: the route, or the error to answer. */
export type CosRouteMatch<H> =
  { route: CosRoute<H>; error?: undefined } | { route?: undefined; error: CosHttpError };

/** The sub-resource parameters a query carries, in order, without duplicates. */
export function subresourcesOf(query: QueryParams): string[] {
  const names: string[] = [];
  for (const [name, value] of query.entries) {
    const selected = value === '' && PROCESSING_PARAMETER.test(name) ? PROCESSING_SUBRESOURCE : name;
    if (isSubresource(selected, value) && !names.includes(selected)) names.push(selected);
  }
  return names;
}

function setKey(names: readonly string[]): string {
  return [...names].sort().join('&');
}

/**
 * Dispatches a request to one operation by (method, scope, sub-resources present in the query).
 *
 * @example
 * router.add({ operation: 'UploadPart', method: 'PUT', scope: 'object', subresources: ['partNumber', 'uploadId'], handler });
 */
export class CosRouter<H> {
  private readonly routes: CosRoute<H>[] = [];

  /** Registers a route; a second route for the same (method, scope, sub-resources) is a programming error. */
  add(route: CosRoute<H>): this {
    const clash = this.routes.find(
      (r) =>
        r.method === route.method &&
        r.scope === route.scope &&
        r.header === route.header &&
        setKey(r.subresources) === setKey(route.subresources),
    );
    if (clash) throw new Error(`Route ${route.operation} clashes with ${clash.operation}`);
    this.routes.push(route);
    return this;
  }

  /** Registers several routes. */
  addAll(routes: Iterable<CosRoute<H>>): this {
    for (const route of routes) this.add(route);
    return this;
  }

  /** The route of an operation (the first registered), for a request the front door re-reads (a style URL). */
  routeOf(operation: string): CosRoute<H> | undefined {
    return this.routes.find((r) => r.operation === operation);
  }

  /** Finds the route of a request: 405 when another method serves it, 501 when nothing does. */
  match(
    method: string,
    scope: CosScope,
    query: QueryParams,
    headers: IncomingHttpHeaders = {},
  ): CosRouteMatch<H> {
    const present = subresourcesOf(query);
    const key = setKey(present);
    const candidates = this.routes.filter((r) => r.scope === scope && setKey(r.subresources) === key);
    const byMethod = candidates.filter((r) => r.method === method);
    const route =
      byMethod.find((r) => r.header !== undefined && headers[r.header] !== undefined) ??
      byMethod.find((r) => r.header === undefined);
    if (route) return { route };
    const where = `${scope}${present.length ? ' with ?' + present.join('&') : ''}`;
    if (candidates.length) {
      const allowed = candidates.map((r) => r.method).join(', ');
      return {
        error: cosErrors.methodNotAllowed(`${method} is not allowed on a ${where}; allowed: ${allowed}.`),
      };
    }
    return { error: cosErrors.notImplemented(`The emulator does not implement ${method} on a ${where}.`) };
  }
}

import { cosErrors } from '../errors/cos-errors';
import type { CosHttpError } from '../errors/cos-http.error';
import type { QueryParams } from './query-params';

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
]);

/** One operation: the method, scope and exact set of sub-resources that select it, and its handler. */
export interface CosRoute<H> {
  /** COS operation name (`PutObject`, `CompleteMultipartUpload`, ...), recorded in the request log. */
  operation: string;
  method: string;
  scope: CosScope;
  /** Sub-resource parameters the request must carry, no more and no fewer (`['partNumber', 'uploadId']`). */
  subresources: readonly string[];
  handler: H;
}

/** What {@link CosRouter.match} found: the route, or the error to answer. */
export type CosRouteMatch<H> =
  { route: CosRoute<H>; error?: undefined } | { route?: undefined; error: CosHttpError };

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

  /** Finds the route of a request: 405 when another method serves it, 501 when nothing does. */
  match(method: string, scope: CosScope, query: QueryParams): CosRouteMatch<H> {
    const present = query.names().filter((name) => COS_SUBRESOURCES.has(name));
    const key = setKey(present);
    const candidates = this.routes.filter((r) => r.scope === scope && setKey(r.subresources) === key);
    const route = candidates.find((r) => r.method === method);
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

import { extractCosSignature, verifyCosSignature } from './auth/verify-cos-signature';
import { cosErrors } from './errors/cos-errors';
import { isCosHttpError } from './errors/cos-http.error';
import { effectiveAcl } from './handlers/acl.handlers';
import { anonymousPolicyDecision } from './handlers/bucket-policy';
import type { CosHandler, EmulatorEnvironment } from './handlers/handler.types';
import { checkTrafficLimit } from './handlers/handler.utils';
import type { Exchange } from './http/exchange';
import { isDisconnect } from './http/disconnect';
import type { ClassifiedRequest } from './routing/classify-request';
import type { CosTarget } from './routing/resolve-target';
import { errorResource } from './xml/location';
import { missingSharpError } from './errors/missing-sharp';

/** Called with an unexpected error (a bug, a disk failure) before the client gets 500 `InternalError`. */
export type UnexpectedErrorReporter = (error: unknown, exchange: Exchange) => void;

/** One API the server pipeline hands a classified request to: its authentication, its serving, its errors. */
export interface ApiDispatcher {
  /** The auth stage: throws what to answer when the request may not be served (bucket, route, signature). */
  authenticate(exchange: Exchange): void;
  /** Serves an authenticated request; never rejects. */
  serve(exchange: Exchange): Promise<void>;
  /** Answers an error in this API's envelope (an unexpected one is reported and answered as an internal error). */
  fail(exchange: Exchange, error: unknown): void;
}

/**
 * The COS v5 XML API over a request the front door classified: the auth stage checks the bucket exists (404
 * `NoSuchBucket` first, as COS does), that a route serves the request (405, 501) and that the q-sign signature
 * holds; serving runs the route's handler. Every error becomes a COS XML error envelope; an unexpected one is
 * reported and answered 500 `InternalError`.
 */
export class CosDispatcher implements ApiDispatcher {
  constructor(
    private readonly env: EmulatorEnvironment,
    private readonly reportUnexpected: UnexpectedErrorReporter,
    private readonly clock: () => number = Date.now,
  ) {}

  authenticate(exchange: Exchange): void {
    const request = cosRequest(exchange);
    const { target } = request;
    if (!target) throw request.error ?? cosErrors.invalidUri();
    if (target.bucket && !request.route?.bucketMayBeAbsent) this.checkBucket(target);
    if (request.error) throw request.error;
    if (!extractCosSignature(exchange.req.headers, target.query) && this.allowsAnonymous(request)) return;
    verifyCosSignature(
      {
        method: request.method,
        pathnames: target.signingPathnames,
        query: target.query,
        headers: exchange.req.headers,
        now: this.clock(),
        bucket: target.bucket,
        key: target.key,
      },
      this.env.credentials,
    );
  }

  async serve(exchange: Exchange): Promise<void> {
    const request = cosRequest(exchange);
    try {
      if (!request.route || !request.target) throw request.error ?? cosErrors.invalidUri();
      checkTrafficLimit(exchange.req, request.target.query);
      await request.route.handler({
        exchange,
        target: request.target,
        bucket: request.target.bucket ?? '',
        key: request.target.key,
        env: this.env,
      });
    } catch (error) {
      this.fail(exchange, error);
    }
  }

  fail(exchange: Exchange, error: unknown): void {
    const known = isCosHttpError(error) ? error : missingSharpError(error);
    if (!known) {
      if (exchange.canRespond || !isDisconnect(error)) this.reportUnexpected(error, exchange);
      if (!exchange.canRespond) {
        // The answer had started (a GET body) or the client left: nothing to tell it; cut the connection.
        exchange.status ??= 500;
        exchange.res.destroy();
        return;
      }
    }
    const path = (exchange.req.url ?? '/').replace(/\?.*$/, '');
    const { bucket, key } = exchange.request ?? {};
    exchange.sendError(
      known ?? cosErrors.internalError(),
      errorResource(this.env.region, bucket, key ?? '', path),
    );
  }

  /**
   * True when an unsigned request may be served: reading an object (or listing a bucket) whose ACL is
   * `public-read` or `public-read-write` (the object's own, else its bucket's), writing or deleting one in a
   * `public-read-write` bucket. `private` (the default) refuses it: 403 `AccessDenied`.
   */
  private allowsAnonymous(request: ClassifiedRequest<CosHandler>): boolean {
    const { bucket, key, operation } = request;
    if (!bucket) return false;
    const store = this.env.store;
    const policy = anonymousPolicyDecision(store, bucket, key, operation);
    if (policy) return policy === 'allow';
    switch (operation) {
      case 'GetObject':
      case 'HeadObject':
        return effectiveAcl(store, bucket, key) !== 'private';
      case 'GetBucket':
      case 'HeadBucket':
        return effectiveAcl(store, bucket) !== 'private';
      case 'PutObject':
      case 'DeleteObject':
        return effectiveAcl(store, bucket) === 'public-read-write';
      default:
        return false;
    }
  }

  private checkBucket(target: CosTarget): void {
    const bucket = target.bucket ?? '';
    if (!this.env.store.hasBucket(bucket)) throw cosErrors.noSuchBucket();
    if (target.region && target.region !== this.env.region && target.region !== 'accelerate') {
      throw cosErrors.noSuchBucket(
        `The specified bucket does not exist in region ${target.region}: the emulator serves ${this.env.region}.`,
      );
    }
  }
}

function cosRequest(exchange: Exchange): ClassifiedRequest<CosHandler> {
  if (!exchange.request) throw new Error('the front door did not classify this request');
  return exchange.request as ClassifiedRequest<CosHandler>;
}

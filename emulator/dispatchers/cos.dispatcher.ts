import type { ApiDispatcher, Caller, UnexpectedErrorReporter } from './api-dispatcher';
import { anonymousTouches, type Touch } from './cos-access';
import { isCosSigned, verifyCosSignature } from '../auth/verify-cos-signature';
import { cosErrors } from '../errors/cos-errors';
import { isCosHttpError } from '../errors/cos-http.error';
import { effectiveAcl } from '../handlers/acl.handlers';
import { anonymousPolicyDecision } from '../handlers/bucket-policy';
import type { CosHandler, EmulatorEnvironment } from '../handlers/handler.types';
import { checkTrafficLimit } from '../handlers/handler.utils';
import type { Exchange } from '../http/exchange';
import { isDisconnect } from '../http/disconnect';
import { missingSharpError } from '../errors/missing-sharp';
import { enforceCredentialScope } from '../sts/credential-scope';
import type { ClassifiedRequest } from '../routing/classified-request';

export type { ApiDispatcher, UnexpectedErrorReporter } from './api-dispatcher';

/**
 * The COS v5 XML API over a request the front door classified: authentication checks the bucket exists (404
 * `NoSuchBucket` first, as COS does), that a route serves the request (405, 501) and that the q-sign signature
 * holds; authorization that an unsigned caller may touch what the request touches; serving runs the route's handler. Every error becomes a COS XML error envelope; an unexpected one is
 * reported and answered 500 `InternalError`.
 */
export class CosDispatcher implements ApiDispatcher {
  constructor(
    private readonly env: EmulatorEnvironment,
    private readonly reportUnexpected: UnexpectedErrorReporter,
    private readonly clock: () => number = Date.now,
  ) {}

  authenticate(exchange: Exchange): Caller {
    const request = cosRequest(exchange);
    const { target } = request;
    if (!target) throw request.error ?? cosErrors.invalidUri();
    if (target.bucket && !request.route?.bucketMayBeAbsent) this.checkBucket(request);
    if (request.error) throw request.error;
    // POST Object carries its signature in the form: its handler verifies it (and the key's scope).
    if (request.route?.signedInForm) return 'signed';
    if (!isCosSigned(exchange.req.headers, target.query)) return 'anonymous';
    const credential = verifyCosSignature(
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
    const { region, appId } = this.env;
    const action = { operation: request.operation, bucket: target.bucket, key: target.key, region, appId };
    enforceCredentialScope(credential, action, this.clock());
    return 'signed';
  }

  /**
   * A signed request may touch every bucket (one account). An anonymous one is served when every bucket and object
   * it touches allows it: reading an object (or listing a bucket) whose ACL is `public-read` or `public-read-write`
   * (the object's own, else its bucket's), writing or deleting in a `public-read-write` bucket, and so for every
   * bucket a `Pic-Operations` rule writes to and the source a copy reads ({@link anonymousTouches}). Anything else:
   * 403 `AccessDenied`.
   */
  authorize(exchange: Exchange, caller: Caller): void {
    if (caller === 'signed') return;
    const request = cosRequest(exchange);
    const touches = anonymousTouches(request, exchange.req.headers);
    if (!touches) {
      throw cosErrors.accessDenied(
        'Access Denied: the request is not signed (no Authorization header and no q-signature in the query).',
      );
    }
    const refused = touches.find((touch) => !this.allowsAnonymous(touch, request.operation));
    if (refused) {
      const what = refused.key ? `${refused.bucket}/${refused.key}` : refused.bucket;
      throw cosErrors.accessDenied(
        `Access Denied: an unsigned request may not ${refused.access} ${what} (its ACL does not allow anonymous access).`,
      );
    }
  }

  async serve(exchange: Exchange): Promise<void> {
    const request = cosRequest(exchange);
    try {
      if (!request.route || !request.target) throw request.error ?? cosErrors.invalidUri();
      checkTrafficLimit(exchange.req, request.target.query);
      await request.route.handler({
        exchange,
        target: request.target,
        bucket: request.bucket ?? '',
        key: request.key,
        style: request.style,
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
    exchange.sendError(known ?? cosErrors.internalError(), cosRequest(exchange).resource);
  }

  /**
   * The bucket's policy decides a read it speaks of (a deny wins); else the ACL. A bucket the emulator does not have
   * has no ACL, so it reads as `private`: refused.
   */
  private allowsAnonymous({ bucket, key, access }: Touch, operation: string): boolean {
    const store = this.env.store;
    if (access !== 'write') {
      const policy = anonymousPolicyDecision(store, bucket, key ?? '', readOperation(operation, key));
      if (policy) return policy === 'allow';
    }
    if (access === 'write') return effectiveAcl(store, bucket) === 'public-read-write';
    return effectiveAcl(store, bucket, access === 'read' ? key : undefined) !== 'private';
  }

  private checkBucket({ bucketExists, target }: ClassifiedRequest<CosHandler>): void {
    if (!bucketExists || !target) throw cosErrors.noSuchBucket();
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

/** The read a policy is asked about: a HEAD stays a HEAD, any other read of an object (a style URL, `?imageInfo`) is a GET. */
function readOperation(operation: string, key: string | undefined): string {
  if (key) return operation === 'HeadObject' ? 'HeadObject' : 'GetObject';
  return operation === 'HeadBucket' ? 'HeadBucket' : 'GetBucket';
}

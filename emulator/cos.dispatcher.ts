import { verifyCosSignature } from './auth/verify-cos-signature';
import { cosErrors } from './errors/cos-errors';
import { isCosHttpError } from './errors/cos-http.error';
import { cosRoutes } from './handlers';
import type { CosHandler, EmulatorEnvironment } from './handlers/handler.types';
import { preflightHeaders } from './http/cors';
import type { Exchange } from './http/exchange';
import { CosRouter, type CosScope } from './routing/cos-router';
import { type CosTarget, resolveTarget } from './routing/resolve-target';
import { errorResource } from './xml/location';

const DISCONNECT_CODES = new Set([
  'ERR_STREAM_PREMATURE_CLOSE',
  'ECONNRESET',
  'EPIPE',
  'ERR_STREAM_DESTROYED',
]);

function isDisconnect(error: unknown): boolean {
  return DISCONNECT_CODES.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** Called with an unexpected error (a bug, a disk failure) before the client gets 500 `InternalError`. */
export type UnexpectedErrorReporter = (error: unknown, exchange: Exchange) => void;

/**
 * The COS v5 XML API: answers CORS preflights, then resolves the bucket and key, routes to the operation,
 * checks the bucket exists and the q-sign signature holds, and runs the operation's handler. Every error
 * becomes a COS XML error envelope; an unexpected one is reported and answered 500 `InternalError`.
 */
export class CosDispatcher {
  private readonly router = new CosRouter<CosHandler>().addAll(cosRoutes);

  constructor(
    private readonly env: EmulatorEnvironment,
    private readonly reportUnexpected: UnexpectedErrorReporter,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Serves one request; never rejects. */
  async dispatch(exchange: Exchange): Promise<void> {
    let target: CosTarget | undefined;
    try {
      const method = (exchange.req.method ?? 'GET').toUpperCase();
      if (method === 'OPTIONS') {
        exchange.operation = 'OptionsObject';
        exchange.sendEmpty(200, preflightHeaders(exchange.req));
        return;
      }
      target = resolveTarget(exchange.req);
      exchange.bucket = target.bucket;
      exchange.key = target.key || undefined;
      const scope: CosScope = !target.bucket ? 'service' : target.key ? 'object' : 'bucket';
      const match = this.router.match(method, scope, target.query, exchange.req.headers);
      if (match.route) exchange.operation = match.route.operation;
      // COS checks the bucket first: an unknown sub-resource of a missing bucket is 404 NoSuchBucket, not 501.
      if (target.bucket) this.checkBucket(target);
      if (match.error) throw match.error;
      verifyCosSignature(
        {
          method,
          pathnames: target.signingPathnames,
          query: target.query,
          headers: exchange.req.headers,
          now: this.clock(),
        },
        this.env.credentials,
      );
      await match.route.handler({
        exchange,
        target,
        bucket: target.bucket ?? '',
        key: target.key,
        env: this.env,
      });
    } catch (error) {
      const known = isCosHttpError(error) ? error : undefined;
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
      const resource = errorResource(this.env.region, target?.bucket, target?.key ?? '', path);
      exchange.sendError(known ?? cosErrors.internalError(), resource);
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

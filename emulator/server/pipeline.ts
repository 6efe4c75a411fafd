import type { ApiDispatcher, Caller } from '../dispatchers/api-dispatcher';
import { cosErrors } from '../errors/cos-errors';
import { applyFault, type FaultRegistry, type ProcessingDelays } from '../faults';
import type { CiFaultType } from '../faults/fault.types';
import { actualCorsHeaders, answerPreflight, OPEN_CORS_RULES } from '../http/cors';
import type { Exchange } from '../http/exchange';
import type { ClassifiedRequest } from '../routing/classified-request';
import { PREFLIGHT_OPERATION } from '../routing/operations';
import type { ObjectStore } from '../storage/object-store';

/** One request on its way through the pipeline: the front door's record, its exchange, the API serving it. */
export interface PipelineRequest {
  readonly request: ClassifiedRequest;
  readonly exchange: Exchange;
  readonly api: ApiDispatcher;
  /** Ends the request once it is answered: drains an unread body, logs it. */
  readonly finish: () => void;
  /** Who calls, once the authentication stage said it. */
  caller?: Caller;
}

/**
 * One named stage: `'next'` hands the request on, `'done'` means the stage answered it (or took it over and
 * calls `finish` itself). A stage that throws has the API answer the error.
 */
export interface PipelineStage {
  readonly name: string;
  run(request: PipelineRequest): 'next' | 'done';
}

/** Runs the stages in order until one answers; an error a stage throws is answered in the request's API envelope. */
export function runPipeline(stages: readonly PipelineStage[], request: PipelineRequest): void {
  for (const stage of stages) {
    try {
      if (stage.run(request) === 'done') return;
    } catch (error) {
      request.api.fail(request.exchange, error);
      request.finish();
      return;
    }
  }
}

/**
 * CORS: a preflight is answered under the bucket's rules (404 `NoSuchBucket` when the bucket does not exist); an
 * actual request gets the headers those rules allow, and goes on.
 */
export function corsStage(store: ObjectStore, defaultCors: 'open' | 'none'): PipelineStage {
  return {
    name: 'cors',
    run({ request, exchange, finish }) {
      const { bucket, bucketExists } = request;
      const corsRules =
        (bucket !== undefined && bucketExists ? store.getBucketConfig(bucket).cors : undefined) ??
        (defaultCors === 'open' ? OPEN_CORS_RULES : undefined);
      if (request.operation === PREFLIGHT_OPERATION) {
        if (bucket !== undefined && !bucketExists) throw cosErrors.noSuchBucket();
        exchange.sendEmpty(200, answerPreflight(corsRules, exchange.req));
        finish();
        return 'done';
      }
      for (const [name, value] of Object.entries(actualCorsHeaders(corsRules, exchange.req))) {
        exchange.res.setHeader(name, value as string);
      }
      return 'next';
    },
  };
}

/** Authentication: the API checks the bucket, the route and the signature, and says who calls. */
export const authenticateStage: PipelineStage = {
  name: 'authenticate',
  run(request) {
    request.caller = request.api.authenticate(request.exchange);
    return 'next';
  },
};

/** Authorization, decided once for the whole request: the caller may touch everything it reads or writes. */
export const authorizeStage: PipelineStage = {
  name: 'authorize',
  run({ api, exchange, caller }) {
    api.authorize(exchange, caller ?? 'anonymous');
    return 'next';
  },
};

/** A fault that matched a request: which, for the request log. */
export type AppliedFault = { id: string; type: CiFaultType };

/**
 * Faults: the first registered fault that matches the request is applied. One that takes the request over
 * (an error answer, a reset, a stall) ends the pipeline; one that only shapes the answer lets it go on.
 */
export function faultStage(
  faults: FaultRegistry,
  processingDelays: ProcessingDelays,
  applied: WeakMap<Exchange, AppliedFault>,
): PipelineStage {
  return {
    name: 'faults',
    run({ request, exchange, finish }) {
      if (faults.isEmpty) return 'next';
      const fault = faults.take(request);
      if (!fault) return 'next';
      applied.set(exchange, { id: fault.id, type: fault.action.type });
      const tookOver = applyFault(fault.action, {
        exchange,
        request,
        resource: request.resource,
        done: finish,
        processingDelays,
      });
      return tookOver ? 'done' : 'next';
    },
  };
}

/** Dispatch: the API serves the request (never rejects; a bug is reported and the connection cut). */
export function dispatchStage(report: (error: unknown, exchange: Exchange) => void): PipelineStage {
  return {
    name: 'dispatch',
    run({ api, exchange, finish }) {
      api
        .serve(exchange)
        .catch((error: unknown) => {
          report(error, exchange);
          exchange.res.destroy();
        })
        .finally(finish);
      return 'done';
    },
  };
}

import { CosHttpError } from '../errors/cos-http.error';
import type { Exchange } from '../http/exchange';
import { declaredLength, discardBody } from '../http/request-body';
import type { FaultRequest } from './fault-registry';
import type { ProcessingDelays } from './processing-delays';
import type { CiErrorFault, CiFaultAction, CiResetFault } from './fault.types';
import { delayAnswer, malformAnswer, paceBody, resetAfterHeaders } from './response-interceptors';

/** Default piece size of a `latency` fault in the `body` phase. */
export const DEFAULT_FAULT_CHUNK_BYTES = 1024;

/** The request a fault applies to. */
export interface FaultTarget {
  exchange: Exchange;
  /** What the request was classified as. */
  request: FaultRequest;
  /** `Resource` of an injected error envelope. */
  resource: string;
  /** Called once, when a fault that took the request over is done with it (answered, reset, or abandoned). */
  done: () => void;
  /** Where a `slow-processing` fault holds the request's processing. */
  processingDelays: ProcessingDelays;
}

function answerError(action: CiErrorFault, target: FaultTarget): void {
  const { exchange, resource } = target;
  const { req, res } = exchange;
  const error = new CosHttpError(
    action.status,
    action.code,
    action.message ?? `Injected fault: ${action.status} ${action.code}.`,
  );
  const answer = () => exchange.sendError(error, resource);
  if (exchange.expectsContinue || req.complete) {
    // The client waits for 100 Continue before its body: answer now, and drop a body it sends anyway.
    answer();
    discardBody(req, res);
    return;
  }
  // Read the whole body first, so the answer reaches a client that is still sending on a healthy connection.
  req.on('error', () => undefined);
  req.once('end', answer);
  req.resume();
}

function resetRequest(target: FaultTarget): void {
  const { exchange } = target;
  const { req } = exchange;
  exchange.status = 0;
  let done = false;
  const reset = () => {
    if (done) return;
    done = true;
    req.socket?.resetAndDestroy();
  };
  req.on('error', () => undefined);
  const length = declaredLength(req);
  if (length === 0) {
    setImmediate(reset);
    return;
  }
  exchange.continueIfExpected();
  // Half of a declared body (a chunked one: its first bytes), then the reset.
  const threshold = length === undefined ? 1 : Math.max(1, Math.floor(length / 2));
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen >= threshold) reset();
  });
  req.once('end', reset);
  req.resume();
}

function stall(target: FaultTarget): void {
  const { exchange } = target;
  exchange.status = 0;
  exchange.continueIfExpected();
  exchange.req.on('error', () => undefined);
  exchange.req.resume();
}

function resetFault(action: CiResetFault, target: FaultTarget): boolean {
  if (action.phase === 'response') {
    resetAfterHeaders(target.exchange.res);
    return false;
  }
  resetRequest(target);
  return true;
}

/**
 * Applies a fault to a request that has not been served yet. Returns true when the fault takes the request over
 * (`error`, `stall`, `reset` in the request phase: the request is not served; `done` is called once the
 * connection or the answer is finished), false when the request is to be served as usual with its answer shaped
 * by the fault (`latency`, `reset` in the response phase, `malformed-xml`) or its processing slowed
 * (`slow-processing`).
 */
export function applyFault(action: CiFaultAction, target: FaultTarget): boolean {
  const { exchange } = target;
  switch (action.type) {
    case 'latency':
      if (action.phase === 'body') {
        paceBody(exchange.res, action.ms, action.chunkBytes ?? DEFAULT_FAULT_CHUNK_BYTES);
      } else {
        delayAnswer(exchange.res, action.ms);
      }
      return false;
    case 'malformed-xml':
      malformAnswer(exchange.res);
      return false;
    case 'slow-processing':
      target.processingDelays.hold(exchange.requestId, action.ms, exchange.res);
      return false;
    case 'reset':
      if (!resetFault(action, target)) return false;
      break;
    case 'error':
      answerError(action, target);
      break;
    case 'stall':
      stall(target);
      break;
  }
  exchange.res.once('close', target.done);
  return true;
}

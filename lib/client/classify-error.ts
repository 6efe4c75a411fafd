import { CiAbortError, CiError, CiNetworkError, CiTimeoutError, type CiRequestTarget } from '../core/errors';

/**
 * Turns what undici (or a stream) threw into a typed {@link CiError}, by `code` (never `instanceof`, which
 * breaks across duplicated copies of undici). CiErrors pass through.
 */
export function classifyTransportError(err: unknown, target: CiRequestTarget, signal?: AbortSignal): CiError {
  if (err instanceof CiError) return err;
  if (signal?.aborted) return new CiAbortError(target, { cause: signal.reason ?? err });
  const code = (err as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new CiTimeoutError(target, 'connect', { cause: err });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new CiTimeoutError(target, 'headers', { cause: err });
    case 'UND_ERR_BODY_TIMEOUT':
      return new CiTimeoutError(target, 'body', { cause: err });
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return new CiAbortError(target, { cause: err });
    default:
      if ((err as Error | undefined)?.name === 'AbortError') return new CiAbortError(target, { cause: err });
      return new CiNetworkError(target, { cause: err });
  }
}

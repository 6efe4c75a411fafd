import { setTimeout as sleep } from 'node:timers/promises';
import { isCiNetworkError, isCiResponseError, isCiTimeoutError } from '../core/errors';

/** Resolved retry policy. */
export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/** True for failures worth another attempt: 5xx (and 429), resets and other network errors, timeouts. */
export function isRetryable(err: unknown): boolean {
  if (isCiResponseError(err)) return err.statusCode >= 500 || err.statusCode === 429;
  return isCiNetworkError(err) || isCiTimeoutError(err);
}

/** Backoff before retry `attempt` (1-based): exponential with full jitter, capped. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Runs `fn` and retries it on retryable failures, stopping at once when `signal` aborts. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.retries || !isRetryable(err) || signal?.aborted) throw err;
      await sleep(backoffDelay(attempt + 1, policy), undefined, { signal }).catch(() => {
        throw err;
      });
    }
  }
}

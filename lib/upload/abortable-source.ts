import { CiAbortError } from '../core/errors';

/**
 * Wraps a source so that every wait for its next chunk also ends when `signal` aborts (with a `CiAbortError`):
 * a client that stalls, sending nothing on an open connection, cannot hold an upload, or a shutdown, forever.
 * The source itself is left as it is: the caller destroys or drains it.
 */
export function abortableSource(
  source: AsyncIterable<Buffer | Uint8Array | string> | AsyncIterator<Buffer | Uint8Array | string>,
  signal: AbortSignal,
  what: { method: string; path: string },
): AsyncIterableIterator<Buffer> {
  const iterator =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
      : (source as AsyncIterator<Buffer>);
  const aborted = () => new CiAbortError(what, { cause: signal.reason });
  // One abort listener for the whole iteration (not one per chunk): it rejects the wait in progress, if any.
  let rejectWait: ((err: unknown) => void) | undefined;
  const onAbort = () => rejectWait?.(aborted());
  let listening = false;
  const stopListening = () => {
    if (listening) signal.removeEventListener('abort', onAbort);
    listening = false;
  };
  const next = (): Promise<IteratorResult<Buffer>> => {
    if (signal.aborted) {
      stopListening();
      return Promise.reject(aborted());
    }
    if (!listening) {
      signal.addEventListener('abort', onAbort, { once: true });
      listening = true;
    }
    return new Promise((resolve, reject) => {
      rejectWait = reject;
      iterator.next().then(
        (result) => {
          rejectWait = undefined;
          if (result.done) stopListening();
          resolve(
            result.done || Buffer.isBuffer(result.value)
              ? result
              : { done: false, value: Buffer.from(result.value as Uint8Array) },
          );
        },
        (err: unknown) => {
          rejectWait = undefined;
          stopListening();
          reject(err);
        },
      );
    });
  };
  return {
    next,
    // The reader stopped early: drop the listener (the source is left as it is).
    return: () => {
      stopListening();
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

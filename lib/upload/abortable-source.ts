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
  const next = (): Promise<IteratorResult<Buffer>> => {
    if (signal.aborted) return Promise.reject(aborted());
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(aborted());
      signal.addEventListener('abort', onAbort, { once: true });
      iterator.next().then(
        (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(
            result.done || Buffer.isBuffer(result.value)
              ? result
              : { done: false, value: Buffer.from(result.value as Uint8Array) },
          );
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  };
  return {
    next,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

import type { Exchange } from '../http/exchange';

/** Called with an unexpected error (a bug, a disk failure) before the client gets 500 `InternalError`. */
export type UnexpectedErrorReporter = (error: unknown, exchange: Exchange) => void;

/** Who calls: a valid signature (the emulator has one account: its key pairs own every bucket), or nobody. */
export type Caller = 'signed' | 'anonymous';

/** One API the server pipeline hands a classified request to: its authentication, its serving, its errors. */
export interface ApiDispatcher {
  /**
   * The authentication stage: throws what to answer when the request may not be served as addressed (bucket,
   * route) or its signature does not hold; answers who calls.
   */
  authenticate(exchange: Exchange): Caller;
  /**
   * The authorization stage: throws (403) when the caller may not read or write everything the request touches
   * (the bucket, the object behind a style URL, every bucket a `Pic-Operations` rule writes to).
   */
  authorize(exchange: Exchange, caller: Caller): void;
  /** Serves an authenticated request; never rejects. */
  serve(exchange: Exchange): Promise<void>;
  /** Answers an error in this API's envelope (an unexpected one is reported and answered as an internal error). */
  fail(exchange: Exchange, error: unknown): void;
}

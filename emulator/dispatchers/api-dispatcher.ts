import type { Exchange } from '../http/exchange';

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

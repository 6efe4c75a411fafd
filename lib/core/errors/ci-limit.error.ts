import { CiError } from './ci.error';

/** Which limit of a route a request crossed. */
export type CiLimitReason = 'REQUEST_TOO_LARGE';

/**
 * A request refused by a route's limits before its body was read: its declared `Content-Length` cannot fit
 * the route's files and fields. Nothing was stored. Answered 413 (and the connection closed).
 */
export class CiLimitError extends CiError {
  override readonly name = 'CiLimitError';
  /** Why; stable. */
  readonly reason: CiLimitReason;
  /** The most bytes the route accepts, when the reason is a size. */
  readonly limit: number;

  constructor(reason: CiLimitReason, message: string, limit: number, options?: { cause?: unknown }) {
    super(message, 'CI_LIMIT', options);
    this.reason = reason;
    this.limit = limit;
  }
}

/** True when `value` is a {@link CiLimitError}. */
export function isCiLimitError(value: unknown): value is CiLimitError {
  return value instanceof Error && value.name === 'CiLimitError';
}

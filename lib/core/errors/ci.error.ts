/** Stable machine-readable codes carried by every {@link CiError}. */
export type CiErrorCode =
  | 'CI_VALIDATION'
  | 'CI_RESPONSE'
  | 'CI_TIMEOUT'
  | 'CI_NETWORK'
  | 'CI_ABORTED'
  | 'CI_PROTOCOL'
  | 'CI_UNSUPPORTED_MEDIA'
  | 'CI_LIMIT'
  | 'CI_BUSY';

/**
 * Base class of every error this package throws. `code` is stable across releases; `cause` chains the
 * underlying error (an undici error, a parse error) when there is one.
 */
export class CiError extends Error {
  override readonly name: string = 'CiError';
  /** Stable machine-readable code. */
  readonly code: CiErrorCode | string;

  constructor(message: string, code: CiErrorCode | string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `value` is a {@link CiError}; checks `name` too, so it works across duplicated package copies. */
export function isCiError(value: unknown): value is CiError {
  return (
    value instanceof CiError ||
    (value instanceof Error &&
      typeof (value as { code?: unknown }).code === 'string' &&
      /^Ci[A-Za-z]*Error$/.test(value.name))
  );
}

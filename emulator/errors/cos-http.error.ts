/**
 * An error the emulator answers as a COS XML error envelope (`<Error><Code/><Message/>...`).
 *
 * @example
 * throw new CosHttpError(404, 'NoSuchKey', 'The specified key does not exist.');
 */
export class CosHttpError extends Error {
  override readonly name = 'CosHttpError';

  constructor(
    /** HTTP status of the answer. */
    readonly status: number,
    /** COS error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...). */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `value` is a {@link CosHttpError}. */
export function isCosHttpError(value: unknown): value is CosHttpError {
  return value instanceof CosHttpError;
}

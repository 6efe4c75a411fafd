/**
 * Error codes of CI image processing, as the emulator answers them (`<Error><Code>` in COS XML).
 *
 * - `InvalidPicOperations`: the header is not JSON, has more than 5 rules, a bad `fileid` or bucket, or a malformed rule.
 * - `InvalidImageFormat`: the body is not an image the emulator decodes, or it is corrupt or truncated.
 * - `ImageResolutionExceed`: an image (source, watermark or planned output) over the pixel, side or frame limit.
 * - `ImageTooLarge`: a source over `maxSourceBytes`.
 * - `StyleNotFound`: `style/<name>` names no style (CI's numeric code -60967; CI's XML code name was not seen,
 *   so this one is the emulator's choice).
 * - `InvalidArgument`: a rule the emulator cannot execute as written (an unknown operation, a crop outside the image,
 *   an output format it cannot encode, a watermark image it cannot load).
 */
export type CiProcessingErrorCode =
  | 'InvalidPicOperations'
  | 'InvalidImageFormat'
  | 'ImageResolutionExceed'
  | 'ImageTooLarge'
  | 'StyleNotFound'
  | 'InvalidArgument';

/**
 * CI's older numeric codes (files-v2 `code`) for each {@link CiProcessingErrorCode}: -60998 invalid processing
 * parameter, -60997 too many rules (set by the thrower), -60996 file too large, -60967 style not found,
 * -62999 invalid image format.
 */
export const CI_PROCESSING_LEGACY_CODES: Readonly<Record<CiProcessingErrorCode, number>> = {
  InvalidPicOperations: -60998,
  InvalidImageFormat: -62999,
  ImageResolutionExceed: -60998,
  ImageTooLarge: -60996,
  StyleNotFound: -60967,
  InvalidArgument: -60998,
};

/** Codes that `ignore-error/1` turns into "return the original": the size and resolution limits. */
export const CI_LIMIT_ERROR_CODES: readonly CiProcessingErrorCode[] = [
  'ImageResolutionExceed',
  'ImageTooLarge',
];

/**
 * A refused image-processing request: HTTP 400 with a CI error code and a message naming the rule
 * (`rules[2]: ...`) when one rule is at fault. Thrown by `probeImage`, `executeRule` and `processPicOperations`.
 * @example
 * throw new CiProcessingError('InvalidImageFormat', 'rules[0]: the body is not an image');
 */
export class CiProcessingError extends Error {
  override readonly name = 'CiProcessingError';
  /** HTTP status of the answer: always 400. */
  readonly httpStatus = 400;
  /** CI error code. */
  readonly code: CiProcessingErrorCode;
  /** CI's older numeric code for the files-v2 envelope (-60998, -60997, -60996, -60967 or -62999). */
  readonly legacyCode: number;

  constructor(
    code: CiProcessingErrorCode,
    message: string,
    options?: { cause?: unknown; legacyCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.legacyCode = options?.legacyCode ?? CI_PROCESSING_LEGACY_CODES[code];
  }

  /** The same error with `prefix: ` before its message (keeps code, legacy code and cause). */
  withPrefix(prefix: string): CiProcessingError {
    return new CiProcessingError(this.code, `${prefix}: ${this.message}`, {
      cause: this.cause,
      legacyCode: this.legacyCode,
    });
  }
}

/** True when `value` is a {@link CiProcessingError}. */
export function isCiProcessingError(value: unknown): value is CiProcessingError {
  return value instanceof CiProcessingError;
}

import { CiError } from './ci.error';

/** Codes of {@link CiValidationError}: one per kind of bad input, so callers can branch on them. */
export type CiValidationCode =
  | 'TOO_MANY_RULES'
  | 'FILEID_EMPTY'
  | 'FILEID_TRAILING_SLASH'
  | 'FILEID_BAD_SEGMENT'
  | 'FILEID_CONTROL_CHAR'
  | 'FILEID_TOO_LONG'
  | 'FILEID_NOT_HEADER_SAFE'
  | 'FILEID_OVERWRITES_SOURCE'
  | 'BUCKET_INVALID'
  | 'RULE_EMPTY'
  | 'RULE_MALFORMED'
  | 'RULE_UNKNOWN_OPERATION'
  | 'OPTIONS_INVALID'
  | 'KEY_INVALID'
  | 'SIZE_MISMATCH';

/**
 * Input refused before anything was sent: a bad rule, fileid, bucket, key or option.
 * `field` names where the problem is (`rules[2].fileid`), `reason` the stable kind of problem.
 */
export class CiValidationError extends CiError {
  override readonly name = 'CiValidationError';
  /** The kind of problem; stable. */
  readonly reason: CiValidationCode;
  /** Where the problem is, as a path into the input (`rules[2].fileid`), when known. */
  readonly field?: string;

  constructor(reason: CiValidationCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, 'CI_VALIDATION', options);
    this.reason = reason;
    this.field = options?.field;
  }
}

/** True when `value` is a {@link CiValidationError}. */
export function isCiValidationError(value: unknown): value is CiValidationError {
  return value instanceof Error && value.name === 'CiValidationError';
}

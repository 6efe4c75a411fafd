import { CiError } from './ci.error';

/** Why an uploaded file was refused: before any byte went to CI, or when a direct upload was confirmed. */
export type CiMediaReason =
  | 'EMPTY_FILE'
  | 'MISSING_FILE'
  | 'NOT_AN_IMAGE'
  | 'FORMAT_NOT_ALLOWED'
  /** A direct upload larger than its ticket allowed (found at confirm time). */
  | 'FILE_TOO_LARGE'
  /** A direct upload whose processed outputs are not all there (found at confirm time). */
  | 'OUTPUTS_MISSING';

/** A file refused from its own bytes (magic numbers), before anything was sent. */
export class CiMediaError extends CiError {
  override readonly name = 'CiMediaError';
  /** Why; stable. */
  readonly reason: CiMediaReason;
  /** Form field of the file, when known. */
  readonly field?: string;

  constructor(reason: CiMediaReason, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, 'CI_UNSUPPORTED_MEDIA', options);
    this.reason = reason;
    this.field = options?.field;
  }
}

/** True when `value` is a {@link CiMediaError}. */
export function isCiMediaError(value: unknown): value is CiMediaError {
  return value instanceof Error && value.name === 'CiMediaError';
}

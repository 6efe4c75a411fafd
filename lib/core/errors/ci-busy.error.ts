import { CiError } from './ci.error';

/** Why an upload could not get buffer memory. */
export type CiBusyReason = 'BUDGET_WAIT_TIMEOUT' | 'BUDGET_TOO_SMALL';

/**
 * An upload could not get buffer memory from the client's shared budget (`upload.maxBufferedBytes`): it waited
 * longer than `upload.budgetWaitMs` while other uploads held the budget, or (a files-v2 stream of unknown size,
 * which must be held whole) the file is larger than the whole budget. Nothing was stored. Answered 503.
 */
export class CiBusyError extends CiError {
  override readonly name = 'CiBusyError';
  /** Why; stable. */
  readonly reason: CiBusyReason;
  /** The budget, in bytes. */
  readonly budgetBytes: number;

  constructor(reason: CiBusyReason, message: string, budgetBytes: number, options?: { cause?: unknown }) {
    super(message, 'CI_BUSY', options);
    this.reason = reason;
    this.budgetBytes = budgetBytes;
  }
}

/** True when `value` is a {@link CiBusyError}. */
export function isCiBusyError(value: unknown): value is CiBusyError {
  return value instanceof Error && value.name === 'CiBusyError';
}

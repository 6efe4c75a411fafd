import { randomUUID } from 'node:crypto';
import { isCiResponseError, isUnknownOutcome } from '../core/errors';
import type { CiObjectHead } from './ci-client.results';

/**
 * User metadata an upload writes with a value unique to it (cos-v5; files-v2 carries the same value in `biz_attr`,
 * which the emulator keeps as `x-cos-meta-biz-attr`). Every attempt of the upload sends the same value, so an
 * object that holds it was written by this upload and by nobody else.
 */
export const CI_ATTEMPT_METADATA = 'ci-attempt';

/** A fresh marker for one call. */
export function newAttemptMarker(): string {
  return randomUUID();
}

/** An insert-only refusal: cos-v5 `FileAlreadyExists`, files-v2 `-4018`. */
export function isObjectExists(err: unknown): boolean {
  return (
    isCiResponseError(err) && err.statusCode === 409 && ['FileAlreadyExists', '-4018'].includes(err.ciCode)
  );
}

/**
 * Tracks the attempts of one create: whether one of them may have stored before failing, and when the first began.
 * A conflict met by a later attempt is ours only then, and only if the object proves it (`isOwn`).
 */
export class CreateAttempts {
  /** When the first attempt began (ms since epoch). */
  readonly started = Date.now();
  private lost = false;

  /** Pass as the send's `onFailure`. */
  readonly onFailure = (err: unknown): void => {
    this.lost ||= isUnknownOutcome(err);
  };

  /** True when `err` is a conflict that an earlier attempt of this call may have caused. */
  mayBeOwnConflict(err: unknown): boolean {
    return this.lost && isObjectExists(err);
  }
}

/** True when a HEAD shows the object was written with `marker` (in `x-cos-meta-ci-attempt` or `biz_attr`). */
export function carriesMarker(head: CiObjectHead, marker: string): boolean {
  return head.metadata[CI_ATTEMPT_METADATA] === marker || head.metadata['biz-attr'] === marker;
}

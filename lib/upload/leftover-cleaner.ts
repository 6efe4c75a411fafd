import type { CiClient } from '../client';
import { isCiNetworkError, isCiProtocolError, isCiTimeoutError } from '../core/errors';
import type { CiLogger } from './upload.options';
import type { CiUploadTracker } from './upload.tracker';

/** Default delay of the second look after an unknown outcome (`unknownOutcomeRecheckMs`). */
export const CI_DEFAULT_RECHECK_MS = 10_000;

/** True when `err` leaves the outcome of a request that creates something unknown (it may have happened). */
export function isUnknownOutcome(err: unknown): boolean {
  return isCiTimeoutError(err) || isCiNetworkError(err) || isCiProtocolError(err);
}

/** What one failed or unknown-outcome operation may have created. */
export interface CiLeftovers {
  /** Objects: the original and the predicted outputs. */
  keys: string[];
  /** Key whose multipart uploads this operation may have opened; `since` bounds which are ours. */
  multipartKey?: string;
  /** When the operation began (ms since epoch). */
  since?: number;
}

/**
 * Resolves unknown outcomes (one mechanism for uploads and processing): removes what exists now, then, since
 * CI may still be working when the client gave up, looks again after `recheckMs` in the background (run at
 * once, and awaited within the deadline, on shutdown). Every step is logged; none throws.
 */
export class CiLeftoverCleaner {
  constructor(
    private readonly client: CiClient,
    private readonly tracker: CiUploadTracker,
    private readonly logger: CiLogger,
    private readonly recheckMs = CI_DEFAULT_RECHECK_MS,
  ) {}

  /** Removes stored objects (originals and outputs) of requests that failed after storing; never throws. */
  async remove(keys: readonly string[]): Promise<void> {
    await this.removeKeys(keys, false);
  }

  /** Removes what an operation with an unknown outcome may have created, now and once more later. */
  async resolve(leftovers: CiLeftovers, why: string): Promise<void> {
    const sweep = async (when: string) => {
      const [failed] = await Promise.all([
        this.removeKeys(leftovers.keys, true),
        this.abortUploads(leftovers),
      ]);
      const removed = leftovers.keys.filter((k) => !failed.includes(k));
      const what = [...removed, ...(leftovers.multipartKey ? [`uploads of ${leftovers.multipartKey}`] : [])];
      this.logger.debug?.(
        `${when}: removed ${what.join(', ')} if present` +
          (failed.length ? `; could not reach COS to remove ${failed.join(', ')}` : '') +
          ` (${why})`,
      );
    };
    await sweep('failed upload');
    this.tracker.defer(this.recheckMs, () => sweep('failed upload, second look'));
  }

  /**
   * Deletes `keys`, returning those it could not. A refusal is a warning with the key. When COS cannot be
   * reached while resolving an unknown outcome (`quietWhenUnreachable`), the upload's own failure was the one
   * warning: each key is a debug line, and the second look tries again.
   */
  private async removeKeys(keys: readonly string[], quietWhenUnreachable: boolean): Promise<string[]> {
    const failed = await Promise.all(
      keys.map((k) =>
        this.client.deleteObject(k).then(
          () => undefined,
          (err: unknown) => {
            const line = `could not remove ${k}: ${(err as Error).message}`;
            if (quietWhenUnreachable && (isCiNetworkError(err) || isCiTimeoutError(err))) {
              this.logger.debug?.(line);
            } else {
              this.logger.warn(line);
            }
            return k;
          },
        ),
      ),
    );
    return failed.filter((k): k is string => k !== undefined);
  }

  private async abortUploads({ multipartKey: key, since = 0 }: CiLeftovers): Promise<void> {
    if (key) await this.client.abortMultipartUploadsOf(key, since);
  }
}

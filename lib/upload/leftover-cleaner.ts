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
    await Promise.all(
      keys.map((k) =>
        this.client.deleteObject(k).catch((err: unknown) => {
          this.logger.warn(`could not remove ${k}: ${(err as Error).message}`);
        }),
      ),
    );
  }

  /** Removes what an operation with an unknown outcome may have created, now and once more later. */
  async resolve(leftovers: CiLeftovers, why: string): Promise<void> {
    const sweep = async (when: string) => {
      await Promise.all([this.remove(leftovers.keys), this.abortUploads(leftovers)]);
      const what = [
        ...leftovers.keys,
        ...(leftovers.multipartKey ? [`uploads of ${leftovers.multipartKey}`] : []),
      ];
      this.logger.debug?.(`${when}: removed ${what.join(', ')} if present (${why})`);
    };
    await sweep('failed upload');
    this.tracker.defer(this.recheckMs, () => sweep('failed upload, second look'));
  }

  private async abortUploads({ multipartKey: key, since = 0 }: CiLeftovers): Promise<void> {
    if (key) await this.client.abortMultipartUploadsOf(key, since);
  }
}

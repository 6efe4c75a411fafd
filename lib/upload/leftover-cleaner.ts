import { carriesMarker, type CiClient } from '../client';
import { isCiNetworkError, isCiResponseError, isCiTimeoutError } from '../core/errors';
import type { CiLogger } from './upload.options';
import type { CiUploadTracker } from './upload.tracker';

/** Default delay of the second look after an unknown outcome (`unknownOutcomeRecheckMs`). */
export const CI_DEFAULT_RECHECK_MS = 10_000;

export { isUnknownOutcome } from '../core/errors';

/** One object the module wrote: a key, in the client's bucket unless `bucket` names another (a rule's `bucket`). */
export interface CiObjectRef {
  key: string;
  /** `<name>-<appid>`; absent: the client's bucket. */
  bucket?: string;
  /**
   * The upload's marker (see `CiClientUploadOptions.marker`): the object is removed only when it holds it, so an
   * object someone else stored at the key (a request refused, or never served) is left alone.
   */
  marker?: string;
}

/** What one failed or unknown-outcome operation may have created. */
export interface CiLeftovers {
  /** Objects: the original and the predicted outputs, each in its own bucket. */
  objects: readonly CiObjectRef[];
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

  /**
   * Removes stored objects (originals and outputs) of requests that failed after storing, each in its own bucket
   * (never an output's key in the source bucket); never throws.
   */
  async remove(objects: readonly CiObjectRef[]): Promise<void> {
    await this.removeObjects(objects, false);
  }

  /** Removes what an operation with an unknown outcome may have created, now and once more later. */
  async resolve(leftovers: CiLeftovers, why: string): Promise<void> {
    const sweep = async (when: string) => {
      const [failed] = await Promise.all([
        this.removeObjects(leftovers.objects, true),
        this.abortUploads(leftovers),
      ]);
      const removed = leftovers.objects.filter((o) => !failed.includes(o));
      const what = [
        ...removed.map(describe),
        ...(leftovers.multipartKey ? [`uploads of ${leftovers.multipartKey}`] : []),
      ];
      this.logger.debug?.(
        `${when}: removed ${what.join(', ')} if present` +
          (failed.length ? `; could not reach COS to remove ${failed.map(describe).join(', ')}` : '') +
          ` (${why})`,
      );
    };
    await sweep('failed upload');
    this.tracker.defer(this.recheckMs, () => sweep('failed upload, second look'));
  }

  /**
   * Deletes `objects` (each in its own bucket; one with a marker only when it holds it), returning those it could
   * not. A refusal is a warning naming the object. When COS cannot be reached while resolving an unknown outcome
   * (`quietWhenUnreachable`), the upload's own failure was the one warning: each object is a debug line, and the
   * second look tries again.
   */
  private async removeObjects(
    objects: readonly CiObjectRef[],
    quietWhenUnreachable: boolean,
  ): Promise<CiObjectRef[]> {
    const failed = await Promise.all(
      objects.map(async (o) => {
        try {
          if (o.marker !== undefined && !(await this.holdsMarker(o))) return undefined;
          await this.client.deleteObject(o.key, { bucket: o.bucket });
          return undefined;
        } catch (err) {
          const line = `could not remove ${describe(o)}: ${(err as Error).message}`;
          if (quietWhenUnreachable && (isCiNetworkError(err) || isCiTimeoutError(err))) {
            this.logger.debug?.(line);
          } else {
            this.logger.warn(line);
          }
          return o;
        }
      }),
    );
    return failed.filter((o): o is CiObjectRef => o !== undefined);
  }

  /** True when the object exists and holds `o.marker`; a missing object is false. */
  private async holdsMarker(o: CiObjectRef): Promise<boolean> {
    try {
      return carriesMarker(await this.client.headObject(o.key, { bucket: o.bucket }), o.marker!);
    } catch (err) {
      if (isCiResponseError(err) && err.statusCode === 404) return false;
      throw err;
    }
  }

  private async abortUploads({ multipartKey: key, since = 0 }: CiLeftovers): Promise<void> {
    if (key) await this.client.abortMultipartUploadsOf(key, since);
  }
}

function describe(o: CiObjectRef): string {
  return o.bucket ? `${o.bucket}/${o.key}` : o.key;
}

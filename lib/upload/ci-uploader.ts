import { newAttemptMarker, type CiClient } from '../client';
import { CiAbortError, isUnknownOutcome } from '../core/errors';
import type { CiImageFormat, SniffedImageType } from '../core/media';
import { abortableSource } from './abortable-source';
import { CiLeftoverCleaner, type CiObjectRef } from './leftover-cleaner';
import { checkObjectKey, defaultObjectKey } from './object-key';
import type { CiFileOptionsSource } from './file-options.resolver';
import { CiProgressReporter } from './progress-reporter';
import { sniffSource } from './sniff-source';
import type { CiKeyStrategy, CiLogger } from './upload.options';
import type { CiUploadProgress } from './upload.progress';
import { toCiUploadResult, type CiUploadResult } from './upload.result';
import type { CiUploadTracker } from './upload.tracker';

/** What the upload use case needs, resolved once (per module, middleware or service). */
export interface CiUploaderConfig {
  client: CiClient;
  tracker: CiUploadTracker;
  logger: CiLogger;
  /** Key prefix of the default key strategy. */
  keyPrefix: string;
  /** Delay of the second look after an unknown outcome. */
  recheckMs?: number;
}

/** One file to upload. */
export interface CiUploadInput<TRequest = unknown> {
  /** The file's bytes, in order (a Readable, an async iterable or an async iterator). */
  source: AsyncIterable<Buffer | Uint8Array | string> | AsyncIterator<Buffer | Uint8Array | string>;
  /** Form field (`''` when there is none). */
  field: string;
  /** Index of the file within its field (for `{index}` in templates). */
  index: number;
  /** The client's file name, informative only. */
  originalName: string;
  /** The platform's request, handed to the key strategy. */
  request: TRequest;
  /** Processing, object headers and `insertOnly` of this file, fixed or computed once its type is known. */
  options: CiFileOptionsSource<TRequest>;
  /** Formats accepted, by magic bytes. */
  allowedFormats: readonly CiImageFormat[];
  /** Names the object; ignored when `key` is given. Default: `<keyPrefix>/<yyyy>/<mm>/<uuid>.<ext>`. */
  keyStrategy?: CiKeyStrategy<TRequest>;
  /** A fixed key. */
  key?: string;
  /** Total size when known: the file is then piped to CI (must match, else 400 and nothing stored). */
  size?: number;
  /**
   * The size predicted by the platform (a form's file from the request's Content-Length), asked once the file's
   * first bytes are in: an upper bound (see `CiClientUploadOptions.predictedSize`). Default: none.
   */
  predictedSize?: () => number | undefined;
  /** Aborts the upload (limit reached, client gone); shutdown aborts it too. */
  signal?: AbortSignal;
  /** Called once the type is known, with the first bytes (e.g. for file validators). */
  onSniffed?: (type: SniffedImageType, head: Buffer) => void;
  /** Receives throttled progress reports, the last `done` or `failed` (see `CiUploadProgress`). Default: none. */
  onProgress?: (progress: CiUploadProgress) => void | Promise<void>;
}

/**
 * The upload use case, the only place its rules live: read the first bytes and sniff the real type (refusing
 * what is not an allowed image before one byte goes to CI), name the object, expand the `fileid` templates,
 * upload through `CiClient.upload` with `Pic-Operations`, abort on the signal or shutdown, and remove what a
 * failed or unknown-outcome request may have stored. Knows no framework.
 *
 * @example
 * const result = await uploader.upload({ source: stream, field: 'file', index: 0, originalName: 'a.jpg',
 *   request: req, processing, allowedFormats: ['jpeg', 'png'] });
 */
export class CiUploader {
  /** Resolves unknown outcomes and removes stored files; shared with the adapters for cleanup on error. */
  readonly cleaner: CiLeftoverCleaner;

  constructor(private readonly config: CiUploaderConfig) {
    this.cleaner = new CiLeftoverCleaner(config.client, config.tracker, config.logger, config.recheckMs);
  }

  /** The tracker uploads run under (shutdown aborts them). */
  get tracker(): CiUploadTracker {
    return this.config.tracker;
  }

  /** Uploads one file and returns its typed result; throws a typed `CiError` (or the key strategy's error). */
  async upload<TRequest>(input: CiUploadInput<TRequest>): Promise<CiUploadResult> {
    const { client, logger } = this.config;
    const started = Date.now();
    let key: string | undefined;
    let outputs: CiObjectRef[] = [];
    // Stored with the original: clean-up after an unknown outcome removes the key only when it holds this value.
    const marker = newAttemptMarker();
    const progress =
      input.onProgress &&
      new CiProgressReporter(
        input.onProgress,
        { fieldname: input.field, originalName: input.originalName, size: input.size },
        logger,
      );
    progress?.start();
    try {
      return await this.config.tracker.track(
        async (shutdown) => {
          const signal = input.signal ? AbortSignal.any([input.signal, shutdown]) : shutdown;
          const what = { method: 'PUT', path: '/' + (input.key ?? input.field) };
          const abortable = abortableSource(input.source, signal, what);
          const source = progress ? progress.watch(abortable) : abortable;
          const sniffed = await sniffSource(source, input.allowedFormats, input.field || undefined);
          input.onSniffed?.(sniffed.type, sniffed.head);
          const file = {
            fieldname: input.field,
            originalname: input.originalName,
            mimetype: sniffed.type.mimetype,
            ext: sniffed.type.ext,
          };
          const options =
            typeof input.options === 'function' ? await input.options(input.request, file) : input.options;
          key = checkObjectKey(
            input.key ??
              (await (input.keyStrategy
                ? input.keyStrategy(input.request, file)
                : defaultObjectKey(this.config.keyPrefix, file))),
          );
          progress?.named(key);
          const built = options.processing.build({ key, field: input.field, index: input.index });
          outputs = built.outputs;
          const result = await client.upload(key, sniffed.body, {
            picOperations: built.picOperations,
            contentType: sniffed.type.mimetype,
            headers: options.headers,
            insertOnly: options.insertOnly,
            marker,
            size: input.size,
            predictedSize: input.predictedSize?.(),
            signal,
            onProgress: progress && ((p) => progress.sent(p.bytesSent, p.completing)),
          });
          if (signal.aborted) {
            // The abort came while the committing request was in flight: the object exists, the caller is gone.
            await this.cleaner.remove(storedObjects(result));
            throw new CiAbortError({ method: 'PUT', path: '/' + key }, { cause: signal.reason });
          }
          logger.debug?.(
            `stored ${key} (${result.size} bytes, ${result.imageInfo.processResults.length} outputs) in ` +
              `${Date.now() - started} ms, request id ${result.requestId ?? '-'}`,
          );
          progress?.done(key);
          return toCiUploadResult(result, {
            fieldname: input.field,
            mimetype: sniffed.type.mimetype,
            originalName: input.originalName,
          });
        },
        { method: 'PUT', path: '/' + (input.key ?? input.field) },
      );
    } catch (err) {
      // A timeout, reset or unreadable answer after the bytes went out leaves the outcome unknown, and so does an
      // abort (shutdown, the client gone) while a request was being served: the object, its outputs or an open
      // multipart upload may exist. The original is removed only if it holds this upload's marker.
      if (key && isUnknownOutcome(err)) {
        await this.cleaner.resolve(
          { objects: [{ key, marker }, ...outputs], multipartKey: key, since: started },
          (err as Error).message,
        );
      } else if (key) {
        // Any other failure stored nothing, but the abort of a multipart upload may itself have failed (it is
        // best effort): look for the key's open uploads now and once more later.
        await this.cleaner.resolve(
          { objects: [], multipartKey: key, since: started },
          (err as Error).message,
        );
      }
      progress?.failed(err);
      throw err;
    }
  }

  /** Removes stored results (originals and outputs); never throws. */
  async remove(results: Iterable<Pick<CiUploadResult, 'key' | 'imageInfo'>>): Promise<void> {
    await this.cleaner.remove([...results].flatMap(storedObjects));
  }
}

/** The objects a stored result occupies: the original, and its outputs each in the bucket CI reported. */
export function storedObjects(stored: Pick<CiUploadResult, 'key' | 'imageInfo'>): CiObjectRef[] {
  return [
    { key: stored.key },
    ...(stored.imageInfo?.processResults ?? []).map((r) => ({
      key: r.key,
      ...(r.bucket ? { bucket: r.bucket } : {}),
    })),
  ].filter((o) => !!o.key);
}

import { cosErrors } from '../errors/cos-errors';
import { CosHttpError } from '../errors/cos-http.error';
import type { ObjectStore } from '../storage/object-store';
import { IMAGE_CONTENT_TYPES, runDownloadProcess } from './download/run-download';
import type { PicOutput, PicProcessingOutcome, PicProcessor } from './pic-processor';
import { parsePicOperationsHeader, processPicOperations } from './process-pic-operations';
import { CiProcessingError } from './processing.error';
import { resolveProcessingLimits, type ProcessingLimits } from './processing-limits';
import { planRule, type CiStyles } from './rule-plan';
import type { WatermarkLoader } from './watermark-source';

/** Options of {@link createCiPicProcessor}. */
export interface CiPicProcessorOptions {
  /** Where a rule's `bucket` is looked up (404 `NoSuchBucket` when the emulator has no such bucket). */
  store: Pick<ObjectStore, 'hasBucket'>;
  /** Styles for `style/<name>` rules: a fixed set, or a function read at each request (styles set at run time). */
  styles?: CiStyles | (() => CiStyles);
  /** Processing limits; unset ones take their defaults (100 M pixels, 30000 px a side, 300 frames, 20 MiB). */
  limits?: Partial<ProcessingLimits>;
  /** Reads a `watermark/1` image; without it every image watermark fails with `InvalidArgument`. */
  loadWatermark?: WatermarkLoader;
}

/**
 * The COS error answer of a refused processing request: 400 with CI's code (`InvalidImageFormat`, ...) and the
 * engine's message naming the rule; the `CiProcessingError` stays as `cause` (files-v2 reads its `legacyCode`).
 */
export function picProcessingHttpError(error: CiProcessingError): CosHttpError {
  return new CosHttpError(error.httpStatus, error.code, error.message, { cause: error });
}

function asHttpError(error: unknown): unknown {
  return error instanceof CiProcessingError ? picProcessingHttpError(error) : error;
}

/**
 * Everything that can be refused before the source is read: the header and every rule (JSON, rule count, fileid,
 * grammar, styles, what the emulator executes), the target buckets, and a source whose size is already known to
 * be over `maxSourceBytes` (unless every rule has `ignore-error/1`, as the engine decides).
 */
function checkBeforeReading(
  picOperations: string,
  sourceSize: number | undefined,
  styles: CiStyles,
  limits: ProcessingLimits,
  store: Pick<ObjectStore, 'hasBucket'>,
): void {
  const parsed = parsePicOperationsHeader(picOperations);
  const ignores = parsed.rules.map((entry, index) => {
    try {
      return planRule(entry.rule, styles).ignoreError;
    } catch (error) {
      throw error instanceof CiProcessingError ? error.withPrefix(`rules[${index}]`) : error;
    }
  });
  parsed.rules.forEach((entry, index) => {
    if (entry.bucket !== undefined && !store.hasBucket(entry.bucket)) {
      throw cosErrors.noSuchBucket(
        `rules[${index}]: the target bucket ${JSON.stringify(entry.bucket)} does not exist.`,
      );
    }
  });
  if (sourceSize !== undefined && sourceSize > limits.maxSourceBytes) {
    const failing = ignores.findIndex((ignored) => !ignored);
    if (parsed.rules.length === 0 || failing >= 0) {
      const error = new CiProcessingError(
        'ImageTooLarge',
        `the source is ${sourceSize} bytes, over the ${limits.maxSourceBytes}-byte limit`,
      );
      throw failing >= 0 ? error.withPrefix(`rules[${failing}]`) : error;
    }
  }
}

/**
 * The emulator's default {@link PicProcessor}: CI image processing with real pixels over `processPicOperations`.
 * `validate` refuses a bad header, rule, style, target bucket or oversized source before the body is read;
 * `process` runs every rule on the source in memory and returns the outputs to store (it stores nothing). Every
 * refusal is a `CosHttpError` 400 with CI's code and a message naming the rule (`rules[1]: ...`).
 * @example
 * const processor = createCiPicProcessor({ store, styles: { thumb: 'imageMogr2/thumbnail/200x' } });
 * await startCiEmulator({}, { picProcessor: processor });
 */
export function createCiPicProcessor(options: CiPicProcessorOptions): PicProcessor {
  const limits = resolveProcessingLimits(options.limits);
  const styles = (): CiStyles =>
    typeof options.styles === 'function' ? options.styles() : (options.styles ?? {});
  return {
    validate(request) {
      try {
        checkBeforeReading(request.picOperations, request.sourceSize, styles(), limits, options.store);
      } catch (error) {
        throw asHttpError(error);
      }
    },
    async process(request): Promise<PicProcessingOutcome> {
      const load = options.loadWatermark;
      try {
        const result = await processPicOperations({
          source: request.source,
          sourceKey: request.key,
          sourceBucket: request.bucket,
          headerValue: request.picOperations,
          styles: styles(),
          limits,
          loadWatermark: load ? (url) => load(request.bucket, url) : undefined,
        });
        const outputs = result.outputs.map((o): PicOutput => ({
          bucket: o.bucket,
          key: o.key,
          fileid: o.fileid,
          body: o.body,
          contentType: IMAGE_CONTENT_TYPES[o.format] ?? 'application/octet-stream',
          format: o.format,
          width: o.width,
          height: o.height,
          quality: o.quality,
        }));
        const info = result.originalInfo;
        return {
          outputs,
          originalImageInfo: info && {
            format: info.format,
            width: info.width,
            height: info.height,
            quality: info.quality,
            // Absent only for a source over the limits that every rule's ignore-error/1 let through.
            ave: info.ave ?? '',
            orientation: info.orientation,
          },
        };
      } catch (error) {
        throw asHttpError(error);
      }
    },
    hasStyle: (name) => Object.prototype.hasOwnProperty.call(styles(), name),
    async download(request) {
      const load = options.loadWatermark;
      try {
        return await runDownloadProcess({
          source: request.source,
          process: request.process,
          styles: styles(),
          limits,
          loadWatermark: load ? (url) => load(request.bucket, url) : undefined,
        });
      } catch (error) {
        throw asHttpError(error);
      }
    },
  };
}

import { CiValidationError } from '../../lib/core/errors';
import type { CiImageFormat } from '../../lib/core/media/image-format';
import { parsePicOperations, resolveFileId, type ParsedPicOperations } from '../../lib/core/pic-operations';
import { executeRule } from './execute-rule';
import {
  averageColour,
  checkImageLimits,
  readImageHeader,
  type CiSourceFormat,
  type ImageHeader,
} from './image-probe';
import { CI_LIMIT_ERROR_CODES, CiProcessingError } from './processing.error';
import { resolveProcessingLimits, type ProcessingLimits } from './processing-limits';
import { planRule, type CiStyles } from './rule-plan';

/** Input of {@link processPicOperations}. */
export interface ProcessPicOperationsInput {
  /** The image: the uploaded body, or the stored object for `image_process`. */
  source: Buffer;
  /** Object key of the source (without or with a leading `/`); relative `fileid`s resolve against its directory. */
  sourceKey: string;
  /** Bucket of the source (`<name>-<appid>`): where outputs go unless a rule names another. */
  sourceBucket: string;
  /** The raw `Pic-Operations` header value. */
  headerValue: string;
  /** Styles for `style/<name>` rules. Default none. */
  styles?: CiStyles;
  /** Limits; unset ones take their defaults (`maxSourceBytes` 20 MiB, at most 32 MiB). */
  limits?: Partial<ProcessingLimits>;
  /** Returns the bytes behind a `watermark/1` URL, or `undefined` when there is no such object. */
  loadWatermark?: (url: string) => Promise<Buffer | undefined>;
}

/** `OriginalInfo/ImageInfo` (`original_info`) of the source. */
export interface ProcessedOriginalInfo {
  /** CI's upper-case name (`JPEG`, `PNG`, `GIF`, `WEBP`, `BMP`, `AVIF`, `TIFF`). */
  format: CiSourceFormat;
  width: number;
  height: number;
  /** JPEG: estimated from the quantisation tables; 100 otherwise. */
  quality: number;
  /** Average colour `0xrrggbb`; absent only when the source is over the limits and every rule has `ignore-error/1`. */
  ave?: string;
  /** EXIF orientation (1 when absent). */
  orientation: number;
}

/** One output to store: one per rule, in rule order. */
export interface ProcessedOutput {
  /** Target bucket: the rule's, or the source's. */
  bucket: string;
  /** Object key, resolved from the rule's `fileid` (no leading `/`). */
  key: string;
  /** The rule's `fileid` as written (files-v2 answers it as `file_id`). */
  fileid: string;
  body: Buffer;
  /** Lower case (`jpeg`, `png`, `webp`, `gif`, `avif`, `bmp`, `tiff`). */
  format: CiImageFormat;
  width: number;
  height: number;
  size: number;
  quality: number;
  /** Set when `ignore-error/1` stored the source instead of failing with this limit error. */
  ignoredError?: CiProcessingError;
}

/** Result of {@link processPicOperations}: what to store and what to answer. */
export interface ProcessPicOperationsResult {
  /** `is_pic_info` was 1. */
  isPicInfo: boolean;
  /** Present when `is_pic_info` was 1. */
  originalInfo?: ProcessedOriginalInfo;
  /** One per rule, in rule order. */
  outputs: ProcessedOutput[];
}

/**
 * Plans every rule before any pixel is decoded, so that an unknown style or operation fails the request at once
 * (naming its rule); returns whether each rule has `ignore-error/1`.
 */
function planAll(parsed: ParsedPicOperations, styles: CiStyles | undefined): boolean[] {
  return parsed.rules.map((entry, index) => {
    try {
      return planRule(entry.rule, styles).ignoreError;
    } catch (error) {
      throw error instanceof CiProcessingError ? error.withPrefix(`rules[${index}]`) : error;
    }
  });
}

/** Parses a `Pic-Operations` header with the engine's error codes (`InvalidPicOperations`, -60997 for > 5 rules). */
export function parsePicOperationsHeader(headerValue: string): ParsedPicOperations {
  try {
    return parsePicOperations(headerValue);
  } catch (error) {
    if (!(error instanceof CiValidationError)) throw error;
    const index = /^rules\[(\d+)\]/.exec(error.field ?? '')?.[1];
    const message =
      index !== undefined && !error.message.includes(`rules[${index}]`)
        ? `rules[${index}]: ${error.message}`
        : error.message;
    throw new CiProcessingError('InvalidPicOperations', message, {
      cause: error,
      legacyCode: error.reason === 'TOO_MANY_RULES' ? -60997 : undefined,
    });
  }
}

/**
 * Executes a `Pic-Operations` header on a source image as CI does on upload or `image_process`: validates the header
 * (`InvalidPicOperations`: bad JSON, more than 5 rules, a bad `fileid` or bucket, a malformed rule), plans every
 * rule (`StyleNotFound`, `InvalidArgument` for what the emulator cannot do) before decoding anything, checks the
 * source (`ImageTooLarge` over `maxSourceBytes`; `ImageResolutionExceed` from its header alone, so a decompression
 * bomb is refused before any decoding; `InvalidImageFormat`), measures it for `is_pic_info`, and runs every rule.
 *
 * The request fails whole: the first failing rule throws (its message starts with `rules[<i>]: `) and nothing is
 * returned to store, as a failed CI request stores nothing. The one exception is `ignore-error/1`: a rule carrying
 * it answers the source bytes when a size or resolution limit fails (of the source, or of that rule's output).
 * Rules run one after another (libvips already uses the cores for one image, and memory stays bounded).
 * @example
 * const { outputs } = await processPicOperations({
 *   source, sourceKey: 'photos/a.jpg', sourceBucket: 'media-1250000000',
 *   headerValue: '{"is_pic_info":1,"rules":[{"fileid":"a-small.webp","rule":"imageMogr2/thumbnail/400x/format/webp"}]}',
 * });
 */
export async function processPicOperations(
  input: ProcessPicOperationsInput,
): Promise<ProcessPicOperationsResult> {
  const limits = resolveProcessingLimits(input.limits);
  const parsed = parsePicOperationsHeader(input.headerValue);
  const keys = parsed.rules.map((entry) => resolveFileId(input.sourceKey, entry.fileid));
  const ignore = planAll(parsed, input.styles);

  const header: ImageHeader = await readImageHeader(input.source, 'the source');
  let limitError: CiProcessingError | undefined;
  try {
    if (input.source.length > limits.maxSourceBytes) {
      throw new CiProcessingError(
        'ImageTooLarge',
        `the source is ${input.source.length} bytes, over the ${limits.maxSourceBytes}-byte limit`,
      );
    }
    checkImageLimits(header, limits, 'the source');
  } catch (error) {
    if (!(error instanceof CiProcessingError) || !CI_LIMIT_ERROR_CODES.includes(error.code)) throw error;
    limitError = error;
  }
  if (limitError) {
    const failing = ignore.findIndex((ignores) => !ignores);
    if (parsed.rules.length === 0 || failing >= 0) {
      throw failing >= 0 ? limitError.withPrefix(`rules[${failing}]`) : limitError;
    }
  }

  const result: ProcessPicOperationsResult = { isPicInfo: parsed.isPicInfo, outputs: [] };
  if (parsed.isPicInfo) {
    const info: ProcessedOriginalInfo = {
      format: header.format,
      width: header.width,
      height: header.height,
      quality: header.quality,
      orientation: header.orientation,
    };
    // The average needs pixels: not decoded for a source over the limits.
    if (!limitError) info.ave = await averageColour(input.source, header, 'the source');
    result.originalInfo = info;
  }

  for (const [index, entry] of parsed.rules.entries()) {
    const bucket = entry.bucket ?? input.sourceBucket;
    if (limitError) {
      result.outputs.push({
        bucket,
        key: keys[index],
        fileid: entry.fileid,
        body: input.source,
        format: header.type,
        width: header.width,
        height: header.height,
        size: input.source.length,
        quality: header.quality,
        ignoredError: limitError,
      });
      continue;
    }
    try {
      const out = await executeRule(input.source, entry.rule, {
        styles: input.styles,
        loadWatermark: input.loadWatermark,
        limits,
        header,
      });
      const output: ProcessedOutput = {
        bucket,
        key: keys[index],
        fileid: entry.fileid,
        body: out.body,
        format: out.format,
        width: out.width,
        height: out.height,
        size: out.size,
        quality: out.quality,
      };
      if (out.ignoredError) output.ignoredError = out.ignoredError;
      result.outputs.push(output);
    } catch (error) {
      if (error instanceof CiProcessingError) throw error.withPrefix(`rules[${index}]`);
      throw error;
    }
  }
  return result;
}

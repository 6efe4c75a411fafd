import type { CiImageFormat } from '../../lib/core/media/image-format';
import type { CiRule } from '../../lib/core/rules';
import { checkImageLimits, openImage, readImageHeader, type ImageHeader } from './image-probe';
import { estimateJpegQuality } from './jpeg-quality';
import { PixelPipeline, type EncodedImage, type EncodeSpec } from './pixel-pipeline';
import { CI_LIMIT_ERROR_CODES, CiProcessingError } from './processing.error';
import { resolveProcessingLimits, type ProcessingLimits } from './processing-limits';
import {
  outputEncoding,
  planRule,
  resolveQuality,
  stepExecutor,
  type PlannedStep,
  type RulePlan,
} from './rule-plan';
import type { RunState } from './rule-executors';
import type { ExecuteRuleContext } from './rule.types';

export type { ExecuteRuleContext } from './rule.types';

/** One processed image, measured on the encoded bytes. */
export interface ExecuteRuleResult {
  /** The encoded output. */
  body: Buffer;
  /** Output format in lower case (`jpeg`, `png`, `webp`, `gif`, `avif`, `bmp`, `tiff`). */
  format: CiImageFormat;
  width: number;
  /** Of one frame for an animated output. */
  height: number;
  /** Bytes of `body`. */
  size: number;
  /** JPEG: estimated from the output's quantisation tables; WebP/AVIF: the quality encoded with; otherwise 100. */
  quality: number;
  /** Frames (1 for a still image). */
  pages: number;
  /** Set when `ignore-error/1` answered the source itself instead of failing with this limit error. */
  ignoredError?: CiProcessingError;
}

async function runStep({ step, label }: PlannedStep, state: RunState): Promise<void> {
  await stepExecutor(step).run?.(step as never, state, label);
  if (step.kind === 'imageMogr2' && step.ops.some((op) => op.op === 'strip')) state.pipeline.orientation = 1;
}

/** Encodes, lowering the JPEG quality step by step (binary search) until the output fits `size-limit`. */
async function encodeWithinLimit(
  pipeline: PixelPipeline,
  spec: EncodeSpec,
  limit: number,
): Promise<EncodedImage> {
  // Materialise once so that each trial is an encode, not a decode and a resize again.
  await pipeline.flush();
  let best = await pipeline.encode(spec);
  if (best.data.length <= limit) return best;
  let low = 1;
  let high = spec.quality - 1;
  let smallest = best;
  while (low <= high) {
    const quality = Math.floor((low + high) / 2);
    const trial = await pipeline.encode({ ...spec, quality });
    if (trial.data.length < smallest.data.length) smallest = trial;
    if (trial.data.length <= limit) {
      best = trial;
      low = quality + 1;
    } else high = quality - 1;
  }
  return best.data.length <= limit ? best : smallest;
}

function sourceAsResult(source: Buffer, header: ImageHeader, error?: CiProcessingError): ExecuteRuleResult {
  const result: ExecuteRuleResult = {
    body: source,
    format: header.type,
    width: header.width,
    height: header.height,
    size: source.length,
    quality: header.quality,
    pages: header.pages,
  };
  if (error) result.ignoredError = error;
  return result;
}

/**
 * Executes a CI rule on an image with real pixels (sharp / libvips) and encodes the result. Steps run in pipe
 * order on one pixel pipeline and the image is encoded once, at the end (no quality lost between steps); operations
 * run in the order the rule writes them. `style/<name>` steps are looked up in `ctx.styles`.
 *
 * Output: the format asked for (`jpg`/`jpeg`/`yjpeg` (mozjpeg) → JPEG, `png`, `webp`, `gif`, `avif`, `bmp`), else the
 * source's (PNG when `iradius`/`rradius` cut corners of a JPEG or BMP). Animated GIF and WebP keep every frame when
 * the output is GIF or WebP (the first frame otherwise). EXIF is kept unless `strip` (when the rule runs in one
 * libvips pass; after a materialised pass only the orientation is carried over).
 *
 * Errors (`CiProcessingError`): `InvalidArgument` for what the emulator cannot do as written (an unknown
 * operation or parameter, `format/heif|tpg|svgc|jxl`, a crop outside the image, a watermark it cannot load),
 * `StyleNotFound`, `InvalidImageFormat`, `ImageTooLarge` and `ImageResolutionExceed` (source or planned output over
 * the limits). With `ignore-error/1`, the last two answer the source itself (`ignoredError` set).
 * @example const out = await executeRule(jpeg, parseRule('imageMogr2/thumbnail/400x/format/webp'), {});
 */
export async function executeRule(
  source: Buffer,
  rule: CiRule,
  ctx: ExecuteRuleContext = {},
): Promise<ExecuteRuleResult> {
  const limits = resolveProcessingLimits(ctx.limits);
  const plan = planRule(rule, ctx.styles);
  const header = ctx.header ?? (await readImageHeader(source, 'the source'));
  try {
    return await execute(source, header, plan, limits, ctx);
  } catch (error) {
    if (plan.ignoreError && error instanceof CiProcessingError && CI_LIMIT_ERROR_CODES.includes(error.code)) {
      return sourceAsResult(source, header, error);
    }
    throw error;
  }
}

async function execute(
  source: Buffer,
  header: ImageHeader,
  plan: RulePlan,
  limits: ProcessingLimits,
  ctx: ExecuteRuleContext,
): Promise<ExecuteRuleResult> {
  if (source.length > limits.maxSourceBytes) {
    throw new CiProcessingError(
      'ImageTooLarge',
      `the source is ${source.length} bytes, over the ${limits.maxSourceBytes}-byte limit`,
    );
  }
  checkImageLimits(header, limits, 'the source');
  const encoding = outputEncoding(plan, header.type);
  const animatedOutput = encoding.encoder === 'gif' || encoding.encoder === 'webp';
  // `frame/<n>` takes one frame (the last when n is past the end); `cgif` keeps the first frames.
  const page = plan.frame === undefined ? 0 : Math.min(plan.frame, header.pages) - 1;
  const pages =
    animatedOutput && plan.frame === undefined ? Math.min(plan.frames ?? header.pages, header.pages) : 1;
  const image = openImage(source, header, { pages, page, maxPixels: limits.maxPixels });
  const pipeline = new PixelPipeline(image, {
    size: { width: header.width, height: header.height },
    pages,
    hasAlpha: header.hasAlpha,
    fromSource: header.type !== 'bmp',
    orientation: header.orientation,
    checkSize: (size, frames) => checkImageLimits({ ...size, pages: frames }, limits, 'the planned output'),
    what: 'the source',
  });
  const state: RunState = {
    pipeline,
    limits,
    ctx,
    alphaOutput: encoding.encoder !== 'jpeg' && encoding.encoder !== 'bmp',
  };
  for (const step of plan.steps) {
    try {
      await runStep(step, state);
    } catch (error) {
      // Errors from a step's own checks already name it; a limit or decode error found later gets the step too.
      if (error instanceof CiProcessingError && !error.message.startsWith(step.label))
        throw error.withPrefix(step.label);
      throw error;
    }
  }
  const quality = resolveQuality(plan, header);
  const spec: EncodeSpec = {
    format: encoding.encoder,
    quality,
    progressive: plan.interlace,
    mozjpeg: encoding.mozjpeg,
    keepMetadata: !plan.strip,
    slim: plan.slim,
    ...(header.delay ? { delay: header.delay.slice(0, pages) } : {}),
    ...(header.loop !== undefined ? { loop: header.loop } : {}),
  };
  const encoded =
    plan.sizeLimit && encoding.encoder === 'jpeg'
      ? await encodeWithinLimit(pipeline, spec, plan.sizeLimit.bytes)
      : await pipeline.encode(spec);
  if (plan.sizeLimit?.force && source.length < encoded.data.length) return sourceAsResult(source, header);
  // A rule that only slims never answers bigger than the source it could have kept.
  const onlySlim = plan.steps.every(({ step }) => step.kind === 'imageSlim');
  if (onlySlim && encoding.reported === header.type && source.length <= encoded.data.length)
    return sourceAsResult(source, header);
  const measured =
    encoding.encoder === 'jpeg'
      ? (estimateJpegQuality(encoded.data) ?? quality)
      : encoding.encoder === 'webp' || encoding.encoder === 'avif'
        ? quality
        : 100;
  return {
    body: encoded.data,
    format: encoding.reported,
    width: encoded.width,
    height: encoded.height,
    size: encoded.data.length,
    quality: measured,
    pages: encoded.pages,
  };
}

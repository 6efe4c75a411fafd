import type { CiImageFormat } from '../../lib/core/media/image-format';
import type { CiImageMogr2Step, CiImageView2Step, CiRule } from '../../lib/core/rules';
import { clipRect, cropRect, imageView2Plan, thumbnailBox, thumbnailSize, type Size } from './geometry';
import { checkImageLimits, openImage, readImageHeader, type ImageHeader } from './image-probe';
import { estimateJpegQuality } from './jpeg-quality';
import { PixelPipeline, type EncodedImage, type EncodeSpec } from './pixel-pipeline';
import { CI_LIMIT_ERROR_CODES, CiProcessingError } from './processing.error';
import { resolveProcessingLimits, type ProcessingLimits } from './processing-limits';
import {
  outputEncoding,
  planRule,
  resolveQuality,
  type CiStyles,
  type PlannedStep,
  type RulePlan,
} from './rule-plan';
import { imageWatermarkOverlays, textWatermarkOverlays } from './watermark';

/** What {@link executeRule} needs besides the image and the rule. */
export interface ExecuteRuleContext {
  /** Styles for `style/<name>` steps, by name. Default none. */
  styles?: CiStyles;
  /** Returns the bytes behind a `watermark/1` image URL, or `undefined` when there is no such object. */
  loadWatermark?: (url: string) => Promise<Buffer | undefined>;
  /** Limits; unset ones take their defaults. */
  limits?: Partial<ProcessingLimits>;
  /** The source's header when the caller has already read it (saves reading it again). */
  header?: ImageHeader;
}

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

const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };

interface RunState {
  pipeline: PixelPipeline;
  limits: ProcessingLimits;
  ctx: ExecuteRuleContext;
  /** The output can hold transparency (not JPEG or BMP). */
  alphaOutput: boolean;
}

function fail(label: string, message: string): never {
  throw new CiProcessingError('InvalidArgument', `${label}: ${message}`);
}

const same = (a: Size, b: Size): boolean => a.width === b.width && a.height === b.height;

/** The SVG mask of a circle filling a `d`×`d` square, or of a rectangle with rounded corners. */
function maskSvg(size: Size, radius: number, circle: boolean): Buffer {
  const shape = circle
    ? `<circle cx="${size.width / 2}" cy="${size.height / 2}" r="${size.width / 2}" fill="#fff"/>`
    : `<rect x="0" y="0" width="${size.width}" height="${size.height}" rx="${radius}" ry="${radius}" fill="#fff"/>`;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}">${shape}</svg>`,
  );
}

async function runImageMogr2(step: CiImageMogr2Step, label: string, state: RunState): Promise<void> {
  const { pipeline } = state;
  const pad = step.ops.find((op) => op.op === 'pad');
  for (const op of step.ops) {
    const where = `${label} ${op.op}`;
    switch (op.op) {
      case 'thumbnail': {
        const current = await pipeline.size();
        const target = thumbnailSize(op, current);
        if (!same(target, current)) await pipeline.resize(target);
        const box = pad ? thumbnailBox(op) : undefined;
        if (box && pad?.op === 'pad') {
          const dw = Math.max(0, box.width - target.width);
          const dh = Math.max(0, box.height - target.height);
          if (dw > 0 || dh > 0) {
            const edges = {
              left: Math.floor(dw / 2),
              right: dw - Math.floor(dw / 2),
              top: Math.floor(dh / 2),
              bottom: dh - Math.floor(dh / 2),
            };
            await pipeline.extend(edges, pad.color ?? '#FFFFFF');
          }
        }
        break;
      }
      case 'crop': {
        const current = await pipeline.size();
        const rect = cropRect(current, op);
        if (!rect) fail(where, `the crop lies outside the ${current.width}x${current.height} image`);
        if (!same(rect, current)) await pipeline.extract(rect);
        break;
      }
      case 'cut': {
        const current = await pipeline.size();
        const rect = clipRect({ left: op.dx, top: op.dy, width: op.width, height: op.height }, current);
        if (!rect) fail(where, `the cut lies outside the ${current.width}x${current.height} image`);
        if (!same(rect, current)) await pipeline.extract(rect);
        break;
      }
      case 'iradius':
      case 'rradius': {
        if (pipeline.pages > 1) fail(where, 'CI does not cut corners of an animated image');
        let current = await pipeline.size();
        const radius = Math.min(op.radius, Math.floor(Math.min(current.width, current.height) / 2));
        if (radius < 1) fail(where, `the ${current.width}x${current.height} image is too small`);
        if (op.op === 'iradius') {
          const side = radius * 2;
          const rect = {
            left: Math.floor((current.width - side) / 2),
            top: Math.floor((current.height - side) / 2),
            width: side,
            height: side,
          };
          if (!same(rect, current)) await pipeline.extract(rect);
          current = rect;
        }
        await pipeline.composite(
          [{ input: maskSvg(current, radius, op.op === 'iradius'), blend: 'dest-in' }],
          {
            producesAlpha: true,
          },
        );
        break;
      }
      case 'scrop':
        // CI crops around faces (and returns the original when it finds none); libvips' attention strategy is the nearest.
        await pipeline.resize({ width: op.width, height: op.height }, { position: 'attention' });
        break;
      case 'rotate':
        await pipeline.rotate(op.degrees, state.alphaOutput && pipeline.hasAlpha ? TRANSPARENT : WHITE);
        break;
      case 'auto-orient':
        await pipeline.autoOrient();
        break;
      case 'flip':
        await pipeline.flip(op.direction);
        break;
      case 'blur':
        // libvips derives the kernel size from sigma; CI's radius has no separate meaning here.
        await pipeline.blur(op.sigma);
        break;
      case 'sharpen':
        // 70, CI's recommended value, is a 1-pixel unsharp mask.
        await pipeline.sharpen(op.value / 70);
        break;
      case 'bright':
        await pipeline.linear(1, op.value * 2.55);
        break;
      case 'contrast': {
        // The slope of ImageMagick's -brightness-contrast, pivoting on mid-grey.
        const slope = Math.min(100, Math.tan(((op.value + 100) * Math.PI) / 400));
        await pipeline.linear(slope, 128 * (1 - slope));
        break;
      }
      case 'grayscale':
        if (op.value === 1) await pipeline.greyscale();
        break;
      default:
        // Output settings (format, quality, strip, interlace, size-limit, ignore-error, cgif) and pad: see the plan.
        break;
    }
  }
  if (step.ops.some((op) => op.op === 'strip')) pipeline.orientation = 1;
}

async function runImageView2(step: CiImageView2Step, state: RunState): Promise<void> {
  const plan = imageView2Plan(step, await state.pipeline.size());
  if (!plan) return;
  if (plan.crop) await state.pipeline.resize(plan.crop, { position: 'centre' });
  else await state.pipeline.resize(plan.resize);
}

async function runStep({ step, label }: PlannedStep, state: RunState): Promise<void> {
  const { pipeline } = state;
  switch (step.kind) {
    case 'imageMogr2':
      return runImageMogr2(step, label, state);
    case 'imageView2':
      return runImageView2(step, state);
    case 'watermark': {
      const frame = await pipeline.size();
      const overlays =
        step.type === 1
          ? await imageWatermarkOverlays(step, frame, pipeline.pages, state.ctx.loadWatermark, state.limits)
          : await textWatermarkOverlays(step, frame, pipeline.pages);
      return pipeline.composite(overlays);
    }
  }
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
  const pages = animatedOutput ? Math.min(plan.frames ?? header.pages, header.pages) : 1;
  const pipeline = new PixelPipeline(openImage(source, header, { pages, maxPixels: limits.maxPixels }), {
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
    ...(header.delay ? { delay: header.delay.slice(0, pages) } : {}),
    ...(header.loop !== undefined ? { loop: header.loop } : {}),
  };
  const encoded =
    plan.sizeLimit && encoding.encoder === 'jpeg'
      ? await encodeWithinLimit(pipeline, spec, plan.sizeLimit.bytes)
      : await pipeline.encode(spec);
  if (plan.sizeLimit?.force && source.length < encoded.data.length) return sourceAsResult(source, header);
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

import { CiValidationError } from '../errors';
import type {
  CiGravity,
  CiOutputFormat,
  CiImageMogr2Op,
  CiImageMogr2Step,
  CiThumbnailBoxMode,
  CiThumbnailOp,
} from './rule.types';
import { validateStep } from './rule.validator';
import { CiStepBuilder, defined, lowerCase } from './step.builder';

type Without<K extends string> = { [P in K]?: never };
type ThumbnailKey = 'width' | 'height' | 'mode' | 'scale' | 'widthScale' | 'heightScale' | 'area';

/**
 * The size of `thumbnail/...`, one form per object shape:
 * - `{ width }` `<W>x`, `{ height }` `x<H>`;
 * - `{ width, height }` `<W>x<H>` (fit); with `mode`: `'cover'` `!<W>x<H>r`, `'force'` `<W>x<H>!`,
 *   `'shrink'` `<W>x<H>>`, `'enlarge'` `<W>x<H><` (`'fit'` is the default);
 * - `{ scale }` `!<s>p`, `{ widthScale }` `!<s>px`, `{ heightScale }` `!x<s>p` (percentages);
 * - `{ area }` `<Area>@` (maximum total pixels).
 */
export type CiThumbnailOptions =
  | ({ width: number } & Without<Exclude<ThumbnailKey, 'width'>>)
  | ({ height: number } & Without<Exclude<ThumbnailKey, 'height'>>)
  | ({ width: number; height: number; mode?: CiThumbnailBoxMode } & Without<
      Exclude<ThumbnailKey, 'width' | 'height' | 'mode'>
    >)
  | ({ scale: number } & Without<Exclude<ThumbnailKey, 'scale'>>)
  | ({ widthScale: number } & Without<Exclude<ThumbnailKey, 'widthScale'>>)
  | ({ heightScale: number } & Without<Exclude<ThumbnailKey, 'heightScale'>>)
  | ({ area: number } & Without<Exclude<ThumbnailKey, 'area'>>);

/** `crop/...`: a width, a height or both, with an optional anchor and offsets. */
export interface CiCropOptions {
  /** Width in pixels (positive integer). */
  width?: number;
  /** Height in pixels (positive integer). */
  height?: number;
  /** Anchor of the crop; CI's default is the top-left corner. */
  gravity?: CiGravity;
  /** Horizontal offset from the anchor (non-negative integer). */
  dx?: number;
  /** Vertical offset from the anchor (non-negative integer). */
  dy?: number;
}

/** `cut/<w>x<h>x<dx>x<dy>`: a fixed crop from the top-left corner. */
export interface CiCutOptions {
  /** Width in pixels (positive integer). */
  width: number;
  /** Height in pixels (positive integer). */
  height: number;
  /** Offset from the left edge (non-negative integer). Default 0. */
  dx?: number;
  /** Offset from the top edge (non-negative integer). Default 0. */
  dy?: number;
}

/** `size-limit/<n>k|m[!]`. */
export interface CiSizeLimitOptions {
  /** Size in `unit` (positive integer). */
  value: number;
  /** `k` kilobytes or `m` megabytes. */
  unit: 'k' | 'm';
  /** Append `!`: return the smaller of the original and the result. Default `false`. */
  force?: boolean;
}

type ThumbnailFields = { [K in ThumbnailKey]?: K extends 'mode' ? CiThumbnailBoxMode : number };

function thumbnailOp(options: CiThumbnailOptions): CiThumbnailOp {
  const o = (options ?? {}) as ThumbnailFields;
  const given = (['width', 'height', 'scale', 'widthScale', 'heightScale', 'area'] as const)
    .filter((key) => o[key] !== undefined)
    .join('+');
  if (o.mode !== undefined && given !== 'width+height') {
    throw new CiValidationError(
      'RULE_MALFORMED',
      `imageMogr2/thumbnail: mode "${o.mode}" needs both width and height`,
    );
  }
  switch (given) {
    case 'width':
      return { op: 'thumbnail', mode: 'width', width: o.width as number };
    case 'height':
      return { op: 'thumbnail', mode: 'height', height: o.height as number };
    case 'width+height':
      return { op: 'thumbnail', mode: o.mode ?? 'fit', width: o.width as number, height: o.height as number };
    case 'scale':
      return { op: 'thumbnail', mode: 'scale', scale: o.scale as number };
    case 'widthScale':
      return { op: 'thumbnail', mode: 'widthScale', scale: o.widthScale as number };
    case 'heightScale':
      return { op: 'thumbnail', mode: 'heightScale', scale: o.heightScale as number };
    case 'area':
      return { op: 'thumbnail', mode: 'area', area: o.area as number };
    default:
      throw new CiValidationError(
        'RULE_MALFORMED',
        `imageMogr2/thumbnail: give width and/or height, or one of scale, widthScale, heightScale, area ` +
          `(got ${given || 'none'})`,
      );
  }
}

/**
 * Immutable builder of an `imageMogr2/...` step: each method validates its values (throwing
 * `CiValidationError` `RULE_MALFORMED` that names the operation and the value) and returns a new builder.
 * @example imageMogr2().thumbnail({ width: 200 }).format('webp').quality(80).toString()
 * // 'imageMogr2/thumbnail/200x/format/webp/quality/80'
 */
export class ImageMogr2Builder extends CiStepBuilder {
  readonly #ops: readonly CiImageMogr2Op[];

  /** Starts from `ops` (validated); prefer {@link imageMogr2}. */
  constructor(ops: readonly CiImageMogr2Op[] = []) {
    super();
    // The whole step, not only the new operation: some checks look at an operation's neighbour.
    if (ops.length > 0) validateStep({ kind: 'imageMogr2', ops: [...ops] });
    this.#ops = ops.map((op) => structuredClone(op));
  }

  #with(op: CiImageMogr2Op): ImageMogr2Builder {
    return new ImageMogr2Builder([...this.#ops, op]);
  }

  /** `thumbnail/...`: scale the image; see {@link CiThumbnailOptions} for the forms. */
  thumbnail(options: CiThumbnailOptions): ImageMogr2Builder {
    return this.#with(thumbnailOp(options));
  }

  /** `crop/<W>x<H>[/gravity/<g>][/dx/<n>][/dy/<n>]`. */
  crop(options: CiCropOptions): ImageMogr2Builder {
    const { width, height, gravity, dx, dy } = options ?? {};
    return this.#with(defined({ op: 'crop', width, height, gravity: lowerCase(gravity), dx, dy }));
  }

  /** `cut/<w>x<h>x<dx>x<dy>`: a fixed crop from the top-left corner. */
  cut(options: CiCutOptions): ImageMogr2Builder {
    const { width, height, dx = 0, dy = 0 } = options ?? {};
    return this.#with({ op: 'cut', width, height, dx, dy });
  }

  /** `iradius/<r>`: inscribed-circle crop (not for GIF). */
  iradius(radius: number): ImageMogr2Builder {
    return this.#with({ op: 'iradius', radius });
  }

  /** `rradius/<r>`: rounded corners (not for GIF). */
  rradius(radius: number): ImageMogr2Builder {
    return this.#with({ op: 'rradius', radius });
  }

  /** `scrop/<W>x<H>`: face-aware crop. */
  scrop(options: { width: number; height: number }): ImageMogr2Builder {
    return this.#with({ op: 'scrop', width: options?.width, height: options?.height });
  }

  /** `rotate/<deg>`: clockwise, 0..360. */
  rotate(degrees: number): ImageMogr2Builder {
    return this.#with({ op: 'rotate', degrees });
  }

  /** `auto-orient`: rotate by the EXIF orientation. */
  autoOrient(): ImageMogr2Builder {
    return this.#with({ op: 'auto-orient' });
  }

  /** `flip/vertical|horizontal`. */
  flip(direction: 'vertical' | 'horizontal'): ImageMogr2Builder {
    return this.#with({ op: 'flip', direction });
  }

  /** `format/<fmt>`: output format (lower case, one of `CI_OUTPUT_FORMATS`). */
  format(format: CiOutputFormat): ImageMogr2Builder {
    return this.#with({ op: 'format', format: lowerCase(format) as CiOutputFormat });
  }

  /** `quality/<q>[!]`: absolute quality 0..100; `force` appends `!`. Applies to jpg and webp. */
  quality(value: number, options: { force?: boolean } = {}): ImageMogr2Builder {
    return this.#with(options.force ? { op: 'quality', value, force: true } : { op: 'quality', value });
  }

  /** `rquality/<q>`: quality relative to the original's, 0..100. */
  rquality(value: number): ImageMogr2Builder {
    return this.#with({ op: 'rquality', value });
  }

  /** `lquality/<q>`: minimum quality, 0..100. */
  lquality(value: number): ImageMogr2Builder {
    return this.#with({ op: 'lquality', value });
  }

  /** `blur/<radius>x<sigma>`: radius 1..50, sigma > 0 (not for GIF). */
  blur(options: { radius: number; sigma: number }): ImageMogr2Builder {
    return this.#with({ op: 'blur', radius: options?.radius, sigma: options?.sigma });
  }

  /** `sharpen/<v>`: 10..300 (70 recommended). */
  sharpen(value: number): ImageMogr2Builder {
    return this.#with({ op: 'sharpen', value });
  }

  /** `bright/<v>`: -100..100. */
  bright(value: number): ImageMogr2Builder {
    return this.#with({ op: 'bright', value });
  }

  /** `contrast/<v>`: -100..100. */
  contrast(value: number): ImageMogr2Builder {
    return this.#with({ op: 'contrast', value });
  }

  /** `grayscale/1` (or `grayscale/0` with `false`). Default `true`. */
  grayscale(enabled = true): ImageMogr2Builder {
    return this.#with({ op: 'grayscale', value: enabled ? 1 : 0 });
  }

  /** `strip`: remove metadata, EXIF included. */
  strip(): ImageMogr2Builder {
    return this.#with({ op: 'strip' });
  }

  /** `interlace/1` (progressive JPEG), or `interlace/0` with `false`. Default `true`. */
  interlace(enabled = true): ImageMogr2Builder {
    return this.#with({ op: 'interlace', value: enabled ? 1 : 0 });
  }

  /** `size-limit/<n>k|m[!]`: cap the output size (JPG only). */
  sizeLimit(options: CiSizeLimitOptions): ImageMogr2Builder {
    const { value, unit, force } = options ?? {};
    return this.#with(
      force ? { op: 'size-limit', value, unit, force: true } : { op: 'size-limit', value, unit },
    );
  }

  /** `ignore-error/1`: return the original instead of an error when a limit is hit. */
  ignoreError(): ImageMogr2Builder {
    return this.#with({ op: 'ignore-error' });
  }

  /** `pad/1[/color/<b64 #RRGGBB>]`: fit inside the thumbnail box and fill the gap with `color`. */
  pad(options: { color?: string } = {}): ImageMogr2Builder {
    return this.#with(options.color === undefined ? { op: 'pad' } : { op: 'pad', color: options.color });
  }

  /** `cgif/<n>`: GIF optimisation to n frames, 1..100 (1 means CI's default of 30). */
  cgif(frames: number): ImageMogr2Builder {
    return this.#with({ op: 'cgif', frames });
  }

  /** `frame/<n>`: the n-th frame (1-based) of an animated image, as a still image (download-time processing). */
  frame(n: number): ImageMogr2Builder {
    return this.#with({ op: 'frame', frames: n });
  }

  /**
   * An operation this model does not know, written as `name/args...` (an escape hatch for newer CI features).
   * An unknown operation reads up to the next known one, so two in a row are refused: pass them as one call.
   * @example imageMogr2().custom('minsize', '1').toString() // 'imageMogr2/minsize/1'
   */
  custom(name: string, ...args: string[]): ImageMogr2Builder {
    return this.#with({ op: 'unknown', name, args });
  }

  /** The `imageMogr2` step. */
  override toStep(): CiImageMogr2Step {
    return { kind: 'imageMogr2', ops: this.#ops.map((op) => structuredClone(op)) };
  }
}

/**
 * Starts an `imageMogr2/...` step builder.
 * @example imageMogr2().thumbnail({ width: 200 }).format('webp').quality(80).toString()
 * // 'imageMogr2/thumbnail/200x/format/webp/quality/80'
 */
export function imageMogr2(): ImageMogr2Builder {
  return new ImageMogr2Builder();
}

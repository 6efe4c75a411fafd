import type { CiOutputFormat, CiImageView2Step } from './rule.types';
import { validateStep } from './rule.validator';
import { CiStepBuilder, defined, lowerCase } from './step.builder';

/** Options of {@link imageView2}: the quick thumbnail template. */
export interface CiImageView2Options {
  /**
   * 1: min W/H then centre-crop; 2: max W/H, fit; 3: min W/H, no crop; 4: min long/short edge;
   * 5: max long/short edge, centre-crop. Omit it for the format/quality-only form (`imageView2/format/png`).
   */
  mode?: 1 | 2 | 3 | 4 | 5;
  /** `w/<W>` (positive integer); with a mode, `width` or `height` is required. */
  width?: number;
  /** `h/<H>` (positive integer). */
  height?: number;
  /** `format/<fmt>`. */
  format?: CiOutputFormat;
  /** `q/<q>`: absolute quality 0..100. */
  quality?: number;
  /** Append `!` to `q` (use the value even above the original's quality). Default `false`. */
  forceQuality?: boolean;
  /** `rq/<q>`: relative quality 0..100. */
  rquality?: number;
  /** `lq/<q>`: minimum quality 0..100. */
  lquality?: number;
  /** `ignore-error/1`: answer the original instead of an error when a limit is hit. Default `false`. */
  ignoreError?: boolean;
}

/** Builder of one `imageView2/...` step; see {@link imageView2}. */
export class ImageView2Builder extends CiStepBuilder {
  readonly #step: CiImageView2Step;

  /** Validates `options` (`CiValidationError` `RULE_MALFORMED`); prefer {@link imageView2}. */
  constructor(options: CiImageView2Options) {
    super();
    const { mode, width, height, format, quality, forceQuality, rquality, lquality, ignoreError } =
      options ?? {};
    const step: CiImageView2Step = defined({
      kind: 'imageView2',
      mode,
      width,
      height,
      format: lowerCase(format),
      quality,
      forceQuality: forceQuality ? true : undefined,
      rquality,
      lquality,
      ignoreError: ignoreError ? true : undefined,
    });
    validateStep(step);
    this.#step = step;
  }

  /** The `imageView2` step. */
  override toStep(): CiImageView2Step {
    return { ...this.#step };
  }
}

/**
 * Builds an `imageView2/<mode>/w/<W>/h/<H>/format/<fmt>/q/<q>/rq/<q>/lq/<q>` step.
 * @example imageView2({ mode: 2, width: 400, format: 'webp' }).toString() // 'imageView2/2/w/400/format/webp'
 * @example imageView2({ format: 'png' }).toString() // 'imageView2/format/png'
 */
export function imageView2(options: CiImageView2Options): ImageView2Builder {
  return new ImageView2Builder(options);
}

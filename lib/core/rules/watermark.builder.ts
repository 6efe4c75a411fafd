import type { CiGravity, CiWatermarkImageStep, CiWatermarkTextStep } from './rule.types';
import { FixedStepBuilder, defined, lowerCase } from './step.builder';

/** Options of {@link watermarkImage}. */
export interface CiWatermarkImageOptions {
  /**
   * URL of the watermark image, plain (the builder encodes it). CI's docs want an `http://` URL on the bucket's
   * COS or CI origin, in the same bucket as the image.
   */
  url: string;
  /** Position; CI's default is `southeast`. */
  gravity?: CiGravity;
  /** Horizontal margin in pixels (non-negative integer); CI's default is 0. */
  dx?: number;
  /** Vertical margin in pixels (non-negative integer); CI's default is 0. */
  dy?: number;
  /** 1: scale the watermark to about the image size; 2: crop it. */
  blogo?: 1 | 2;
  /** Scale the watermark relative to the image's width (1), height (2) or area (3), by `spcent`. */
  scatype?: 1 | 2 | 3;
  /** Per mille of what `scatype` names, 1..1000 (needs `scatype`). */
  spcent?: number;
  /** Opacity 1..100; CI's default is 100. */
  dissolve?: number;
}

/** Options of {@link watermarkText}. */
export interface CiWatermarkTextOptions {
  /** The text, plain (the builder encodes it). */
  text: string;
  /** Font file name, plain (e.g. `tahoma.ttf`, CI's default). */
  font?: string;
  /** Font size in points (positive integer); CI's default is 13. */
  fontSize?: number;
  /** Colour `#RRGGBB`; CI's default is `#3D3D3D`. */
  fill?: string;
  /** Opacity 1..100; CI's default is 90. */
  dissolve?: number;
  /** Position; CI's default is `southeast`. */
  gravity?: CiGravity;
  /** Horizontal margin in pixels (non-negative integer). */
  dx?: number;
  /** Vertical margin in pixels (non-negative integer). */
  dy?: number;
  /** `true` tiles the text over the whole image (`batch/1`). Default `false` (not sent). */
  batch?: boolean;
  /** Rotation of tiled text, 0..360. */
  degree?: number;
  /** Shadow opacity 0..100; 0 (CI's default) draws none. */
  shadow?: number;
}

/** Builder of one `watermark/1` or `watermark/2` step; see {@link watermarkImage} and {@link watermarkText}. */
export class WatermarkBuilder extends FixedStepBuilder<CiWatermarkImageStep | CiWatermarkTextStep> {}

/**
 * Builds an image watermark step, `watermark/1/image/<b64 url>/gravity/<g>/dx/<n>/dy/<n>/blogo/<1|2>`, with the URL
 * in URL-safe base64 without padding.
 * @example watermarkImage({ url: 'http://b-1250000000.cos.ap-shanghai.myqcloud.com/logo.png', gravity: 'southeast' })
 */
export function watermarkImage(options: CiWatermarkImageOptions): WatermarkBuilder {
  const { url, gravity, dx, dy, blogo, scatype, spcent, dissolve } = options ?? {};
  return new WatermarkBuilder(
    defined<CiWatermarkImageStep>({
      kind: 'watermark',
      type: 1,
      image: url,
      gravity: lowerCase(gravity),
      dx,
      dy,
      blogo,
      scatype,
      spcent,
      dissolve,
    }),
  );
}

/**
 * Builds a text watermark step,
 * `watermark/2/text/<b64>/font/<b64>/fontsize/<pt>/fill/<b64>/dissolve/<n>/gravity/<g>/dx/<n>/dy/<n>/batch/1/degree/<n>`,
 * with text, font and fill in URL-safe base64 without padding.
 * @example watermarkText({ text: 'Hello', fontSize: 20, fill: '#FFFFFF' }).toString()
 * // 'watermark/2/text/SGVsbG8/fontsize/20/fill/I0ZGRkZGRg'
 */
export function watermarkText(options: CiWatermarkTextOptions): WatermarkBuilder {
  const { text, font, fontSize, fill, dissolve, gravity, dx, dy, batch, degree, shadow } = options ?? {};
  return new WatermarkBuilder(
    defined<CiWatermarkTextStep>({
      kind: 'watermark',
      type: 2,
      text,
      font,
      fontSize,
      fill,
      dissolve,
      gravity: lowerCase(gravity),
      dx,
      dy,
      batch: batch ? 1 : undefined,
      degree,
      shadow,
    }),
  );
}

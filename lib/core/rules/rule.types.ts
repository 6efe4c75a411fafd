/**
 * The typed model of a CI processing rule (the `rule` of a `Pic-Operations` entry), per protocol.md section 6.
 *
 * It is the one grammar of this package: builders produce it, `parseRule` reads it from text, `serializeRule`
 * writes it back, and the emulator executes it. Every node is plain JSON (no classes, no `undefined` values), so a
 * rule can be stored, compared with `toStrictEqual` or sent across processes.
 *
 * A rule is a pipe of steps (`step|step|...`), run in order. CI's older pipe page documents at most 3 pipe levels;
 * newer pages give no limit, so the model allows any number and leaves the limit to CI.
 */

/** The nine positions of CI's nine-grid, in the lower case this package emits (parsing accepts any case). */
export const CI_GRAVITIES = [
  'northwest',
  'north',
  'northeast',
  'west',
  'center',
  'east',
  'southwest',
  'south',
  'southeast',
] as const;

/** A nine-grid position (`gravity/<g>`). */
export type CiGravity = (typeof CI_GRAVITIES)[number];

/**
 * Output formats CI documents for `format/<fmt>` (imageMogr2 and imageView2): CI's "Converting Format" page
 * (cloud.tencent.com/document/api/436/44883) lists jpg/jpeg, png, apng, bmp, webp, tiff, gif, avif, heif/heic, tpg
 * and psd (psd by persistent processing only); `yjpeg` is CI's optimised JPEG; `svgc` and `jxl` are further
 * advanced-compression formats. Parsing accepts any case and keeps the lower-case name; another format name
 * passes through unless rules are strict.
 */
export const CI_OUTPUT_FORMATS = [
  'jpg',
  'jpeg',
  'png',
  'apng',
  'webp',
  'gif',
  'bmp',
  'tiff',
  'yjpeg',
  'avif',
  'heif',
  'heic',
  'tpg',
  'psd',
  'svgc',
  'jxl',
] as const;

/** An output format known to CI. */
export type CiOutputFormat = (typeof CI_OUTPUT_FORMATS)[number];

/** How a `<W>x<H>` thumbnail box is applied: the suffix that follows the box in the CI string. */
export type CiThumbnailBoxMode = 'fit' | 'cover' | 'force' | 'shrink' | 'enlarge';

/** `thumbnail/!<s>p`: width and height at `scale`% of the original. */
export interface CiThumbnailScaleOp {
  op: 'thumbnail';
  mode: 'scale';
  /** Percentage, a positive integer. */
  scale: number;
}

/** `thumbnail/!<s>px` (width at `scale`%, height unchanged) or `thumbnail/!x<s>p` (height at `scale`%). */
export interface CiThumbnailAxisScaleOp {
  op: 'thumbnail';
  mode: 'widthScale' | 'heightScale';
  /** Percentage, a positive integer. */
  scale: number;
}

/** `thumbnail/<W>x`: width W, height in proportion. */
export interface CiThumbnailWidthOp {
  op: 'thumbnail';
  mode: 'width';
  /** Target width in pixels, a positive integer. */
  width: number;
}

/** `thumbnail/x<H>`: height H, width in proportion. */
export interface CiThumbnailHeightOp {
  op: 'thumbnail';
  mode: 'height';
  /** Target height in pixels, a positive integer. */
  height: number;
}

/**
 * A W×H box: `fit` `<W>x<H>` (fit inside, in proportion), `cover` `!<W>x<H>r` (W and H are minimums),
 * `force` `<W>x<H>!` (exactly W×H, may distort), `shrink` `<W>x<H>>` (fit, never enlarge),
 * `enlarge` `<W>x<H><` (fit, never shrink).
 */
export interface CiThumbnailBoxOp {
  op: 'thumbnail';
  mode: CiThumbnailBoxMode;
  /** Box width in pixels, a positive integer. */
  width: number;
  /** Box height in pixels, a positive integer. */
  height: number;
}

/** `thumbnail/<Area>@`: in proportion, at most `area` pixels in total. */
export interface CiThumbnailAreaOp {
  op: 'thumbnail';
  mode: 'area';
  /** Maximum total pixels, a positive integer. */
  area: number;
}

/** `thumbnail/...` in any of its documented forms, told apart by `mode`. */
export type CiThumbnailOp =
  | CiThumbnailScaleOp
  | CiThumbnailAxisScaleOp
  | CiThumbnailWidthOp
  | CiThumbnailHeightOp
  | CiThumbnailBoxOp
  | CiThumbnailAreaOp;

/** `crop/<W>x`, `crop/x<H>` or `crop/<W>x<H>`, then optional `gravity/<g>`, `dx/<n>`, `dy/<n>`. */
export interface CiCropOp {
  op: 'crop';
  /** Width in pixels (positive integer); at least one of `width` and `height` is set. */
  width?: number;
  /** Height in pixels (positive integer). */
  height?: number;
  /** Where the crop is anchored; CI's default is the top-left corner. */
  gravity?: CiGravity;
  /** Horizontal offset from the gravity point, a non-negative integer. */
  dx?: number;
  /** Vertical offset from the gravity point, a non-negative integer. */
  dy?: number;
}

/** `cut/<w>x<h>x<dx>x<dy>`: a fixed crop from the top-left corner. */
export interface CiCutOp {
  op: 'cut';
  /** Width in pixels, a positive integer. */
  width: number;
  /** Height in pixels, a positive integer. */
  height: number;
  /** Offset from the left edge, a non-negative integer. */
  dx: number;
  /** Offset from the top edge, a non-negative integer. */
  dy: number;
}

/** `iradius/<r>` (inscribed-circle crop) or `rradius/<r>` (rounded corners). Not for GIF. */
export interface CiRadiusOp {
  op: 'iradius' | 'rradius';
  /** Radius in pixels, a positive integer (CI also wants it under half the shorter side). */
  radius: number;
}

/** `scrop/<W>x<H>`: face-aware crop; CI returns the original when it finds no face. */
export interface CiScropOp {
  op: 'scrop';
  /** Width in pixels, a positive integer. */
  width: number;
  /** Height in pixels, a positive integer. */
  height: number;
}

/** `rotate/<deg>`: clockwise rotation. */
export interface CiRotateOp {
  op: 'rotate';
  /** Degrees, an integer 0..360. */
  degrees: number;
}

/** `auto-orient`: rotate by the EXIF orientation. */
export interface CiAutoOrientOp {
  op: 'auto-orient';
}

/** `flip/vertical` or `flip/horizontal`. */
export interface CiFlipOp {
  op: 'flip';
  /** Flip axis. */
  direction: 'vertical' | 'horizontal';
}

/** `format/<fmt>`: output format. */
export interface CiFormatOp {
  op: 'format';
  /** One of {@link CI_OUTPUT_FORMATS}. */
  format: CiOutputFormat;
}

/** `quality/<q>[!]`: absolute quality, capped at the original's unless forced. jpg and webp only. */
export interface CiQualityOp {
  op: 'quality';
  /** Quality, an integer 0..100. */
  value: number;
  /** `true` when the string ends in `!` (use the value even above the original's quality). */
  force?: boolean;
}

/** `rquality/<q>` (relative to the original's quality) or `lquality/<q>` (minimum quality). */
export interface CiRelativeQualityOp {
  op: 'rquality' | 'lquality';
  /** Quality, an integer 0..100. */
  value: number;
}

/** `blur/<radius>x<sigma>`: Gaussian blur. Not for GIF. */
export interface CiBlurOp {
  op: 'blur';
  /** Radius, an integer 1..50. */
  radius: number;
  /** Standard deviation, a number greater than 0. */
  sigma: number;
}

/** `sharpen/<v>`: an integer 10..300 (70 recommended). */
export interface CiSharpenOp {
  op: 'sharpen';
  /** Strength, an integer 10..300. */
  value: number;
}

/** `bright/<v>` or `contrast/<v>`: an integer -100..100. */
export interface CiToneOp {
  op: 'bright' | 'contrast';
  /** Adjustment, an integer -100..100. */
  value: number;
}

/** `grayscale/0|1` or `interlace/0|1` (progressive JPEG). */
export interface CiSwitchOp {
  op: 'grayscale' | 'interlace';
  /** 1 on, 0 off. */
  value: 0 | 1;
}

/** `strip`: remove metadata, EXIF included. */
export interface CiStripOp {
  op: 'strip';
}

/** `size-limit/<n>k|m[!]`: cap the output size (JPG only). */
export interface CiSizeLimitOp {
  op: 'size-limit';
  /** Size in `unit`, a positive integer. */
  value: number;
  /** `k` kilobytes or `m` megabytes. */
  unit: 'k' | 'm';
  /** `true` when the string ends in `!`: return the smaller of the original and the result. */
  force?: boolean;
}

/** `ignore-error/1`: return the original instead of an error when a limit is hit. */
export interface CiIgnoreErrorOp {
  op: 'ignore-error';
}

/** `pad/1` then optional `color/<urlsafe-b64 #RRGGBB>`: fit inside the box and fill the gap. */
export interface CiPadOp {
  op: 'pad';
  /** Fill colour as `#RRGGBB` (decoded; the string carries it URL-safe base64 encoded). */
  color?: string;
}

/** `cgif/<n>`: GIF optimisation, fewer frames: 1 means CI's default of 30, 2..100 that many. */
export interface CiCgifOp {
  op: 'cgif';
  /** Frame count, an integer 1..100. */
  frames: number;
}

/** `frame/<n>`: one frame of an animated image (download-time processing), the n-th (1-based). */
export interface CiFrameOp {
  op: 'frame';
  /** Frame number, a positive integer (past the end: the last frame). */
  frames: number;
}

/**
 * An imageMogr2 sub-operation this model does not know, kept as raw tokens so that it still reaches CI:
 * `name/args[0]/args[1]...`. The parser gives it every token up to the next known operation name.
 */
export interface CiUnknownMogrOp {
  op: 'unknown';
  /** The operation name as written. */
  name: string;
  /** The tokens that followed it. */
  args: string[];
}

/** One operation inside an `imageMogr2/...` step. */
export type CiImageMogr2Op =
  | CiThumbnailOp
  | CiCropOp
  | CiCutOp
  | CiRadiusOp
  | CiScropOp
  | CiRotateOp
  | CiAutoOrientOp
  | CiFlipOp
  | CiFormatOp
  | CiQualityOp
  | CiRelativeQualityOp
  | CiBlurOp
  | CiSharpenOp
  | CiToneOp
  | CiSwitchOp
  | CiStripOp
  | CiSizeLimitOp
  | CiIgnoreErrorOp
  | CiPadOp
  | CiCgifOp
  | CiFrameOp
  | CiUnknownMogrOp;

/** The `op` names of the imageMogr2 operations this model knows. */
export type CiKnownMogrOpName = Exclude<CiImageMogr2Op['op'], 'unknown'>;

/** A `key/value` pair the model does not know inside an imageView2 or watermark step, kept as written. */
export interface CiRuleParam {
  /** The key as written. */
  name: string;
  /** The value as written. */
  value: string;
}

/** `imageMogr2/<op>/<op>...`: operations applied in order. */
export interface CiImageMogr2Step {
  kind: 'imageMogr2';
  /** At least one operation. */
  ops: CiImageMogr2Op[];
}

/**
 * `imageView2/<mode>/w/<W>/h/<H>/format/<fmt>/q/<q>[!]/rq/<q>/lq/<q>`, or without a mode
 * (`imageView2/format/png`, the seed's example). Emitted in that key order.
 */
export interface CiImageView2Step {
  kind: 'imageView2';
  /**
   * 1: min W/H then centre-crop; 2: max W/H, fit; 3: min W/H, no crop; 4: min long/short edge;
   * 5: max long/short edge, centre-crop. With a mode, `width` or `height` is required; without, both are absent.
   */
  mode?: 1 | 2 | 3 | 4 | 5;
  /** `w/<W>`: width (modes 1-3) or long edge (modes 4-5), a positive integer. */
  width?: number;
  /** `h/<H>`: height (modes 1-3) or short edge (modes 4-5), a positive integer. */
  height?: number;
  /** `format/<fmt>`. */
  format?: CiOutputFormat;
  /** `q/<q>`: absolute quality 0..100. */
  quality?: number;
  /** `true` when `q` ends in `!`. Only with `quality`. */
  forceQuality?: boolean;
  /** `rq/<q>`: relative quality 0..100. */
  rquality?: number;
  /** `lq/<q>`: minimum quality 0..100. */
  lquality?: number;
  /** `ignore-error/1`: answer the original instead of an error when a limit is hit. */
  ignoreError?: true;
  /** Unknown `key/value` pairs, emitted after the known ones (never present under `strict`). */
  extra?: CiRuleParam[];
}

/** `watermark/1/image/<b64 url>/gravity/<g>/dx/<n>/dy/<n>/blogo/1|2`: an image watermark. */
export interface CiWatermarkImageStep {
  kind: 'watermark';
  type: 1;
  /** Watermark image URL (decoded; the string carries it URL-safe base64 encoded). CI wants an `http://` COS/CI origin URL in the same bucket. */
  image: string;
  /** CI's default is `southeast`. */
  gravity?: CiGravity;
  /** Horizontal margin in pixels (CI default 0), a non-negative integer. */
  dx?: number;
  /** Vertical margin in pixels (CI default 0), a non-negative integer. */
  dy?: number;
  /** 1: scale the watermark to about the image size; 2: crop it. */
  blogo?: 1 | 2;
  /** Scale the watermark relative to the image: 1 its width, 2 its height, 3 its area (with `spcent`). */
  scatype?: 1 | 2 | 3;
  /** Scale in per mille of what `scatype` names, an integer 1..1000. */
  spcent?: number;
  /** Opacity 1..100 (CI default 100). */
  dissolve?: number;
  /** Unknown `key/value` pairs, emitted after the known ones. */
  extra?: CiRuleParam[];
}

/**
 * `watermark/2/text/<b64>/font/<b64>/fontsize/<pt>/fill/<b64 #RRGGBB>/dissolve/<1-100>/gravity/<g>/dx/<n>/dy/<n>/batch/<0|1>/degree/<0-360>`:
 * a text watermark, emitted in that key order.
 */
export interface CiWatermarkTextStep {
  kind: 'watermark';
  type: 2;
  /** The text (decoded). */
  text: string;
  /** Font file name (decoded), CI default `tahoma.ttf`. */
  font?: string;
  /** Font size in points (CI default 13), a positive integer. */
  fontSize?: number;
  /** Colour as `#RRGGBB` (decoded), CI default `#3D3D3D`. */
  fill?: string;
  /** Opacity 1..100 (CI default 90). */
  dissolve?: number;
  /** CI's default is `southeast`. */
  gravity?: CiGravity;
  /** Horizontal margin in pixels, a non-negative integer. */
  dx?: number;
  /** Vertical margin in pixels, a non-negative integer. */
  dy?: number;
  /** 1 tiles the text over the whole image. */
  batch?: 0 | 1;
  /** Rotation of tiled text, an integer 0..360. */
  degree?: number;
  /** Shadow opacity 0..100 (0, the default, draws none). */
  shadow?: number;
  /** Unknown `key/value` pairs, emitted after the known ones. */
  extra?: CiRuleParam[];
}

/** `style/<name>`: a style defined in the CI console. */
export interface CiStyleStep {
  kind: 'style';
  /** The style name (no `/`, `|`, whitespace or control characters). */
  name: string;
}

/**
 * A step this model does not know (`imageInfo`, `watermark/3/...`, any newer CI feature), kept as written so
 * that it still reaches CI. Refused by `parseRule` under `strict`.
 */
export interface CiUnknownStep {
  kind: 'unknown';
  /** The first path segment of the step. */
  name: string;
  /** The whole step text, emitted unchanged. */
  raw: string;
}

/**
 * `watermark/3/type/<1|2|3>/image/<b64 url>/text/<b64>/level/<1|2|3>`: a blind watermark (invisible), of an image
 * (`type` 1 or 2, with `image`) or a text (`type` 3, with `text`).
 */
export interface CiBlindWatermarkStep {
  kind: 'watermark';
  type: 3;
  /** 1: half-blind image, 2: full-blind image, 3: text. */
  blindType: 1 | 2 | 3;
  /** The watermark image URL (decoded), for types 1 and 2. */
  image?: string;
  /** The watermark text (decoded), for type 3. */
  text?: string;
  /** Strength 1..3 (CI default 1). */
  level?: 1 | 2 | 3;
  /** Unknown `key/value` pairs, emitted after the known ones. */
  extra?: CiRuleParam[];
}

/** `watermark/4/type/<1|2|3>/image/<b64 url>/text/<b64>`: extracts a blind watermark (the result has `WatermarkStatus`). */
export interface CiBlindWatermarkExtractStep {
  kind: 'watermark';
  type: 4;
  /** The type it was embedded with. */
  blindType: 1 | 2 | 3;
  /** The watermark image URL (decoded), for types 1 and 2. */
  image?: string;
  /** The watermark text (decoded), for type 3. */
  text?: string;
  /** Unknown `key/value` pairs, emitted after the known ones. */
  extra?: CiRuleParam[];
}

/** `QRcode/cover/<0|1>`: QR code recognition; `cover/1` also covers the codes with a mosaic. */
export interface CiQrCodeStep {
  kind: 'QRcode';
  /** 1 covers the codes found; 0 (CI's default) only recognises them. */
  cover?: 0 | 1;
  /** Unknown `key/value` pairs, emitted after the known ones. */
  extra?: CiRuleParam[];
}

/** `imageSlim`: CI's lossless-looking slimming of JPEG and PNG. */
export interface CiImageSlimStep {
  kind: 'imageSlim';
}

/**
 * `ci-process=<name>&<key>=<value>...`: a CI processing (AI matting, enhancement, ...) given as a rule, as Tencent's
 * SDK demos send through Pic-Operations. The parameters are kept in order, as written.
 */
export interface CiCiProcessStep {
  kind: 'ciProcess';
  /** The processing name (`AIPicMatting`). */
  process: string;
  /** The `key=value` parameters after it, in order. */
  params: CiRuleParam[];
}

/** One step of a rule (the text between `|` pipes). */
export type CiRuleStep =
  | CiImageMogr2Step
  | CiImageView2Step
  | CiWatermarkImageStep
  | CiWatermarkTextStep
  | CiBlindWatermarkStep
  | CiBlindWatermarkExtractStep
  | CiQrCodeStep
  | CiImageSlimStep
  | CiCiProcessStep
  | CiStyleStep
  | CiUnknownStep;

/** The name of each kind of step, telling the two watermark types apart: the keys of the step descriptor table. */
export type CiStepKey =
  | 'imageMogr2'
  | 'imageView2'
  | 'watermark/1'
  | 'watermark/2'
  | 'watermark/3'
  | 'watermark/4'
  | 'QRcode'
  | 'imageSlim'
  | 'ciProcess'
  | 'style'
  | 'unknown';

/** The step type of a {@link CiStepKey}. */
export type CiStepOf<K extends CiStepKey> = K extends 'watermark/1'
  ? CiWatermarkImageStep
  : K extends 'watermark/2'
    ? CiWatermarkTextStep
    : K extends 'watermark/3'
      ? CiBlindWatermarkStep
      : K extends 'watermark/4'
        ? CiBlindWatermarkExtractStep
        : Extract<CiRuleStep, { kind: K }>;

/** The {@link CiStepKey} of a step. */
export function ciStepKey(step: CiRuleStep): CiStepKey {
  return step.kind === 'watermark' ? (`watermark/${step.type}` as const) : step.kind;
}

/** A whole CI processing rule: steps separated by `|`, run in order. At least one step. */
export interface CiRule {
  /** The steps, in pipe order. */
  steps: CiRuleStep[];
}

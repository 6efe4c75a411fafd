import type sharp from 'sharp';
import type { OverlayOptions } from 'sharp';
import type { CiGravity, CiWatermarkImageStep, CiWatermarkTextStep } from '../../lib/core/rules';
import { clipRect, placeByGravity, type Size } from './geometry';
import { checkImageLimits, openImage, readImageHeader } from './image-probe';
import { CiProcessingError } from './processing.error';
import type { ProcessingLimits } from './processing-limits';
import { asDecodeError } from './sharp-errors';
import { loadSharp } from './sharp-runtime';

/** Font every text watermark is drawn with: CI's font names (`tahoma.ttf`, ...) are not on this machine. */
export const WATERMARK_FONT_FAMILY = 'DejaVu Sans';

/** An RGBA overlay in raw pixels. */
interface RawOverlay {
  data: Buffer;
  width: number;
  height: number;
}

const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };

async function toRaw(image: sharp.Sharp): Promise<RawOverlay> {
  const { data, info } = await image
    .ensureAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The overlay placed once per frame (frames are stacked top to bottom in a multi-frame image). */
function perFrame(
  overlay: RawOverlay,
  at: { left: number; top: number },
  frame: Size,
  pages: number,
): OverlayOptions[] {
  return Array.from({ length: pages }, (_, page) => ({
    input: overlay.data,
    raw: { width: overlay.width, height: overlay.height, channels: 4 as const },
    left: at.left,
    top: page * frame.height + at.top,
  }));
}

/** Places an overlay by gravity and margins, kept inside the frame (CI draws nothing outside it). */
function place(frame: Size, overlay: Size, gravity: CiGravity | undefined, dx?: number, dy?: number) {
  const at = placeByGravity(frame, overlay, gravity ?? 'southeast', dx, dy);
  return {
    left: Math.min(Math.max(0, at.left), frame.width - overlay.width),
    top: Math.min(Math.max(0, at.top), frame.height - overlay.height),
  };
}

/** Multiplies the alpha of an RGBA overlay by `percent`/100 (`dissolve`). */
function dissolve(overlay: RawOverlay, percent: number | undefined): RawOverlay {
  if (percent === undefined || percent >= 100) return overlay;
  const data = Buffer.from(overlay.data);
  for (let i = 3; i < data.length; i += 4) data[i] = Math.round((data[i] * percent) / 100);
  return { ...overlay, data };
}

/** The watermark size `scatype`/`spcent` ask for: per mille of the image's width (1), height (2) or area (3). */
function scaledSize(step: CiWatermarkImageStep, frame: Size, mark: Size): Size | undefined {
  if (step.scatype === undefined) return undefined;
  const ratio = (step.spcent ?? 1000) / 1000;
  const factor =
    step.scatype === 1
      ? (frame.width * ratio) / mark.width
      : step.scatype === 2
        ? (frame.height * ratio) / mark.height
        : Math.sqrt((frame.width * frame.height * ratio) / (mark.width * mark.height));
  return {
    width: Math.max(1, Math.round(mark.width * factor)),
    height: Math.max(1, Math.round(mark.height * factor)),
  };
}

/** Scales an overlay down (never up) to fit inside the frame. */
function fitDown(image: sharp.Sharp, size: Size, frame: Size): sharp.Sharp {
  return size.width > frame.width || size.height > frame.height
    ? image.resize(frame.width, frame.height, { fit: 'inside' })
    : image;
}

/**
 * The overlays of `watermark/1`: the image `load(url)` returns (its first frame, EXIF-oriented), at `gravity`
 * (default `southeast`) with `dx`/`dy` margins. `blogo/1` scales it to fit the image, `blogo/2` crops it to the
 * image; without `blogo` a watermark larger than the image is scaled down to fit.
 * Throws `InvalidArgument` when it cannot be loaded, `InvalidImageFormat` / `ImageResolutionExceed` for a bad image.
 */
export async function imageWatermarkOverlays(
  step: CiWatermarkImageStep,
  frame: Size,
  pages: number,
  load: ((url: string) => Promise<Buffer | undefined>) | undefined,
  limits: ProcessingLimits,
): Promise<OverlayOptions[]> {
  const bytes = load ? await load(step.image) : undefined;
  if (!bytes) {
    throw new CiProcessingError(
      'InvalidArgument',
      `watermark image ${JSON.stringify(step.image)} cannot be loaded`,
    );
  }
  const what = 'the watermark image';
  const header = await readImageHeader(bytes, what);
  checkImageLimits(header, limits, what);
  const oriented = header.orientation >= 5 ? { width: header.height, height: header.width } : header;
  let image = openImage(bytes, header, { pages: 1, maxPixels: limits.maxPixels }).autoOrient();
  const scaled = scaledSize(step, frame, oriented);
  if (scaled) {
    image = fitDown(image.resize(scaled.width, scaled.height, { fit: 'fill' }), scaled, frame);
  } else if (step.blogo === 1) image = image.resize(frame.width, frame.height, { fit: 'inside' });
  else if (step.blogo === 2) {
    const crop = clipRect({ left: 0, top: 0, ...frame }, oriented);
    if (crop && (crop.width < oriented.width || crop.height < oriented.height)) image = image.extract(crop);
  } else image = fitDown(image, oriented, frame);
  let overlay: RawOverlay;
  try {
    overlay = dissolve(await toRaw(image), step.dissolve);
  } catch (error) {
    throw asDecodeError(error, what);
  }
  return perFrame(overlay, place(frame, overlay, step.gravity, step.dx, step.dy), frame, pages);
}

function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The overlays of `watermark/2`: the text drawn by Pango (through sharp) in {@link WATERMARK_FONT_FAMILY} at
 * `fontsize` pixels (CI default 13), `fill` colour (default `#3D3D3D`), `dissolve` as opacity (default 90),
 * turned by `degree`, at `gravity` (default `southeast`) with `dx`/`dy` margins, or tiled over the whole image
 * with `batch/1` (a gap of one text height between tiles). Text larger than the image is scaled down to fit.
 */
export async function textWatermarkOverlays(
  step: CiWatermarkTextStep,
  frame: Size,
  pages: number,
): Promise<OverlayOptions[]> {
  const fill = step.fill ?? '#3D3D3D';
  const opacity = step.dissolve ?? 90;
  const markup = `<span foreground="${fill}" alpha="${opacity}%">${escapeMarkup(step.text)}</span>`;
  // Text taller than the image would be scaled down to fit anyway: never render a huge text image.
  const fontSize = Math.min(step.fontSize ?? 13, Math.max(frame.width, frame.height, 13));
  const fromRaw = (overlay: RawOverlay) =>
    loadSharp()(overlay.data, { raw: { width: overlay.width, height: overlay.height, channels: 4 } });
  const render = (spanMarkup: string) =>
    toRaw(
      loadSharp()({
        text: { text: spanMarkup, font: `${WATERMARK_FONT_FAMILY} ${fontSize}`, rgba: true, dpi: 72 },
      }),
    );
  let text = await render(markup);
  if (step.shadow) {
    // A black copy at `shadow`% opacity, offset down-right by a tenth of the font size, under the text.
    const offset = Math.max(1, Math.round(fontSize / 10));
    const shadow = await render(
      `<span foreground="#000000" alpha="${step.shadow}%">${escapeMarkup(step.text)}</span>`,
    );
    text = await toRaw(
      fromRaw(shadow)
        .extend({ left: offset, top: offset, background: TRANSPARENT })
        .composite([
          { input: text.data, raw: { width: text.width, height: text.height, channels: 4 }, left: 0, top: 0 },
        ]),
    );
  }
  if (step.degree) text = await toRaw(fromRaw(text).rotate(step.degree, { background: TRANSPARENT }));
  if (text.width > frame.width || text.height > frame.height)
    text = await toRaw(fitDown(fromRaw(text), text, frame));
  if (step.batch !== 1)
    return perFrame(text, place(frame, text, step.gravity, step.dx, step.dy), frame, pages);

  const gap = Math.max(8, Math.round(text.height));
  const cell = await toRaw(fromRaw(text).extend({ right: gap, bottom: gap, background: TRANSPARENT }));
  const tile: OverlayOptions = {
    input: cell.data,
    raw: { width: cell.width, height: cell.height, channels: 4 },
    tile: true,
    gravity: 'northwest',
  };
  // A still image takes the tile directly (libvips replicates it lazily); frames each need the same tiled layer.
  if (pages === 1) return [tile];
  const layer = await toRaw(
    loadSharp()({
      create: { width: frame.width, height: frame.height, channels: 4, background: TRANSPARENT },
    }).composite([tile]),
  );
  return perFrame(layer, { left: 0, top: 0 }, frame, pages);
}

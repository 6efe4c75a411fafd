import type { CiGravity, CiImageView2Step, CiThumbnailOp } from '../../lib/core/rules';

/** A size in pixels (of one frame, for an animated image). */
export interface Size {
  width: number;
  height: number;
}

/** A rectangle inside an image: offset from the top-left corner and size. */
export interface Rect extends Size {
  left: number;
  top: number;
}

const scaled = (value: number, ratio: number): number => Math.max(1, Math.round(value * ratio));

function fitRatio(src: Size, box: Size): number {
  return Math.min(box.width / src.width, box.height / src.height);
}

function scaleBy(src: Size, ratio: number): Size {
  return { width: scaled(src.width, ratio), height: scaled(src.height, ratio) };
}

/** `src` scaled by `ratio` to fit inside `box`, rounding kept inside the box. */
function fitInside(src: Size, box: Size): Size {
  const ratio = fitRatio(src, box);
  const out = scaleBy(src, ratio);
  return { width: Math.min(out.width, box.width), height: Math.min(out.height, box.height) };
}

/**
 * The size a `thumbnail` operation gives an image of size `src` (percentages and pixel counts as CI documents them;
 * `force` may distort; `shrink`/`enlarge` leave the size unchanged when they would do the other).
 * `area` keeps `width × height` at most `area`.
 * @example thumbnailSize({ op: 'thumbnail', mode: 'width', width: 400 }, { width: 4000, height: 3000 }) // 400x300
 */
export function thumbnailSize(op: CiThumbnailOp, src: Size): Size {
  switch (op.mode) {
    case 'scale':
      return scaleBy(src, op.scale / 100);
    case 'widthScale':
      return { width: scaled(src.width, op.scale / 100), height: src.height };
    case 'heightScale':
      return { width: src.width, height: scaled(src.height, op.scale / 100) };
    case 'width':
      return { width: op.width, height: scaled(src.height, op.width / src.width) };
    case 'height':
      return { width: scaled(src.width, op.height / src.height), height: op.height };
    case 'fit':
      return fitInside(src, op);
    case 'cover': {
      const ratio = Math.max(op.width / src.width, op.height / src.height);
      const out = scaleBy(src, ratio);
      return { width: Math.max(out.width, op.width), height: Math.max(out.height, op.height) };
    }
    case 'force':
      return { width: op.width, height: op.height };
    case 'shrink':
      return fitRatio(src, op) < 1 ? fitInside(src, op) : { ...src };
    case 'enlarge':
      return fitRatio(src, op) > 1 ? fitInside(src, op) : { ...src };
    case 'area': {
      if (src.width * src.height <= op.area) return { ...src };
      const ratio = Math.sqrt(op.area / (src.width * src.height));
      const width = Math.max(1, Math.floor(src.width * ratio));
      const height = Math.max(1, Math.min(Math.floor(src.height * ratio), Math.floor(op.area / width)));
      return { width, height };
    }
  }
}

/** The box a `pad/1` fills for a thumbnail, or `undefined` for a mode without a box. */
export function thumbnailBox(op: CiThumbnailOp): Size | undefined {
  return op.mode === 'fit' || op.mode === 'shrink' || op.mode === 'enlarge'
    ? { width: op.width, height: op.height }
    : undefined;
}

/** Clips a rectangle to the image; `undefined` when nothing of it is inside. */
export function clipRect(rect: Rect, image: Size): Rect | undefined {
  const left = Math.max(0, rect.left);
  const top = Math.max(0, rect.top);
  const right = Math.min(image.width, rect.left + rect.width);
  const bottom = Math.min(image.height, rect.top + rect.height);
  if (right <= left || bottom <= top) return undefined;
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * Where an `inner` box goes in an `outer` one for a nine-grid gravity, `dx`/`dy` being margins from the edge the
 * gravity names (ignored on a centred axis, as CI documents: `center` ignores both, `north`/`south` ignore dx,
 * `west`/`east` ignore dy). The result may lie partly outside `outer`.
 */
export function placeByGravity(
  outer: Size,
  inner: Size,
  gravity: CiGravity,
  dx = 0,
  dy = 0,
): { left: number; top: number } {
  const column = gravity.endsWith('west') ? 'west' : gravity.endsWith('east') ? 'east' : 'middle';
  const row = gravity.startsWith('north') ? 'north' : gravity.startsWith('south') ? 'south' : 'middle';
  const left =
    column === 'west'
      ? dx
      : column === 'east'
        ? outer.width - inner.width - dx
        : Math.floor((outer.width - inner.width) / 2);
  const top =
    row === 'north'
      ? dy
      : row === 'south'
        ? outer.height - inner.height - dy
        : Math.floor((outer.height - inner.height) / 2);
  return { left, top };
}

/**
 * The rectangle of `crop/<W>x<H>` (a missing side keeps the image's) with gravity (default `northwest`, CI's
 * top-left default) and margins, clipped to the image; `undefined` when the margins push it out entirely.
 */
export function cropRect(
  image: Size,
  crop: { width?: number; height?: number; gravity?: CiGravity; dx?: number; dy?: number },
): Rect | undefined {
  const size = {
    width: Math.min(crop.width ?? image.width, image.width),
    height: Math.min(crop.height ?? image.height, image.height),
  };
  const at = placeByGravity(image, size, crop.gravity ?? 'northwest', crop.dx, crop.dy);
  return clipRect({ ...at, ...size }, image);
}

/** What an imageView2 step does to an image of size `src`: scale to `resize`, then (modes 1 and 5) centre-crop to `crop`. */
export interface ImageView2Plan {
  resize: Size;
  crop?: Size;
}

/**
 * Plans an imageView2 step with a mode. Modes 1 and 5 scale to cover the box and centre-crop to it (one side only
 * given: a square); 2 fits inside the box; 3 covers it without cropping; 4 and 5 read `w`/`h` as the long and
 * short edges. CI's page says "maximum" for mode 5; the emulator follows the cropping reading (Qiniu's mode 5,
 * where the template comes from), since a fit inside a maximum leaves nothing to crop.
 */
export function imageView2Plan(step: CiImageView2Step, src: Size): ImageView2Plan | undefined {
  const { mode, width: w, height: h } = step;
  if (mode === undefined) return undefined;
  const landscape = src.width >= src.height;
  const long = Math.max(src.width, src.height);
  const short = Math.min(src.width, src.height);
  const ratios = (pairs: [number | undefined, number][]): number[] =>
    pairs
      .filter((pair): pair is [number, number] => pair[0] !== undefined)
      .map(([target, side]) => target / side);
  switch (mode) {
    case 1:
    case 5: {
      const a = w ?? h!;
      const b = h ?? w!;
      const box = mode === 1 || landscape ? { width: a, height: b } : { width: b, height: a };
      const ratio = Math.max(box.width / src.width, box.height / src.height);
      const out = scaleBy(src, ratio);
      return {
        resize: { width: Math.max(out.width, box.width), height: Math.max(out.height, box.height) },
        crop: box,
      };
    }
    case 2:
      return {
        resize: scaleBy(
          src,
          Math.min(
            ...ratios([
              [w, src.width],
              [h, src.height],
            ]),
          ),
        ),
      };
    case 3:
      return {
        resize: scaleBy(
          src,
          Math.max(
            ...ratios([
              [w, src.width],
              [h, src.height],
            ]),
          ),
        ),
      };
    case 4:
      return {
        resize: scaleBy(
          src,
          Math.max(
            ...ratios([
              [w, long],
              [h, short],
            ]),
          ),
        ),
      };
  }
}

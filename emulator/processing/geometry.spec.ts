import {
  parseRule,
  type CiImageMogr2Step,
  type CiImageView2Step,
  type CiThumbnailOp,
} from '../../lib/core/rules';
import { clipRect, cropRect, imageView2Plan, placeByGravity, thumbnailSize } from './geometry';

const thumb = (token: string): CiThumbnailOp =>
  (parseRule(`imageMogr2/thumbnail/${token}`).steps[0] as CiImageMogr2Step).ops[0] as CiThumbnailOp;
const view = (text: string): CiImageView2Step => parseRule(text).steps[0] as CiImageView2Step;

describe('thumbnailSize', () => {
  const src = { width: 1200, height: 800 };
  it.each([
    ['!50p', 600, 400],
    ['!150p', 1800, 1200],
    ['!50px', 600, 800],
    ['!x25p', 1200, 200],
    ['300x', 300, 200],
    ['x200', 300, 200],
    ['300x300', 300, 200],
    ['2400x2400', 2400, 1600],
    ['!300x300r', 450, 300],
    ['300x300!', 300, 300],
    ['300x300>', 300, 200],
    ['3000x3000>', 1200, 800],
    ['3000x3000<', 3000, 2000],
    ['300x300<', 1200, 800],
    ['10000@', 122, 81],
    ['2000000@', 1200, 800],
  ])('thumbnail/%s of 1200x800 is %ix%i', (token, width, height) => {
    expect(thumbnailSize(thumb(token), src)).toEqual({ width, height });
  });

  it('keeps Area@ at or under the area for awkward ratios', () => {
    for (const [w, h, area] of [
      [997, 13, 5000],
      [4000, 3000, 1_000_000],
      [31, 1999, 777],
    ]) {
      const out = thumbnailSize(thumb(`${area}@`), { width: w, height: h });
      expect(out.width * out.height).toBeLessThanOrEqual(area);
      expect(out.width * out.height).toBeGreaterThan(area * 0.9 - w - h);
    }
  });
});

describe('cropRect and placeByGravity', () => {
  const image = { width: 100, height: 80 };
  it.each([
    ['northwest', 10, 5],
    ['north', 35, 5],
    ['northeast', 60, 5],
    ['west', 10, 25],
    ['center', 35, 25],
    ['east', 60, 25],
    ['southwest', 10, 45],
    ['south', 35, 45],
    ['southeast', 60, 45],
  ] as const)('places a 30x30 crop with gravity %s, dx 10, dy 5 at (%i, %i)', (gravity, left, top) => {
    expect(cropRect(image, { width: 30, height: 30, gravity, dx: 10, dy: 5 })).toEqual({
      left,
      top,
      width: 30,
      height: 30,
    });
  });

  it('defaults to the top-left corner, keeps a missing side, clips to the image and refuses a crop pushed outside', () => {
    expect(cropRect(image, { width: 30 })).toEqual({ left: 0, top: 0, width: 30, height: 80 });
    expect(cropRect(image, { height: 500 })).toEqual({ left: 0, top: 0, width: 100, height: 80 });
    expect(cropRect(image, { width: 50, height: 50, dx: 80 })).toEqual({
      left: 80,
      top: 0,
      width: 20,
      height: 50,
    });
    expect(cropRect(image, { width: 50, dx: 100 })).toBeUndefined();
    expect(clipRect({ left: -5, top: -5, width: 10, height: 10 }, image)).toEqual({
      left: 0,
      top: 0,
      width: 5,
      height: 5,
    });
    expect(placeByGravity(image, { width: 20, height: 20 }, 'southeast', 3, 4)).toEqual({
      left: 77,
      top: 56,
    });
  });
});

describe('imageView2Plan', () => {
  const landscape = { width: 1200, height: 800 };
  const portrait = { width: 800, height: 1200 };
  it('mode 1 covers then centre-crops to the box (a square with one side), mode 5 in long/short edges', () => {
    expect(imageView2Plan(view('imageView2/1/w/200/h/100'), landscape)).toEqual({
      resize: { width: 200, height: 133 },
      crop: { width: 200, height: 100 },
    });
    expect(imageView2Plan(view('imageView2/1/w/200'), landscape)?.crop).toEqual({ width: 200, height: 200 });
    expect(imageView2Plan(view('imageView2/5/w/300/h/100'), portrait)?.crop).toEqual({
      width: 100,
      height: 300,
    });
  });

  it('mode 2 fits inside, mode 3 covers without a crop, mode 4 reads long and short edges', () => {
    expect(imageView2Plan(view('imageView2/2/w/300/h/300'), landscape)).toEqual({
      resize: { width: 300, height: 200 },
    });
    expect(imageView2Plan(view('imageView2/2/h/100'), landscape)).toEqual({
      resize: { width: 150, height: 100 },
    });
    expect(imageView2Plan(view('imageView2/3/w/300/h/300'), landscape)).toEqual({
      resize: { width: 450, height: 300 },
    });
    expect(imageView2Plan(view('imageView2/4/w/600/h/100'), portrait)).toEqual({
      resize: { width: 400, height: 600 },
    });
    expect(imageView2Plan(view('imageView2/format/png'), landscape)).toBeUndefined();
  });
});

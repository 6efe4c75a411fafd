/**
 * Real test images made with sharp, for the processing specs (not part of the public API).
 */
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** An RGB colour. */
export type Rgb = [number, number, number];

/** Colours of the four quadrants of {@link quadrants}: top-left, top-right, bottom-left, bottom-right. */
export const QUADRANT_COLOURS: { tl: Rgb; tr: Rgb; bl: Rgb; br: Rgb } = {
  tl: [220, 30, 30],
  tr: [30, 200, 30],
  bl: [30, 30, 220],
  br: [240, 240, 240],
};

/** Raw RGB pixels of a `width`×`height` image made of four flat quadrants ({@link QUADRANT_COLOURS}). */
export function quadrantPixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  const { tl, tr, bl, br } = QUADRANT_COLOURS;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = y < height / 2 ? (x < width / 2 ? tl : tr) : x < width / 2 ? bl : br;
      data.set(c, (y * width + x) * 3);
    }
  }
  return data;
}

/** A sharp image of four flat quadrants. */
export function quadrants(width: number, height: number): sharp.Sharp {
  return sharp(quadrantPixels(width, height), { raw: { width, height, channels: 3 } });
}

/** A JPEG of four quadrants, at `quality` (default 90). */
export function quadrantJpeg(width: number, height: number, quality = 90): Promise<Buffer> {
  return quadrants(width, height).jpeg({ quality }).toBuffer();
}

/** A photo-like JPEG (smooth noise: realistic entropy, so sizes and timings are realistic). */
export async function photoJpeg(width: number, height: number, quality = 85): Promise<Buffer> {
  const small = await sharp({
    create: {
      width: Math.ceil(width / 8),
      height: Math.ceil(height / 8),
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .png()
    .toBuffer();
  return sharp(small).resize(width, height, { fit: 'fill' }).jpeg({ quality }).toBuffer();
}

/** An animated GIF of `frames` flat frames (red, green, blue, ...), each `width`×`height`, 100 ms apart. */
export function animatedGif(frames: number, width: number, height: number): Promise<Buffer> {
  const palette: Rgb[] = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 0],
  ];
  const data = Buffer.alloc(width * height * frames * 4);
  for (let page = 0; page < frames; page++) {
    const [r, g, b] = palette[page % palette.length];
    for (let i = 0; i < width * height; i++) data.set([r, g, b, 255], (page * width * height + i) * 4);
  }
  return sharp(data, { raw: { width, height: height * frames, channels: 4, pageHeight: height } })
    .gif({ delay: new Array<number>(frames).fill(100), loop: 0 })
    .toBuffer();
}

/** A tiny PNG whose IHDR declares `width`×`height` (CRC fixed): a decompression bomb's header on a 10x10 body. */
export async function pngBomb(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
      .png()
      .toBuffer(),
  );
  // IHDR: length (4) at 8, type at 12, width at 16, height at 20, CRC over type+data (17 bytes) at 29.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

/** The RGBA value of the pixel at (x, y) of an encoded image (its first frame). */
export async function pixelAt(
  image: Buffer,
  x: number,
  y: number,
): Promise<[number, number, number, number]> {
  const { data, info } = await sharp(image)
    .ensureAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2], data[i + 3]];
}

/** True when two colours differ by at most `tolerance` on every channel. */
export function near(actual: readonly number[], expected: readonly number[], tolerance = 24): boolean {
  return expected.every((value, i) => Math.abs(actual[i] - value) <= tolerance);
}

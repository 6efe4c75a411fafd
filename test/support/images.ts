import sharp from 'sharp';
import { pngBomb } from '../../emulator/processing/test-images';

/** A photo-like JPEG (gradient plus noise, so it compresses like a photo). */
export async function photoJpeg(width = 1200, height = 800, quality = 85): Promise<Buffer> {
  const noise = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .composite([{ input: noise, blend: 'overlay' }])
    .jpeg({ quality })
    .toBuffer();
}

/** A JPEG of roughly `megabytes` MB: high-entropy noise at quality 100. */
export async function largeJpeg(megabytes: number): Promise<Buffer> {
  // Noise at q100 costs about 3.3 bytes per pixel.
  const pixels = (megabytes * 1024 * 1024) / 3.3;
  const width = Math.round(Math.sqrt(pixels * 1.5));
  const height = Math.round(pixels / width);
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 80 },
    },
  })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** A PNG that declares `width` x `height` in its header but holds a tiny image: a decompression bomb's header. */
export function pixelBombPng(width = 50_000, height = 50_000): Promise<Buffer> {
  return pngBomb(width, height);
}

/** The first `fraction` of a file: a truncated image. */
export function truncated(bytes: Buffer, fraction = 0.5): Buffer {
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

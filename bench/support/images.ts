import sharp from 'sharp';

/** Renders a JPEG of `width` x `height`: a colour field overlaid with Gaussian noise of strength `sigma`. */
async function noiseJpeg(width: number, height: number, sigma: number, quality: number): Promise<Buffer> {
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma } },
  })
    .png({ compressionLevel: 0 })
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: { r: 70, g: 120, b: 160 } } })
    .composite([{ input: noise, blend: 'overlay' }])
    .jpeg({ quality, chromaSubsampling: quality >= 95 ? '4:4:4' : '4:2:0' })
    .toBuffer();
}

/**
 * A photo-like JPEG (3:2, noise over a colour field) of about `targetBytes` (within 5 %): high-entropy noise
 * at high quality for large images, so the bytes cannot be compressed away on the wire.
 */
export async function photoLikeJpeg(
  targetBytes: number,
  options: { sigma?: number; quality?: number } = {},
): Promise<Buffer> {
  const sigma = options.sigma ?? 60;
  const quality = options.quality ?? 95;
  // First guess from what noise costs per pixel at this quality; then correct by the measured ratio.
  let pixels = targetBytes / (quality >= 95 ? 2.8 : 0.45);
  let image: Buffer = Buffer.alloc(0);
  for (let attempt = 0; attempt < 4; attempt++) {
    const width = Math.max(16, Math.round(Math.sqrt(pixels * 1.5)));
    const height = Math.max(16, Math.round(width / 1.5));
    image = await noiseJpeg(width, height, sigma, quality);
    const ratio = targetBytes / image.length;
    if (Math.abs(ratio - 1) <= 0.05) break;
    pixels = width * height * ratio;
  }
  return image;
}

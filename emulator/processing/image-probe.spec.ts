import sharp from 'sharp';
import { encodeBmp } from './bmp';
import { checkImageLimits, probeImage, readImageHeader } from './image-probe';
import { CiProcessingError } from './processing.error';
import { animatedGif, pngBomb, quadrantJpeg, quadrantPixels, quadrants } from './test-images';

async function refusal(promise: Promise<unknown>): Promise<CiProcessingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CiProcessingError);
  return error as CiProcessingError;
}

describe('probeImage', () => {
  it('reports a JPEG as CI does: format, size, estimated quality, average colour and orientation 1', async () => {
    const probe = await probeImage(await quadrantJpeg(400, 300, 80));
    expect(probe).toMatchObject({
      format: 'JPEG',
      type: 'jpeg',
      width: 400,
      height: 300,
      orientation: 1,
      pages: 1,
    });
    expect(Math.abs(probe.quality - 80)).toBeLessThanOrEqual(3);
    // Quadrants (220,30,30) (30,200,30) (30,30,220) (240,240,240) average to about (130,125,130).
    expect(probe.ave).toMatch(/^0x[0-9a-f]{6}$/);
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(probe.ave!.slice(2).slice(i - 1, i + 1), 16));
    expect(Math.abs(r - 130)).toBeLessThan(8);
    expect(Math.abs(g - 125)).toBeLessThan(8);
    expect(Math.abs(b - 130)).toBeLessThan(8);
  });

  it('reads the EXIF orientation (6) without rotating the stored size', async () => {
    const jpeg = await quadrants(400, 300).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await probeImage(jpeg, {}, { average: false })).toMatchObject({
      width: 400,
      height: 300,
      orientation: 6,
    });
  });

  it('reports PNG (with alpha), WebP, AVIF, BMP and an animated GIF with its frames; quality 100 for them', async () => {
    const rgba = sharp({
      create: { width: 20, height: 10, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } },
    });
    expect(await probeImage(await rgba.clone().png().toBuffer())).toMatchObject({
      format: 'PNG',
      hasAlpha: true,
      quality: 100,
      ave: '0x0000ff',
    });
    expect(await probeImage(await rgba.clone().webp().toBuffer(), {}, { average: false })).toMatchObject({
      format: 'WEBP',
    });
    expect(await probeImage(await rgba.clone().avif().toBuffer(), {}, { average: false })).toMatchObject({
      format: 'AVIF',
      type: 'avif',
    });
    const bmp = encodeBmp(quadrantPixels(30, 20), 30, 20);
    expect(await probeImage(bmp)).toMatchObject({ format: 'BMP', width: 30, height: 20, quality: 100 });
    expect(await probeImage(await animatedGif(3, 40, 30))).toMatchObject({
      format: 'GIF',
      width: 40,
      height: 30,
      pages: 3,
      delay: [100, 100, 100],
      ave: '0xff0000',
    });
  });

  it('refuses a text file, an empty body and SVG with InvalidImageFormat', async () => {
    for (const body of [
      Buffer.from('just some text, not an image\n'),
      Buffer.alloc(0),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
    ]) {
      expect((await refusal(probeImage(body))).code).toBe('InvalidImageFormat');
    }
  });

  it('refuses a truncated JPEG with InvalidImageFormat when it decodes the pixels for the average', async () => {
    const jpeg = await quadrantJpeg(400, 300);
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    // The header alone is fine: only decoding finds the truncation.
    expect((await readImageHeader(truncated)).width).toBe(400);
    const error = await refusal(probeImage(truncated));
    expect(error.code).toBe('InvalidImageFormat');
    expect(error.message).toMatch(/corrupt or truncated/);
  });

  it('refuses a decompression bomb (1 KB PNG declaring 50000x50000) from its header, in well under a second', async () => {
    const bomb = await pngBomb(50_000, 50_000);
    expect(bomb.length).toBeLessThan(1024);
    const started = performance.now();
    const error = await refusal(probeImage(bomb));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('ImageResolutionExceed');
    // Under the side limit but over the pixel count: 20000 x 20000 = 400 M pixels.
    expect((await refusal(probeImage(await pngBomb(20_000, 20_000)))).message).toContain('100000000-pixel');
  });

  it('applies configured limits: pixels, side and frames (width x height x frames counted)', async () => {
    const jpeg = await quadrantJpeg(400, 300);
    expect((await refusal(probeImage(jpeg, { maxPixels: 100_000 }))).code).toBe('ImageResolutionExceed');
    expect((await refusal(probeImage(jpeg, { maxSide: 399 }))).code).toBe('ImageResolutionExceed');
    const gif = await animatedGif(3, 40, 30);
    expect((await refusal(probeImage(gif, { maxPixels: 3 * 40 * 30 - 1 }))).code).toBe(
      'ImageResolutionExceed',
    );
    expect((await refusal(probeImage(gif, { maxFrames: 2 }))).message).toContain('2-frame');
    expect(() =>
      checkImageLimits({ width: 10, height: 10 }, { maxPixels: 100, maxSide: 10, maxFrames: 1 }),
    ).not.toThrow();
    await expect(probeImage(jpeg, { maxSourceBytes: 64 * 1024 * 1024 })).rejects.toThrow(RangeError);
  });
});

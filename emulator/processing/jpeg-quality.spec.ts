import sharp from 'sharp';
import { estimateJpegQuality, readJpegQuantTables } from './jpeg-quality';
import { photoJpeg } from './test-images';

describe('estimateJpegQuality', () => {
  let base: sharp.Sharp;
  beforeAll(async () => {
    base = sharp(await photoJpeg(320, 240));
  });

  it.each([50, 80, 95])('estimates a sharp-encoded quality %i within ±3', async (quality) => {
    const jpeg = await base.clone().jpeg({ quality }).toBuffer();
    const estimate = estimateJpegQuality(jpeg)!;
    expect(Math.abs(estimate - quality)).toBeLessThanOrEqual(3);
  });

  it('reads both tables of a colour JPEG and the one table of a greyscale JPEG', async () => {
    const colour = await base.clone().jpeg({ quality: 75 }).toBuffer();
    const grey = await base.clone().toColourspace('b-w').jpeg({ quality: 30 }).toBuffer();
    expect([...readJpegQuantTables(colour).keys()].sort()).toEqual([0, 1]);
    expect([...readJpegQuantTables(grey).keys()]).toEqual([0]);
    expect(estimateJpegQuality(grey)).toBe(30);
  });

  it('approximates custom (mozjpeg) tables and returns undefined for bytes without tables', async () => {
    const moz = await base.clone().jpeg({ quality: 80, mozjpeg: true }).toBuffer();
    expect(Math.abs(estimateJpegQuality(moz)! - 80)).toBeLessThanOrEqual(5);
    expect(estimateJpegQuality(await base.clone().png().toBuffer())).toBeUndefined();
    expect(estimateJpegQuality(Buffer.from([0xff, 0xd8, 0xff]))).toBeUndefined();
  });
});

import sharp from 'sharp';
import { decodeBmp, encodeBmp, isBmp, readBmpHeader } from './bmp';
import { quadrantPixels } from './test-images';

describe('BMP codec', () => {
  it('round-trips 24-bit pixels, with row padding (odd width)', () => {
    const width = 5;
    const height = 3;
    const rgb = Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256));
    const bmp = encodeBmp(rgb, width, height);
    expect(bmp.length).toBe(54 + 16 * height);
    expect(isBmp(bmp)).toBe(true);
    expect(readBmpHeader(bmp)).toMatchObject({
      width,
      height,
      bitsPerPixel: 24,
      compression: 0,
      topDown: false,
    });
    expect(decodeBmp(bmp)).toEqual({ data: rgb, width, height, channels: 3 });
  });

  it('reads a top-down 8-bit palette file and a 32-bit BI_BITFIELDS file with alpha', () => {
    // 2x2, 8 bpp, palette [black, red], top-down (negative height).
    const palette = Buffer.alloc(54 + 8 + 8);
    palette.write('BM', 0, 'latin1');
    palette.writeUInt32LE(palette.length, 2);
    palette.writeUInt32LE(62, 10);
    palette.writeUInt32LE(40, 14);
    palette.writeInt32LE(2, 18);
    palette.writeInt32LE(-2, 22);
    palette.writeUInt16LE(1, 26);
    palette.writeUInt16LE(8, 28);
    palette.writeUInt32LE(2, 46);
    palette.set([0, 0, 0, 0, 0, 0, 255, 0], 54);
    palette.set([1, 0, 0, 0, 0, 1, 0, 0], 62);
    expect(decodeBmp(palette).data).toEqual(Buffer.from([255, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0]));

    // 1x1, 32 bpp, V4 header (108 bytes) with masks R G B A.
    const v4 = Buffer.alloc(14 + 108 + 4);
    v4.write('BM', 0, 'latin1');
    v4.writeUInt32LE(14 + 108, 10);
    v4.writeUInt32LE(108, 14);
    v4.writeInt32LE(1, 18);
    v4.writeInt32LE(1, 22);
    v4.writeUInt16LE(1, 26);
    v4.writeUInt16LE(32, 28);
    v4.writeUInt32LE(3, 30);
    v4.writeUInt32LE(0x00ff0000, 54);
    v4.writeUInt32LE(0x0000ff00, 58);
    v4.writeUInt32LE(0x000000ff, 62);
    v4.writeUInt32LE(0xff000000, 66);
    v4.writeUInt32LE(0x80102030, 122);
    expect(decodeBmp(v4)).toEqual({
      data: Buffer.from([0x10, 0x20, 0x30, 0x80]),
      width: 1,
      height: 1,
      channels: 4,
    });
  });

  it('encodes what sharp decodes to the same pixels, and refuses truncated or compressed files', async () => {
    const rgb = quadrantPixels(40, 30);
    const bmp = encodeBmp(rgb, 40, 30);
    const back = decodeBmp(bmp);
    const png = await sharp(back.data, { raw: { width: 40, height: 30, channels: 3 } })
      .png()
      .toBuffer();
    expect(await sharp(png).raw().toBuffer()).toEqual(rgb);
    expect(() => decodeBmp(bmp.subarray(0, 100))).toThrow('truncated');
    const rle = Buffer.from(bmp);
    rle.writeUInt32LE(1, 30);
    expect(() => decodeBmp(rle)).toThrow('compression 1');
    expect(isBmp(Buffer.from('BMnot really'))).toBe(false);
  });
});

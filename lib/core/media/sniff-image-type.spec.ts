import sharp from 'sharp';
import { sniffImageType } from './sniff-image-type';

describe('sniffImageType', () => {
  const image = sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } });

  it.each([
    ['jpeg', 'image/jpeg', 'jpg'],
    ['png', 'image/png', 'png'],
    ['webp', 'image/webp', 'webp'],
    ['gif', 'image/gif', 'gif'],
    ['avif', 'image/avif', 'avif'],
    ['tiff', 'image/tiff', 'tif'],
  ] as const)('recognises real %s bytes', async (format, mimetype, ext) => {
    const bytes = await image.clone().toFormat(format).toBuffer();
    expect(await sniffImageType(bytes.subarray(0, 4100))).toEqual({ format, mimetype, ext });
  });

  it('refuses text, HTML named like an image, and nothing at all', async () => {
    expect(await sniffImageType(Buffer.from('hello, this is not an image'))).toBeUndefined();
    expect(await sniffImageType(Buffer.from('<!doctype html><html><body>x</body></html>'))).toBeUndefined();
    expect(await sniffImageType(Buffer.alloc(0))).toBeUndefined();
    expect(await sniffImageType(Buffer.from('%PDF-1.7\n'))).toBeUndefined();
  });
});

import { Test, type TestingModule } from '@nestjs/testing';
import sharp from 'sharp';
import { CiService, imageMogr2, pipe } from '../../lib';
import { CiTestingModule } from '../../testing';
import { photoJpeg } from '../support/images';

async function widthOf(url: string): Promise<number | undefined> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await sharp(Buffer.from(await res.arrayBuffer())).metadata()).width;
}

describe('CiService processing URLs and image metadata', () => {
  let moduleRef: TestingModule;
  let ci: CiService;
  let key: string;
  let jpeg: Buffer;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        CiTestingModule.forRoot({
          module: { styles: { tiny: imageMogr2().thumbnail({ width: 32 }).format('png') } },
        }),
      ],
    }).compile();
    await moduleRef.init();
    ci = moduleRef.get(CiService);
    jpeg = await photoJpeg(400, 300);
    key = (await ci.upload(jpeg)).key;
  });
  afterAll(() => moduleRef.close());

  it('getUrl with a rule, a pipe and a module style gives processed images', async () => {
    expect(await widthOf(await ci.getUrl(key, { process: imageMogr2().thumbnail({ width: 100 }) }))).toBe(
      100,
    );
    expect(
      await widthOf(
        await ci.getUrl(key, {
          process: pipe(imageMogr2().thumbnail({ width: 200 }), imageMogr2().crop({ width: 50 })),
        }),
      ),
    ).toBe(50);
    // A module style is a rule kept server side: it becomes the query.
    const styled = await ci.getUrl(key, { process: { style: 'tiny' }, expiresIn: 60 });
    expect(styled).toContain('&imageMogr2/thumbnail/32x/format/png');
    expect(await widthOf(styled)).toBe(32);
  });

  it('getUrl without a signature is plain, and a private object answers 403 to it', async () => {
    const url = await ci.getUrl(key, { process: imageMogr2().thumbnail({ width: 100 }), signed: false });
    expect(url).not.toContain('q-signature');
    expect((await fetch(url)).status).toBe(403);
  });

  it('imageInfo, imageAve and exif are typed', async () => {
    const info = await ci.imageInfo(key);
    expect(info).toMatchObject({ format: 'JPEG', width: 400, height: 300, size: jpeg.length, frameCount: 1 });
    expect((await ci.imageAve(key)).rgb).toBe(info.photoRgb);
    // An image without EXIF (this JPEG has none): CI answers {"error":"no exif data"}, read as no tags.
    expect((await ci.exif(key)).tags).toEqual({});
  });
});

import sharp from 'sharp';
import { encodeUrlSafeBase64, parseRule } from '../../lib/core/rules';
import { decodeBmp } from './bmp';
import { executeRule, type ExecuteRuleContext, type ExecuteRuleResult } from './execute-rule';
import { probeImage } from './image-probe';
import { CiProcessingError } from './processing.error';
import {
  QUADRANT_COLOURS as Q,
  animatedGif,
  near,
  photoJpeg,
  pixelAt,
  quadrantJpeg,
  quadrants,
} from './test-images';

const run = (source: Buffer, rule: string, ctx: ExecuteRuleContext = {}): Promise<ExecuteRuleResult> =>
  executeRule(source, parseRule(rule), ctx);

async function refusal(promise: Promise<unknown>): Promise<CiProcessingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CiProcessingError);
  return error as CiProcessingError;
}

async function decoded(out: ExecuteRuleResult) {
  const meta = await sharp(out.body, { animated: true }).metadata();
  return {
    format: meta.format,
    width: meta.width,
    height: meta.pageHeight ?? meta.height,
    pages: meta.pages ?? 1,
    meta,
  };
}

/** Pixels that differ from the source by more than `threshold`, counted per quadrant of the image. */
async function changedByQuadrant(before: Buffer, after: Buffer, threshold = 40) {
  const a = await sharp(before).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const b = await sharp(after).removeAlpha().raw().toBuffer();
  const { width, height, channels } = a.info;
  const counts = { tl: 0, tr: 0, bl: 0, br: 0 };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const diff = Math.max(...[0, 1, 2].map((c) => Math.abs(a.data[i + c] - b[i + c])));
      if (diff > threshold)
        counts[`${y < height / 2 ? 't' : 'b'}${x < width / 2 ? 'l' : 'r'}` as keyof typeof counts]++;
    }
  }
  return counts;
}

const b64 = encodeUrlSafeBase64;

describe('executeRule', () => {
  let jpeg: Buffer; // 400x300 quadrants, quality 90
  let exif6: Buffer; // the same, stored with EXIF orientation 6
  let photo: Buffer; // 400x300 noisy photo, quality 85
  let gif: Buffer; // 3 frames 60x40: red, green, blue
  let grey: Buffer; // 400x300 flat grey PNG

  beforeAll(async () => {
    jpeg = await quadrantJpeg(400, 300, 90);
    exif6 = await quadrants(400, 300).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    photo = await photoJpeg(400, 300, 85);
    gif = await animatedGif(3, 60, 40);
    grey = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
  });

  describe('thumbnail', () => {
    it.each([
      ['!50p', 200, 150],
      ['!50px', 200, 300],
      ['!x50p', 400, 150],
      ['100x', 100, 75],
      ['x150', 200, 150],
      ['200x200', 200, 150],
      ['!200x200r', 267, 200],
      ['200x200!', 200, 200],
      ['200x200>', 200, 150],
      ['800x800>', 400, 300],
      ['800x800<', 800, 600],
      ['100x100<', 400, 300],
      ['30000@', 200, 150],
    ])(
      'thumbnail/%s of 400x300 gives %ix%i, measured on the decoded output',
      async (token, width, height) => {
        const out = await run(jpeg, `imageMogr2/thumbnail/${token}`);
        expect(await decoded(out)).toMatchObject({ format: 'jpeg', width, height });
        expect(out).toMatchObject({ format: 'jpeg', width, height, size: out.body.length });
      },
    );

    it('pads a thumbnail to the box with the colour given', async () => {
      const out = await run(jpeg, `imageMogr2/thumbnail/300x300/pad/1/color/${b64('#FF0000')}`);
      expect([out.width, out.height]).toEqual([300, 300]);
      expect(near(await pixelAt(out.body, 150, 5), [255, 0, 0])).toBe(true);
      expect(near(await pixelAt(out.body, 5, 100), Q.tl)).toBe(true);
    });
  });

  describe('crop, cut, scrop, radius', () => {
    it.each([
      ['northwest', Q.tl],
      ['northeast', Q.tr],
      ['southwest', Q.bl],
      ['southeast', Q.br],
    ] as const)('crops 100x100 at %s', async (gravity, colour) => {
      const out = await run(jpeg, `imageMogr2/crop/100x100/gravity/${gravity}/dx/10/dy/10`);
      expect([out.width, out.height]).toEqual([100, 100]);
      expect(near(await pixelAt(out.body, 50, 50), colour)).toBe(true);
    });

    it('crops at the centre across the four quadrants, keeps a missing side, and refuses a crop outside', async () => {
      const out = await run(jpeg, 'imageMogr2/crop/100x100/gravity/center');
      expect(near(await pixelAt(out.body, 5, 5), Q.tl)).toBe(true);
      expect(near(await pixelAt(out.body, 94, 94), Q.br)).toBe(true);
      const column = await run(jpeg, 'imageMogr2/crop/100x/gravity/east');
      expect([column.width, column.height]).toEqual([100, 300]);
      const error = await refusal(run(jpeg, 'imageMogr2/crop/100x100/dx/500'));
      expect(error.code).toBe('InvalidArgument');
      expect(error.message).toMatch(/^step 1 \(imageMogr2\) crop: .*outside the 400x300 image/);
    });

    it('cuts from the top-left corner', async () => {
      const out = await run(jpeg, 'imageMogr2/cut/100x50x250x200');
      expect([out.width, out.height]).toEqual([100, 50]);
      expect(near(await pixelAt(out.body, 50, 25), Q.br)).toBe(true);
    });

    it('scrop gives exactly the size asked', async () => {
      const out = await run(photo, 'imageMogr2/scrop/120x200');
      expect(await decoded(out)).toMatchObject({ width: 120, height: 200 });
    });

    it('iradius cuts a centred circle, transparent outside, as PNG; rradius rounds the corners', async () => {
      const circle = await run(jpeg, 'imageMogr2/iradius/100');
      expect(await decoded(circle)).toMatchObject({ format: 'png', width: 200, height: 200 });
      expect((await pixelAt(circle.body, 2, 2))[3]).toBe(0);
      expect((await pixelAt(circle.body, 100, 100))[3]).toBe(255);
      expect((await pixelAt(circle.body, 100, 2))[3]).toBe(255);
      const rounded = await run(jpeg, 'imageMogr2/rradius/40');
      expect(await decoded(rounded)).toMatchObject({ format: 'png', width: 400, height: 300 });
      expect((await pixelAt(rounded.body, 1, 1))[3]).toBe(0);
      expect((await pixelAt(rounded.body, 60, 1))[3]).toBe(255);
      // Asked as JPEG, the transparent corners are white.
      const asJpeg = await run(jpeg, 'imageMogr2/rradius/40/format/jpg');
      expect(near(await pixelAt(asJpeg.body, 1, 1), [255, 255, 255])).toBe(true);
    });
  });

  describe('rotate, flip, auto-orient', () => {
    it('rotate/90 turns clockwise and swaps width and height', async () => {
      const out = await run(jpeg, 'imageMogr2/rotate/90');
      expect([out.width, out.height]).toEqual([300, 400]);
      expect(near(await pixelAt(out.body, 20, 20), Q.bl)).toBe(true);
      expect(near(await pixelAt(out.body, 280, 20), Q.tl)).toBe(true);
    });

    it('rotate/45 fills the corners white for a JPEG and transparent for a PNG with alpha', async () => {
      const out = await run(jpeg, 'imageMogr2/rotate/45');
      expect([out.width, out.height]).toEqual([495, 495]);
      expect(near(await pixelAt(out.body, 2, 2), [255, 255, 255])).toBe(true);
      const png = await quadrants(100, 100).ensureAlpha().png().toBuffer();
      expect((await pixelAt((await run(png, 'imageMogr2/rotate/45')).body, 1, 1))[3]).toBe(0);
    });

    it('flips vertically and horizontally', async () => {
      const vertical = await run(jpeg, 'imageMogr2/flip/vertical');
      expect(near(await pixelAt(vertical.body, 20, 20), Q.bl)).toBe(true);
      const horizontal = await run(jpeg, 'imageMogr2/flip/horizontal');
      expect(near(await pixelAt(horizontal.body, 20, 20), Q.tr)).toBe(true);
    });

    it('auto-orient applies EXIF orientation 6 (swapped size) and resets it to 1', async () => {
      expect((await probeImage(exif6)).orientation).toBe(6);
      const out = await run(exif6, 'imageMogr2/auto-orient');
      expect([out.width, out.height]).toEqual([300, 400]);
      expect(near(await pixelAt(out.body, 20, 20), Q.bl)).toBe(true);
      expect((await probeImage(out.body)).orientation).toBe(1);
      // Without auto-orient the pixels stay as stored and the orientation tag is kept.
      const kept = await run(exif6, 'imageMogr2/thumbnail/200x');
      expect([kept.width, kept.height]).toEqual([200, 150]);
      expect((await probeImage(kept.body)).orientation).toBe(6);
    });

    it('auto-orient after a resize (a later libvips pass) still applies the orientation', async () => {
      const out = await run(exif6, 'imageMogr2/thumbnail/200x/auto-orient');
      expect([out.width, out.height]).toEqual([150, 200]);
      expect(near(await pixelAt(out.body, 10, 10), Q.bl)).toBe(true);
    });
  });

  describe('operations run in the order written', () => {
    it('crop then thumbnail differs from thumbnail then crop', async () => {
      const cropFirst = await run(jpeg, 'imageMogr2/crop/200x150/thumbnail/100x');
      expect([cropFirst.width, cropFirst.height]).toEqual([100, 75]);
      expect(near(await pixelAt(cropFirst.body, 90, 70), Q.tl)).toBe(true);
      const thumbFirst = await run(jpeg, 'imageMogr2/thumbnail/100x/crop/50x50/gravity/southeast');
      expect([thumbFirst.width, thumbFirst.height]).toEqual([50, 50]);
      expect(near(await pixelAt(thumbFirst.body, 25, 25), Q.br)).toBe(true);
    });

    it('thumbnail, rotate, then crop (three libvips passes) gives the crop of the rotated thumbnail', async () => {
      const out = await run(jpeg, 'imageMogr2/thumbnail/200x/rotate/90/crop/50x50/gravity/northeast');
      expect([out.width, out.height]).toEqual([50, 50]);
      expect(near(await pixelAt(out.body, 25, 25), Q.tl)).toBe(true);
    });
  });

  describe('format and quality', () => {
    it.each([
      ['png', 'png', 'png'],
      ['webp', 'webp', 'webp'],
      ['gif', 'gif', 'gif'],
      ['jpg', 'jpeg', 'jpeg'],
      ['yjpeg', 'jpeg', 'jpeg'],
      ['avif', 'avif', 'heif'],
    ])('format/%s writes %s (sharp reads it back as %s)', async (format, reported, readBack) => {
      const out = await run(jpeg, `imageMogr2/thumbnail/100x/format/${format}`);
      expect(out.format).toBe(reported);
      expect(await decoded(out)).toMatchObject({ format: readBack, width: 100, height: 75 });
    });

    it('format/bmp writes a 24-bit BMP with this package’s encoder', async () => {
      const out = await run(jpeg, 'imageMogr2/thumbnail/100x/format/bmp');
      expect(out).toMatchObject({ format: 'bmp', width: 100, height: 75, quality: 100 });
      const bmp = decodeBmp(out.body);
      expect([bmp.width, bmp.height, bmp.channels]).toEqual([100, 75, 3]);
      expect(near([...bmp.data.subarray(0, 3)], Q.tl)).toBe(true);
    });

    it('format/tiff writes a TIFF (CI documents it: "Converting Format", cloud.tencent.com/document/api/436/44883)', async () => {
      const out = await run(jpeg, 'imageMogr2/thumbnail/100x/format/tiff');
      expect(out).toMatchObject({ format: 'tiff', width: 100, height: 75 });
      expect((await sharp(out.body).metadata()).format).toBe('tiff');
    });

    it('refuses output formats the emulator cannot write, documented or not, instead of answering another image', async () => {
      for (const format of ['heif', 'heic', 'apng', 'psd', 'tpg', 'svgc', 'jxl', 'jp2']) {
        const error = await refusal(run(jpeg, `imageMogr2/format/${format}`));
        expect(error.code).toBe('InvalidArgument');
        expect(error.message).toContain(`format ${format}`);
      }
    });

    it('quality is capped at the source’s unless forced; rquality is relative; lquality is a minimum', async () => {
      const q = async (rule: string) => (await run(jpeg, rule)).quality;
      expect(await q('imageMogr2/thumbnail/100x')).toBe(90);
      expect(await q('imageMogr2/quality/50')).toBe(50);
      expect(await q('imageMogr2/quality/95')).toBe(90);
      expect(await q('imageMogr2/quality/95!')).toBe(95);
      expect(await q('imageMogr2/rquality/50')).toBe(45);
      expect(await q('imageMogr2/lquality/95')).toBe(95);
      expect(await q('imageMogr2/lquality/50')).toBe(90);
      expect(await q('imageView2/2/w/100/q/60')).toBe(60);
      const webp = await run(jpeg, 'imageMogr2/format/webp/quality/70');
      expect(webp.quality).toBe(70);
    });

    it('keeps EXIF unless strip; interlace/1 writes a progressive JPEG', async () => {
      expect(
        (await sharp((await run(exif6, 'imageMogr2/thumbnail/100x')).body).metadata()).exif,
      ).toBeDefined();
      const stripped = await sharp((await run(exif6, 'imageMogr2/thumbnail/100x/strip')).body).metadata();
      expect(stripped.exif).toBeUndefined();
      expect(stripped.orientation).toBeUndefined();
      expect((await sharp((await run(jpeg, 'imageMogr2/interlace/1')).body).metadata()).isProgressive).toBe(
        true,
      );
      expect((await sharp((await run(jpeg, 'imageMogr2/interlace/0')).body).metadata()).isProgressive).toBe(
        false,
      );
    });

    it('size-limit lowers the JPEG quality until the output fits', async () => {
      const full = await run(photo, 'imageMogr2/quality/85');
      const limited = await run(photo, 'imageMogr2/size-limit/8k');
      expect(full.size).toBeGreaterThan(8 * 1024);
      expect(limited.size).toBeLessThanOrEqual(8 * 1024);
      expect(limited.quality).toBeLessThan(85);
      // With "!", the source is answered when it is smaller than the result.
      const tiny = await quadrantJpeg(40, 30, 30);
      const forced = await run(tiny, 'imageMogr2/quality/100!/size-limit/100k!');
      expect(forced.body).toBe(tiny);
    });
  });

  describe('tone and filters', () => {
    async function stats(image: Buffer) {
      const s = await sharp(image).stats();
      return { mean: s.channels[0].mean, stdev: s.channels[0].stdev };
    }

    it('blur lowers and sharpen raises the local contrast; bright raises the mean; contrast widens the spread', async () => {
      const base = await stats((await run(photo, 'imageMogr2/quality/85')).body);
      expect((await stats((await run(photo, 'imageMogr2/blur/10x5')).body)).stdev).toBeLessThan(
        base.stdev * 0.9,
      );
      expect((await stats((await run(photo, 'imageMogr2/sharpen/300')).body)).stdev).toBeGreaterThan(
        base.stdev,
      );
      expect((await stats((await run(photo, 'imageMogr2/bright/30')).body)).mean).toBeGreaterThan(
        base.mean + 40,
      );
      expect((await stats((await run(photo, 'imageMogr2/contrast/50')).body)).stdev).toBeGreaterThan(
        base.stdev * 1.5,
      );
    });

    it('grayscale/1 makes every channel equal', async () => {
      const [r, g, b] = await pixelAt((await run(jpeg, 'imageMogr2/grayscale/1')).body, 20, 20);
      expect(Math.abs(r - g) + Math.abs(g - b)).toBeLessThanOrEqual(2);
    });
  });

  describe('imageView2', () => {
    it.each([
      ['imageView2/1/w/100', 'jpeg', 100, 100],
      ['imageView2/1/w/200/h/100/format/png', 'png', 200, 100],
      ['imageView2/2/w/200/h/200', 'jpeg', 200, 150],
      ['imageView2/3/w/200/h/200', 'jpeg', 267, 200],
      ['imageView2/4/w/200/h/100', 'jpeg', 200, 150],
      ['imageView2/5/w/200/h/100', 'jpeg', 200, 100],
      ['imageView2/format/png', 'png', 400, 300],
    ])('%s gives %s %ix%i', async (rule, format, width, height) => {
      expect(await decoded(await run(jpeg, rule))).toMatchObject({ format, width, height });
    });
  });

  describe('watermarks', () => {
    it('watermark/2 draws the text in the south-east corner only, in the fill colour', async () => {
      const rule = `watermark/2/text/${b64('Emulator')}/fontsize/40/fill/${b64('#FF0000')}/dissolve/100/dx/10/dy/10`;
      const out = await run(grey, rule);
      const changed = await changedByQuadrant(grey, out.body);
      expect(changed.br).toBeGreaterThan(200);
      expect(changed.tl + changed.tr + changed.bl).toBe(0);
    });

    it('watermark/2 scales text larger than the image down to fit, without rendering it huge', async () => {
      const started = performance.now();
      const out = await run(grey, `watermark/2/text/${b64('BIG')}/fontsize/100000/fill/${b64('#000000')}`);
      expect(performance.now() - started).toBeLessThan(2000);
      const changed = await changedByQuadrant(grey, out.body);
      expect(changed.tl + changed.tr + changed.bl + changed.br).toBeGreaterThan(10_000);
    });

    it('watermark/2 with batch/1 tiles the text over the whole image', async () => {
      const rule = `watermark/2/text/${b64('tile')}/fontsize/30/fill/${b64('#000000')}/batch/1/degree/30`;
      const changed = await changedByQuadrant(grey, (await run(grey, rule)).body);
      for (const count of Object.values(changed)) expect(count).toBeGreaterThan(100);
    });

    it('watermark/1 loads the image by URL and places it by gravity and margins; an unknown URL is refused', async () => {
      const url = 'http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/logo.png';
      const logo = await sharp({ create: { width: 50, height: 40, channels: 4, background: '#0000ff' } })
        .png()
        .toBuffer();
      const asked: string[] = [];
      const loadWatermark = async (u: string) => {
        asked.push(u);
        return u === url ? logo : undefined;
      };
      const out = await run(grey, `watermark/1/image/${b64(url)}/gravity/northwest/dx/10/dy/20`, {
        loadWatermark,
      });
      expect(asked).toEqual([url]);
      expect(near(await pixelAt(out.body, 30, 40), [0, 0, 255])).toBe(true);
      expect(near(await pixelAt(out.body, 5, 5), [128, 128, 128])).toBe(true);
      expect(near(await pixelAt(out.body, 30, 70), [128, 128, 128])).toBe(true);
      const error = await refusal(run(grey, `watermark/1/image/${b64(`${url}.missing`)}`, { loadWatermark }));
      expect(error.code).toBe('InvalidArgument');
      expect(error.message).toContain('cannot be loaded');
    });
  });

  describe('pipes and styles', () => {
    it('runs the steps of a pipe in order', async () => {
      const out = await run(jpeg, 'imageMogr2/thumbnail/200x|imageMogr2/rotate/90|imageView2/format/png');
      expect(await decoded(out)).toMatchObject({ format: 'png', width: 150, height: 200 });
      expect(near(await pixelAt(out.body, 10, 10), Q.bl)).toBe(true);
    });

    it('expands style/<name> from the styles given, inside a pipe too; an unknown style is StyleNotFound', async () => {
      const styles = { small: 'imageMogr2/thumbnail/100x', 'small-png': 'style/small|imageView2/format/png' };
      expect(await decoded(await run(jpeg, 'style/small', { styles }))).toMatchObject({
        width: 100,
        height: 75,
      });
      expect(
        await decoded(await run(jpeg, 'style/small-png|imageMogr2/rotate/90', { styles })),
      ).toMatchObject({
        format: 'png',
        width: 75,
        height: 100,
      });
      const error = await refusal(run(jpeg, 'style/large', { styles }));
      expect(error.code).toBe('StyleNotFound');
      expect(error.legacyCode).toBe(-60967);
      expect(error.message).toContain('"large"');
      expect((await refusal(run(jpeg, 'style/loop', { styles: { loop: 'style/loop' } }))).code).toBe(
        'InvalidArgument',
      );
    });

    it('refuses unknown steps and operations with InvalidArgument naming them', async () => {
      const op = await refusal(run(jpeg, 'imageMogr2/thumbnail/100x/frobnicate/3'));
      expect(op.code).toBe('InvalidArgument');
      expect(op.message).toContain('"frobnicate/3"');
      expect((await refusal(run(jpeg, 'imageInfo'))).message).toContain('"imageInfo"');
      expect((await refusal(run(jpeg, 'imageView2/2/w/100/x/1'))).message).toContain('parameter "x"');
    });
  });

  describe('animated images', () => {
    it('keeps every frame (and the delays) through resize, format change and rotation', async () => {
      for (const rule of ['imageMogr2/thumbnail/30x', 'imageMogr2/format/webp', 'imageMogr2/rotate/90']) {
        const out = await run(gif, rule);
        const info = await decoded(out);
        expect(info.pages).toBe(3);
        expect(out.pages).toBe(3);
        expect(info.meta.delay).toEqual([100, 100, 100]);
      }
      const thumb = await run(gif, 'imageMogr2/thumbnail/30x');
      expect([thumb.width, thumb.height]).toEqual([30, 20]);
      const rotated = await run(gif, 'imageMogr2/rotate/90');
      expect([rotated.width, rotated.height]).toEqual([40, 60]);
    });

    it('keeps the frame order through a vertical flip; cgif keeps n frames; a still format keeps the first', async () => {
      const flipped = await run(gif, 'imageMogr2/flip/vertical');
      const frames = await sharp(flipped.body, { animated: true })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const frameBytes = 60 * 40 * frames.info.channels;
      expect([0, 1, 2].map((f) => [...frames.data.subarray(f * frameBytes, f * frameBytes + 3)])).toEqual([
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
      ]);
      expect((await decoded(await run(gif, 'imageMogr2/cgif/2'))).pages).toBe(2);
      const png = await run(gif, 'imageMogr2/format/png');
      expect(await decoded(png)).toMatchObject({ format: 'png', pages: 1, width: 60, height: 40 });
    });

    it('cgif/1 is CI default of 30 frames (all 3 kept); frame/<n> outputs the n-th frame, the last past the end', async () => {
      expect((await decoded(await run(gif, 'imageMogr2/cgif/1'))).pages).toBe(3);
      const second = await run(gif, 'imageMogr2/frame/2');
      expect(await decoded(second)).toMatchObject({ format: 'gif', pages: 1, width: 60, height: 40 });
      const firstPixel = async (body: Buffer) => [...(await sharp(body).raw().toBuffer()).subarray(0, 3)];
      expect(await firstPixel(second.body)).toEqual([0, 255, 0]);
      expect(await firstPixel((await run(gif, 'imageMogr2/frame/9/format/png')).body)).toEqual([0, 0, 255]);
    });

    it('draws a watermark on every frame, at the same place', async () => {
      const out = await run(
        gif,
        `watermark/2/text/${b64('W')}/fontsize/30/fill/${b64('#FFFFFF')}/dissolve/100/gravity/center`,
      );
      const read = (image: Buffer) => sharp(image, { animated: true }).removeAlpha().raw().toBuffer();
      const [before, after] = await Promise.all([read(gif), read(out.body)]);
      const frameBytes = 60 * 40 * 3;
      for (let f = 0; f < 3; f++) {
        let changed = 0;
        let outside = 0;
        for (let p = 0; p < 60 * 40; p++) {
          const i = f * frameBytes + p * 3;
          if (Math.max(...[0, 1, 2].map((c) => Math.abs(before[i + c] - after[i + c]))) > 60) {
            changed++;
            if (p % 60 < 10 || p % 60 >= 50) outside++;
          }
        }
        expect(changed).toBeGreaterThan(40);
        expect(outside).toBe(0);
      }
    });
  });

  describe('limits, corrupt input and ignore-error', () => {
    it('refuses a planned output over the limits, or answers the source with ignore-error/1', async () => {
      const limits = { maxSide: 2000 };
      const error = await refusal(run(jpeg, 'imageMogr2/thumbnail/!1000p', { limits }));
      expect(error.code).toBe('ImageResolutionExceed');
      expect(error.message).toMatch(/^step 1 \(imageMogr2\): the planned output is 4000x3000/);
      const ignored = await run(jpeg, 'imageMogr2/thumbnail/!1000p/ignore-error/1', { limits });
      expect(ignored.body).toBe(jpeg);
      expect(ignored).toMatchObject({
        format: 'jpeg',
        width: 400,
        height: 300,
        size: jpeg.length,
        quality: 90,
      });
      expect(ignored.ignoredError?.code).toBe('ImageResolutionExceed');
    });

    it('refuses a source over the limits or the byte limit, or answers it with ignore-error/1', async () => {
      expect(
        (await refusal(run(jpeg, 'imageMogr2/thumbnail/100x', { limits: { maxPixels: 1000 } }))).code,
      ).toBe('ImageResolutionExceed');
      const tooLarge = await refusal(
        run(jpeg, 'imageMogr2/thumbnail/100x', { limits: { maxSourceBytes: 1000 } }),
      );
      expect(tooLarge.code).toBe('ImageTooLarge');
      const ignored = await run(jpeg, 'imageMogr2/ignore-error/1/thumbnail/100x', {
        limits: { maxSourceBytes: 1000 },
      });
      expect(ignored.body).toBe(jpeg);
    });

    it('refuses a truncated JPEG and a text file with InvalidImageFormat, even with ignore-error/1', async () => {
      const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
      const error = await refusal(run(truncated, 'imageMogr2/thumbnail/100x/ignore-error/1'));
      expect(error.code).toBe('InvalidImageFormat');
      expect(error.message).toMatch(/truncated/);
      expect((await refusal(run(Buffer.from('hello'), 'imageMogr2/thumbnail/100x'))).code).toBe(
        'InvalidImageFormat',
      );
    });
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import sharp from 'sharp';
import { type CiEmulator, EMULATOR_DEV_CREDENTIALS, startCiEmulator } from '../../emulator';
import { estimateJpegQuality } from '../../emulator/processing';
import {
  animatedGif,
  near,
  pixelAt,
  QUADRANT_COLOURS,
  quadrantJpeg,
  quadrants,
} from '../../emulator/processing/test-images';
import { CiClient } from '../../lib/client';
import { encodeUrlSafeBase64 } from '../../lib/core/rules';
import { largeJpeg, pixelBombPng, truncated } from '../support/images';
import {
  BUCKET,
  REGION,
  sdkCacheWritten,
  sdkFailure,
  sdkFor,
  temporaryDirectory,
} from './support/emulator-test-kit';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const location = (key: string, bucket = BUCKET) => `${bucket}.cos.${REGION}.myqcloud.com/${key}`;
const OTHER_BUCKET = 'archive-1250000000';

/** `ProcessResults/Object` as the SDK gives it: strings, an object for one result and an array for more. */
interface SdkObject {
  Key: string;
  Location: string;
  Format: string;
  Width: string;
  Height: string;
  Size: string;
  Quality: string;
  ETag: string;
}
interface SdkUploadResult {
  OriginalInfo: {
    Key: string;
    Location: string;
    ETag: string;
    ImageInfo?: Record<'Format' | 'Width' | 'Height' | 'Quality' | 'Ave' | 'Orientation', string>;
  };
  ProcessResults: { Object: SdkObject | SdkObject[] } | '';
}
type WithUploadResult = { statusCode?: number; UploadResult?: SdkUploadResult };

function processResults(result: WithUploadResult): SdkObject[] {
  const results = result.UploadResult?.ProcessResults;
  if (!results) return [];
  return Array.isArray(results.Object) ? results.Object : [results.Object];
}

function picOperations(
  rules: Array<{ fileid: string; rule: string; bucket?: string }>,
  isPicInfo = 1,
): string {
  return JSON.stringify({ is_pic_info: isPicInfo, rules });
}

/**
 * Decodes a stored output with sharp and checks that every number the answer gave for it is what the stored
 * bytes measure: format, size (per frame for an animation), byte size, ETag; JPEG quality from its tables.
 */
async function expectMeasured(emulator: CiEmulator, object: SdkObject, bucket = BUCKET) {
  const stored = await emulator.getObject(bucket, object.Key);
  expect(stored).toBeDefined();
  const meta = await sharp(stored!, { pages: -1 }).metadata();
  expect(object.Location).toBe(location(object.Key, bucket));
  expect(object.Format).toBe(meta.format);
  expect(Number(object.Width)).toBe(meta.width);
  expect(Number(object.Height)).toBe(meta.pageHeight ?? meta.height);
  expect(Number(object.Size)).toBe(stored!.length);
  expect(object.ETag).toBe(`"${md5(stored!)}"`);
  if (meta.format === 'jpeg') expect(Number(object.Quality)).toBe(estimateJpegQuality(stored!));
  if (meta.format === 'png' || meta.format === 'gif') expect(object.Quality).toBe('100');
  return { stored: stored!, meta };
}

describe('emulator CI processing with the official SDK in Proxy mode', () => {
  let emulator: CiEmulator;
  let cos: ReturnType<typeof sdkFor>;
  let source: Buffer; // 600x400, four quadrants

  beforeAll(async () => {
    emulator = await startCiEmulator({
      buckets: [BUCKET, OTHER_BUCKET],
      styles: { small: 'imageMogr2/thumbnail/50x' },
      minPartSize: 0,
    });
    cos = sdkFor(emulator);
    source = await quadrantJpeg(600, 400, 85);
  });
  afterAll(async () => {
    await emulator.close();
    await sdkCacheWritten();
  });
  beforeEach(() => emulator.reset());

  async function put(key: string, body: Buffer, operations?: string): Promise<WithUploadResult> {
    return (await cos.putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: key,
      Body: body,
      ...(operations ? { Headers: { 'Pic-Operations': operations } } : {}),
    })) as WithUploadResult;
  }

  it('PUT with five rules: every output stored where its fileid says, and the answer is what the bytes measure', async () => {
    const result = await put(
      'photos/a.jpg',
      source,
      picOperations([
        { fileid: 'thumbs/w300.jpg', rule: 'imageMogr2/thumbnail/300x' },
        { fileid: '/webp/a.webp', rule: 'imageMogr2/format/webp' },
        { fileid: 'square.png', rule: 'imageView2/1/w/120/h/120/format/png' },
        { fileid: 'box.jpg', rule: 'imageMogr2/thumbnail/200x200' },
        { fileid: 'crop.jpg', rule: 'imageMogr2/crop/100x100/gravity/center' },
      ]),
    );

    expect(result.statusCode).toBe(200);
    expect(result.UploadResult?.OriginalInfo).toEqual({
      Key: 'photos/a.jpg',
      Location: location('photos/a.jpg'),
      ETag: `"${md5(source)}"`,
      ImageInfo: {
        Format: 'JPEG',
        Width: '600',
        Height: '400',
        Quality: String(estimateJpegQuality(source)),
        Ave: expect.stringMatching(/^0x[0-9a-f]{6}$/),
        Orientation: '1',
      },
    });
    expect(Number(result.UploadResult?.OriginalInfo.ImageInfo?.Quality)).toBeGreaterThanOrEqual(80);

    const objects = processResults(result);
    expect(objects.map((o) => o.Key)).toEqual([
      'photos/thumbs/w300.jpg',
      'webp/a.webp',
      'photos/square.png',
      'photos/box.jpg',
      'photos/crop.jpg',
    ]);
    const measured = [];
    for (const object of objects) measured.push(await expectMeasured(emulator, object));
    expect(measured.map(({ meta }) => [meta.format, meta.width, meta.height])).toEqual([
      ['jpeg', 300, 200],
      ['webp', 600, 400],
      ['png', 120, 120],
      ['jpeg', 200, 133],
      ['jpeg', 100, 100],
    ]);
    expect(Number(objects[1].Quality)).toBeGreaterThan(0);
    // The centred crop straddles the four quadrants.
    const crop = measured[4].stored;
    expect(near(await pixelAt(crop, 2, 2), QUADRANT_COLOURS.tl)).toBe(true);
    expect(near(await pixelAt(crop, 97, 2), QUADRANT_COLOURS.tr)).toBe(true);
    expect(near(await pixelAt(crop, 2, 97), QUADRANT_COLOURS.bl)).toBe(true);
    expect(near(await pixelAt(crop, 97, 97), QUADRANT_COLOURS.br)).toBe(true);

    expect(await emulator.getObject(BUCKET, 'photos/a.jpg')).toEqual(source);
    expect(emulator.listObjects(BUCKET).map((o) => [o.key, o.contentType])).toEqual([
      ['photos/a.jpg', 'application/octet-stream'],
      ['photos/box.jpg', 'image/jpeg'],
      ['photos/crop.jpg', 'image/jpeg'],
      ['photos/square.png', 'image/png'],
      ['photos/thumbs/w300.jpg', 'image/jpeg'],
      ['webp/a.webp', 'image/webp'],
    ]);
  });

  it('is_pic_info 0: OriginalInfo without ImageInfo; a rule with bucket writes to that bucket; fileid = source key replaces the original', async () => {
    const result = await put(
      'in/b.jpg',
      source,
      picOperations(
        [
          { fileid: '/copies/b.png', rule: 'imageMogr2/format/png', bucket: OTHER_BUCKET },
          { fileid: 'b.jpg', rule: 'imageMogr2/thumbnail/60x' },
        ],
        0,
      ),
    );
    const [copy, replaced] = processResults(result);
    expect(result.UploadResult?.OriginalInfo.ImageInfo).toBeUndefined();
    await expectMeasured(emulator, copy, OTHER_BUCKET);
    expect(copy.Key).toBe('copies/b.png');
    const { stored } = await expectMeasured(emulator, replaced);
    // The output overwrote the original, and OriginalInfo/ETag is the output's, as CI answers.
    expect(replaced.Key).toBe('in/b.jpg');
    expect(result.UploadResult?.OriginalInfo.ETag).toBe(`"${md5(stored)}"`);
    expect((await sharp(stored).metadata()).width).toBe(60);
    expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['in/b.jpg']);
  });

  it('image_process on a stored object: rotate and a | pipe, the original untouched', async () => {
    const small = await quadrantJpeg(300, 200);
    await put('stored/q.jpg', small);
    const result = (await cos.request({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'stored/q.jpg',
      Method: 'POST',
      Action: 'image_process',
      Headers: {
        'Pic-Operations': picOperations([
          { fileid: 'q-rot.png', rule: 'imageMogr2/rotate/90|imageMogr2/thumbnail/100x/format/png' },
        ]),
      },
    })) as WithUploadResult;

    expect(result.statusCode).toBe(200);
    expect(result.UploadResult?.OriginalInfo).toEqual(
      expect.objectContaining({ Key: 'stored/q.jpg', ETag: `"${md5(small)}"` }),
    );
    expect(result.UploadResult?.OriginalInfo.ImageInfo).toEqual(
      expect.objectContaining({ Format: 'JPEG', Width: '300', Height: '200' }),
    );
    const [object] = processResults(result);
    expect(object.Key).toBe('stored/q-rot.png');
    const { stored, meta } = await expectMeasured(emulator, object);
    expect([meta.width, meta.height]).toEqual([100, 150]);
    // Clockwise by 90: the top-left quadrant is now top-right, the bottom-left top-left.
    expect(near(await pixelAt(stored, 90, 10), QUADRANT_COLOURS.tl)).toBe(true);
    expect(near(await pixelAt(stored, 10, 10), QUADRANT_COLOURS.bl)).toBe(true);
    expect(await emulator.getObject(BUCKET, 'stored/q.jpg')).toEqual(small);
  });

  it('image_process of a missing key: 404 NoSuchKey; without Pic-Operations: 400', async () => {
    const missing = await sdkFailure(
      cos.request({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'nothing.jpg',
        Method: 'POST',
        Action: 'image_process',
        Headers: { 'Pic-Operations': picOperations([{ fileid: 'x.png', rule: 'imageMogr2/format/png' }]) },
      }),
    );
    expect(missing).toMatchObject({ statusCode: 404, code: 'NoSuchKey' });
    await put('there.jpg', source);
    const bare = await sdkFailure(
      cos.request({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'there.jpg',
        Method: 'POST',
        Action: 'image_process',
      }),
    );
    expect(bare).toMatchObject({ statusCode: 400, code: 'InvalidArgument' });
  });

  it('auto-orient on an EXIF-rotated JPEG, and Orientation reported', async () => {
    const rotated = await quadrants(300, 200)
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const result = await put(
      'exif/r.jpg',
      rotated,
      picOperations([{ fileid: 'r-upright.jpg', rule: 'imageMogr2/auto-orient' }]),
    );
    expect(result.UploadResult?.OriginalInfo.ImageInfo).toEqual(
      expect.objectContaining({ Width: '300', Height: '200', Orientation: '6' }),
    );
    const [object] = processResults(result);
    const { stored, meta } = await expectMeasured(emulator, object);
    expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([200, 300, 1]);
    // Orientation 6 shows the stored image turned 90 degrees clockwise: its top-left lands top-right.
    expect(near(await pixelAt(stored, 190, 10), QUADRANT_COLOURS.tl)).toBe(true);
    expect(near(await pixelAt(stored, 10, 290), QUADRANT_COLOURS.br)).toBe(true);
  });

  it('an animated GIF resized keeps its frames', async () => {
    const gif = await animatedGif(4, 120, 80);
    const result = await put(
      'anim/a.gif',
      gif,
      picOperations([{ fileid: 'a-small.gif', rule: 'imageMogr2/thumbnail/60x' }]),
    );
    expect(result.UploadResult?.OriginalInfo.ImageInfo).toEqual(
      expect.objectContaining({ Format: 'GIF', Width: '120', Height: '80' }),
    );
    const [object] = processResults(result);
    const { stored, meta } = await expectMeasured(emulator, object);
    expect([meta.format, meta.pages, meta.width, meta.pageHeight]).toEqual(['gif', 4, 60, 40]);
    const frames = await sharp(stored, { pages: -1 }).raw().toBuffer({ resolveWithObject: true });
    const frameColour = (page: number) => {
      const offset = (page * 40 * 60 + 20 * 60 + 30) * frames.info.channels;
      return [...frames.data.subarray(offset, offset + 3)];
    };
    expect(near(frameColour(0), [255, 0, 0])).toBe(true);
    expect(near(frameColour(1), [0, 255, 0])).toBe(true);
    expect(near(frameColour(3), [255, 255, 0])).toBe(true);
  });

  describe('refusals: 400 with CI code, nothing stored (not even the original), a previous version kept', () => {
    const previous = Buffer.from('the previous version');

    async function refused(body: Buffer, operations: string) {
      await put('refused/x.jpg', previous);
      const started = Date.now();
      const error = await sdkFailure(put('refused/x.jpg', body, operations));
      const elapsedMs = Date.now() - started;
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['refused/x.jpg']);
      expect(await emulator.getObject(BUCKET, 'refused/x.jpg')).toEqual(previous);
      return { error, elapsedMs };
    }
    const oneRule = picOperations([{ fileid: 'x-small.jpg', rule: 'imageMogr2/thumbnail/100x' }]);

    it('six rules: InvalidPicOperations', async () => {
      const rules = Array.from({ length: 6 }, (_, i) => ({
        fileid: `o${i}.jpg`,
        rule: 'imageMogr2/thumbnail/50x',
      }));
      const { error } = await refused(source, picOperations(rules));
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidPicOperations' });
      expect(error.message).toMatch(/5/);
    });

    it('a malformed rule: InvalidPicOperations naming the rule', async () => {
      const { error } = await refused(
        source,
        picOperations([
          { fileid: 'ok.jpg', rule: 'imageMogr2/thumbnail/100x' },
          { fileid: 'bad.jpg', rule: 'imageMogr2/thumbnail/abc' },
        ]),
      );
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidPicOperations' });
      expect(error.message).toMatch(/rules\[1\]\.rule: rule "imageMogr2\/thumbnail\/abc"/);
    });

    it('malformed Pic-Operations JSON: InvalidPicOperations', async () => {
      const { error } = await refused(source, '{"rules": [');
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidPicOperations' });
    });

    it('a text file: InvalidImageFormat', async () => {
      const { error } = await refused(Buffer.from('just some text, not an image\n'.repeat(20)), oneRule);
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidImageFormat' });
    });

    it('a truncated JPEG: InvalidImageFormat (from is_pic_info, or naming the rule that decodes it)', async () => {
      const { error } = await refused(truncated(source), oneRule);
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidImageFormat' });
      expect(error.message).toMatch(/truncated/);
      const noInfo = picOperations([{ fileid: 'x-small.jpg', rule: 'imageMogr2/thumbnail/100x' }], 0);
      const { error: ruleError } = await refused(truncated(source), noInfo);
      expect(ruleError).toMatchObject({ statusCode: 400, code: 'InvalidImageFormat' });
      expect(ruleError.message).toMatch(/^rules\[0\]: .*truncated/);
    });

    it('a decompression bomb (a 50000x50000 PNG header): ImageResolutionExceed from the header, at once', async () => {
      const { error, elapsedMs } = await refused(await pixelBombPng(50_000, 50_000), oneRule);
      expect(error).toMatchObject({ statusCode: 400, code: 'ImageResolutionExceed' });
      expect(error.message).toMatch(/50000x50000/);
      expect(elapsedMs).toBeLessThan(1500);
    });

    it('an unknown style: StyleNotFound; an unknown target bucket: 404 NoSuchBucket', async () => {
      const style = await refused(source, picOperations([{ fileid: 's.jpg', rule: 'style/nope' }]));
      expect(style.error).toMatchObject({ statusCode: 400, code: 'StyleNotFound' });
      const bucket = await refused(
        source,
        picOperations([{ fileid: 's.jpg', rule: 'imageMogr2/format/png', bucket: 'nope-1250000000' }]),
      );
      expect(bucket.error).toMatchObject({ statusCode: 404, code: 'NoSuchBucket' });
      expect(bucket.error.message).toMatch(/rules\[0\]/);
    });

    it('image_process that fails stores no output', async () => {
      await put('stored/p.jpg', source);
      const error = await sdkFailure(
        cos.request({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'stored/p.jpg',
          Method: 'POST',
          Action: 'image_process',
          Headers: {
            'Pic-Operations': picOperations([
              { fileid: 'p1.png', rule: 'imageMogr2/format/png' },
              { fileid: 'p2.jpg', rule: 'imageMogr2/thumbnail/!10000p' },
            ]),
          },
        }),
      );
      expect(error).toMatchObject({ statusCode: 400, code: 'ImageResolutionExceed' });
      expect(error.message).toMatch(/^rules\[1\]/);
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['stored/p.jpg']);
    });
  });

  it('a multipart upload (sliceUploadFile) with Pic-Operations: processed on Complete, the SDK rebuilds UploadResult', async () => {
    const big = await largeJpeg(1.6); // about 1.6 MB: two 1 MiB slices (the SDK's smallest)
    const dir = temporaryDirectory('ci-processing-slice-');
    try {
      const file = join(dir.path, 'big.jpg');
      writeFileSync(file, big);
      const result = (await cos.sliceUploadFile({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'multi/big.jpg',
        FilePath: file,
        SliceSize: 256 * 1024,
        Headers: {
          'Pic-Operations': picOperations([
            { fileid: 'big-200.webp', rule: 'imageMogr2/thumbnail/200x/format/webp' },
            { fileid: '/multi-square.png', rule: 'imageView2/1/w/64' },
          ]),
        },
      })) as WithUploadResult & { ETag?: string; Key?: string };

      expect(emulator.requests.filter((r) => r.operation === 'UploadPart')).toHaveLength(2);
      const header = await sharp(big).metadata();
      expect(result.UploadResult?.OriginalInfo).toEqual(
        expect.objectContaining({ Key: 'multi/big.jpg', ETag: result.ETag }),
      );
      expect(result.UploadResult?.OriginalInfo.ImageInfo).toEqual(
        expect.objectContaining({
          Format: 'JPEG',
          Width: String(header.width),
          Height: String(header.height),
        }),
      );
      const objects = processResults(result);
      expect(objects.map((o) => o.Key)).toEqual(['multi/big-200.webp', 'multi-square.png']);
      const [thumb, square] = [
        await expectMeasured(emulator, objects[0]),
        await expectMeasured(emulator, objects[1]),
      ];
      expect([thumb.meta.format, thumb.meta.width]).toEqual(['webp', 200]);
      expect([square.meta.format, square.meta.width, square.meta.height]).toEqual(['jpeg', 64, 64]);
      expect(md5((await emulator.getObject(BUCKET, 'multi/big.jpg'))!)).toBe(md5(big));
      expect(emulator.listMultipartUploads(BUCKET)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  it('a Complete whose processing fails stores nothing and leaves the upload open for a retry or an abort', async () => {
    const init = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'multi/bad.jpg' });
    const bytes = randomBytes(5000);
    const part = await cos.multipartUpload({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'multi/bad.jpg',
      UploadId: init.UploadId,
      PartNumber: 1,
      Body: bytes,
    });
    const complete = (operations: string, key = 'multi/bad.jpg') =>
      cos.multipartComplete({
        Bucket: BUCKET,
        Region: REGION,
        Key: key,
        UploadId: init.UploadId,
        Parts: [{ PartNumber: 1, ETag: part.ETag }],
        Headers: { 'Pic-Operations': operations },
      } as Parameters<typeof cos.multipartComplete>[0]);

    const error = await sdkFailure(
      complete(picOperations([{ fileid: 'bad-small.jpg', rule: 'imageMogr2/thumbnail/10x' }])),
    );
    expect(error).toMatchObject({ statusCode: 400, code: 'InvalidImageFormat' });
    expect(emulator.listObjects(BUCKET)).toEqual([]);
    expect(emulator.listMultipartUploads(BUCKET)).toEqual([
      expect.objectContaining({ key: 'multi/bad.jpg', uploadId: init.UploadId }),
    ]);
    // The upload is still usable: without processing, the same Complete goes through.
    const done = await cos.multipartComplete({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'multi/bad.jpg',
      UploadId: init.UploadId,
      Parts: [{ PartNumber: 1, ETag: part.ETag }],
    });
    expect(done.statusCode).toBe(200);
    expect(await emulator.getObject(BUCKET, 'multi/bad.jpg')).toEqual(bytes);
  });

  it('styles: from the options, set at run time with setStyle, in a pipe; reset() restores the configured ones', async () => {
    emulator.setStyle('square', 'imageView2/1/w/40|imageMogr2/format/png');
    expect(() => emulator.setStyle('bad', 'imageMogr2/thumbnail/')).toThrow(/style "bad"/);
    const result = await put(
      'styled/s.jpg',
      source,
      picOperations([
        { fileid: 's-small.jpg', rule: 'style/small' },
        { fileid: 's-square.png', rule: 'style/square' },
        { fileid: 's-both.jpg', rule: 'style/small|imageMogr2/rotate/90' },
      ]),
    );
    const measured = [];
    for (const object of processResults(result)) measured.push((await expectMeasured(emulator, object)).meta);
    expect(measured.map((m) => [m.format, m.width, m.height])).toEqual([
      ['jpeg', 50, 33],
      ['png', 40, 40],
      ['jpeg', 33, 50],
    ]);
    await emulator.reset();
    expect(emulator.styles).toEqual({ small: 'imageMogr2/thumbnail/50x' });
  });

  it('watermark/1 reads an image from the same bucket (COS domain or the emulator URL); another bucket fails', async () => {
    const logo = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    await put('assets/logo.png', logo);
    const white = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const cosUrl = `http://${location('assets/logo.png')}`;
    const ownUrl = `${emulator.url}/${BUCKET}/assets/logo.png`;
    const rule = (url: string) =>
      `watermark/1/image/${encodeUrlSafeBase64(url)}/gravity/southeast|imageMogr2/format/png`;
    const result = await put(
      'wm/w.png',
      white,
      picOperations([
        { fileid: 'w-cos.png', rule: rule(cosUrl) },
        { fileid: 'w-own.png', rule: rule(ownUrl) },
      ]),
    );
    for (const object of processResults(result)) {
      const { stored } = await expectMeasured(emulator, object);
      expect(near(await pixelAt(stored, 195, 95), [255, 0, 0])).toBe(true);
      expect(near(await pixelAt(stored, 5, 5), [255, 255, 255])).toBe(true);
    }

    await cos.putObject({ Bucket: OTHER_BUCKET, Region: REGION, Key: 'assets/logo.png', Body: logo });
    const elsewhere = await sdkFailure(
      put(
        'wm/x.png',
        white,
        picOperations([
          { fileid: 'x.png', rule: rule(`http://${location('assets/logo.png', OTHER_BUCKET)}`) },
        ]),
      ),
    );
    expect(elsewhere).toMatchObject({ statusCode: 400, code: 'InvalidArgument' });
    expect(emulator.listObjects(BUCKET).map((o) => o.key)).not.toContain('wm/x.png');
  });

  it("this project's CiClient parses the same answers into its typed result (PUT, image_process, multipart)", async () => {
    const client = new CiClient({
      bucket: BUCKET,
      region: REGION,
      credentials: EMULATOR_DEV_CREDENTIALS,
      endpoint: emulator.url,
      upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024 },
    });
    try {
      const operations = picOperations([
        { fileid: 'c-100.png', rule: 'imageMogr2/thumbnail/100x/format/png' },
      ]);
      const putResult = await client.putObject('client/c.jpg', source, { picOperations: operations });
      expect(putResult.imageInfo.originalInfo).toEqual(
        expect.objectContaining({
          key: 'client/c.jpg',
          format: 'JPEG',
          width: 600,
          height: 400,
          orientation: 1,
        }),
      );
      expect(putResult.imageInfo.processResults).toEqual([
        expect.objectContaining({
          key: 'client/c-100.png',
          bucket: BUCKET,
          format: 'PNG',
          width: 100,
          height: 67,
        }),
      ]);
      const processed = await client.processObject(
        'client/c.jpg',
        picOperations([{ fileid: 'c-r.jpg', rule: 'imageMogr2/rotate/90' }]),
      );
      expect(processed.imageInfo.processResults).toEqual([
        expect.objectContaining({ key: 'client/c-r.jpg', width: 400, height: 600 }),
      ]);
      const big = await largeJpeg(1.6);
      const uploaded = await client.upload('client/big.jpg', Readable.from([big]), {
        picOperations: operations,
      });
      expect(emulator.requests.some((r) => r.operation === 'CompleteMultipartUpload')).toBe(true);
      expect(uploaded.imageInfo.processResults).toEqual([
        expect.objectContaining({ key: 'client/c-100.png', format: 'PNG', width: 100 }),
      ]);
      expect(uploaded.imageInfo.originalInfo).toEqual(
        expect.objectContaining({ key: 'client/big.jpg', format: 'JPEG' }),
      );
    } finally {
      await client.close();
    }
  });
});

describe('emulator CI processing limits and the disk store', () => {
  it('a source over maxProcessSourceBytes: ImageTooLarge before the body is read; maxPixels and maxSide refuse from the header', async () => {
    const emulator = await startCiEmulator({
      maxProcessSourceBytes: 20_000,
      maxPixels: 50_000,
      maxSide: 400,
    });
    const cos = sdkFor(emulator);
    try {
      const operations = picOperations([{ fileid: 'o.jpg', rule: 'imageMogr2/thumbnail/50x' }]);
      const put = (key: string, body: Buffer) =>
        sdkFailure(
          cos.putObject({
            Bucket: BUCKET,
            Region: REGION,
            Key: key,
            Body: body,
            Headers: { 'Pic-Operations': operations },
          }),
        );
      const large = await sharp({
        create: {
          width: 200,
          height: 200,
          channels: 3,
          background: '#000',
          noise: { type: 'gaussian', mean: 128, sigma: 60 },
        },
      })
        .jpeg({ quality: 100 })
        .toBuffer();
      expect(large.length).toBeGreaterThan(20_000);
      expect(await put('large.jpg', large)).toMatchObject({ statusCode: 400, code: 'ImageTooLarge' });
      const wide = await quadrantJpeg(500, 50); // 25 000 pixels, but a 500-pixel side
      expect(await put('wide.jpg', wide)).toMatchObject({ statusCode: 400, code: 'ImageResolutionExceed' });
      const many = await quadrantJpeg(300, 300); // 90 000 pixels
      expect(await put('many.jpg', many)).toMatchObject({ statusCode: 400, code: 'ImageResolutionExceed' });
      // ignore-error/1 stores the original as the output instead of failing on a limit.
      const ignored = (await cos.putObject({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'ignored.jpg',
        Body: many,
        Headers: {
          'Pic-Operations': picOperations([
            { fileid: 'ignored-o.jpg', rule: 'imageMogr2/thumbnail/50x/ignore-error/1' },
          ]),
        },
      })) as WithUploadResult;
      expect(processResults(ignored)[0]).toMatchObject({ Key: 'ignored-o.jpg', Width: '300', Height: '300' });
      expect(await emulator.getObject(BUCKET, 'ignored-o.jpg')).toEqual(many);
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['ignored-o.jpg', 'ignored.jpg']);
    } finally {
      await emulator.close();
    }
  });

  it('on disk: a refused PUT keeps the previous version, a processed multipart upload stores original and outputs', async () => {
    const dir = temporaryDirectory('ci-processing-disk-');
    const emulator = await startCiEmulator({ dataDir: dir.path });
    const cos = sdkFor(emulator);
    try {
      const jpeg = await quadrantJpeg(300, 200);
      await cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'd/a.jpg', Body: jpeg });
      const error = await sdkFailure(
        cos.putObject({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'd/a.jpg',
          Body: truncated(jpeg),
          Headers: { 'Pic-Operations': picOperations([{ fileid: 'a2.png', rule: 'imageMogr2/format/png' }]) },
        }),
      );
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidImageFormat' });
      expect(await emulator.getObject(BUCKET, 'd/a.jpg')).toEqual(jpeg);
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['d/a.jpg']);

      const big = await largeJpeg(1.6);
      const file = join(dir.path, 'upload.jpg');
      writeFileSync(file, big);
      const result = (await cos.sliceUploadFile({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'd/big.jpg',
        FilePath: file,
        Headers: {
          'Pic-Operations': picOperations([
            { fileid: 'big-50.png', rule: 'imageMogr2/thumbnail/50x/format/png' },
          ]),
        },
      })) as WithUploadResult;
      const [object] = processResults(result);
      await expectMeasured(emulator, object);
      expect(md5((await emulator.getObject(BUCKET, 'd/big.jpg'))!)).toBe(md5(big));
    } finally {
      await emulator.close();
      await sdkCacheWritten();
      dir.remove();
    }
  });
});

import sharp from 'sharp';
import { processPicOperations, type ProcessPicOperationsInput } from './process-pic-operations';
import { CiProcessingError } from './processing.error';
import { pngBomb, quadrantJpeg, quadrants } from './test-images';

const BUCKET = 'examplebucket-1250000000';

function header(rules: { fileid: string; rule: string; bucket?: string }[], isPicInfo = 1): string {
  return JSON.stringify({ is_pic_info: isPicInfo, rules });
}

async function refusal(input: ProcessPicOperationsInput): Promise<CiProcessingError> {
  const error = await processPicOperations(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CiProcessingError);
  expect((error as CiProcessingError).httpStatus).toBe(400);
  return error as CiProcessingError;
}

describe('processPicOperations', () => {
  let jpeg: Buffer; // 1200x900 quadrants, quality 90

  beforeAll(async () => {
    jpeg = await quadrantJpeg(1200, 900, 90);
  });

  const input = (
    headerValue: string,
    extra: Partial<ProcessPicOperationsInput> = {},
  ): ProcessPicOperationsInput => ({
    source: jpeg,
    sourceKey: 'photos/2024/cat.jpg',
    sourceBucket: BUCKET,
    headerValue,
    ...extra,
  });

  it('runs five rules, resolving keys and buckets, and measures the source and every output', async () => {
    const result = await processPicOperations(
      input(
        header([
          { fileid: 'cat-400.jpg', rule: 'imageMogr2/thumbnail/400x' },
          { fileid: '/webp/cat.webp', rule: 'imageMogr2/format/webp' },
          { fileid: 'square.png', rule: 'imageView2/1/w/200/h/200/format/png' },
          { fileid: 'box.jpg', rule: 'imageMogr2/thumbnail/300x300', bucket: 'otherbucket-1250000000' },
          { fileid: 'centre.jpg', rule: 'imageMogr2/crop/300x300/gravity/center' },
        ]),
      ),
    );
    expect(result.isPicInfo).toBe(true);
    expect(result.originalInfo).toMatchObject({
      format: 'JPEG',
      width: 1200,
      height: 900,
      quality: 90,
      orientation: 1,
    });
    expect(result.originalInfo?.ave).toMatch(/^0x[0-9a-f]{6}$/);
    const expected = [
      [BUCKET, 'photos/2024/cat-400.jpg', 'jpeg', 400, 300],
      [BUCKET, 'webp/cat.webp', 'webp', 1200, 900],
      [BUCKET, 'photos/2024/square.png', 'png', 200, 200],
      ['otherbucket-1250000000', 'photos/2024/box.jpg', 'jpeg', 300, 225],
      [BUCKET, 'photos/2024/centre.jpg', 'jpeg', 300, 300],
    ];
    expect(result.outputs.map((o) => [o.bucket, o.key, o.format, o.width, o.height])).toEqual(expected);
    for (const output of result.outputs) {
      const meta = await sharp(output.body).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([output.format, output.width, output.height]);
      expect(output.size).toBe(output.body.length);
    }
  });

  it('leaves originalInfo out when is_pic_info is 0', async () => {
    const result = await processPicOperations(
      input(header([{ fileid: 'a.png', rule: 'imageView2/format/png' }], 0)),
    );
    expect(result.isPicInfo).toBe(false);
    expect(result.originalInfo).toBeUndefined();
    expect(result.outputs).toHaveLength(1);
  });

  it('reports EXIF orientation 6 in originalInfo and applies it with auto-orient', async () => {
    const exif6 = await quadrants(400, 300).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const result = await processPicOperations(
      input(header([{ fileid: 'upright.jpg', rule: 'imageMogr2/auto-orient' }]), { source: exif6 }),
    );
    expect(result.originalInfo).toMatchObject({ width: 400, height: 300, orientation: 6 });
    expect([result.outputs[0].width, result.outputs[0].height]).toEqual([300, 400]);
  });

  it('refuses bad JSON, six rules, a bad fileid and a malformed rule with InvalidPicOperations naming the rule', async () => {
    const badJson = await refusal(input('{"rules":['));
    expect(badJson.code).toBe('InvalidPicOperations');
    expect(badJson.message).toContain('JSON');

    const six = Array.from({ length: 6 }, (_, i) => ({
      fileid: `o${i}.jpg`,
      rule: 'imageMogr2/thumbnail/10x',
    }));
    const tooMany = await refusal(input(header(six)));
    expect(tooMany.code).toBe('InvalidPicOperations');
    expect(tooMany.legacyCode).toBe(-60997);
    expect(tooMany.message).toContain('6 rules');

    const fileid = await refusal(
      input(
        header([
          { fileid: 'ok.jpg', rule: 'imageView2/format/png' },
          { fileid: 'a/../b.jpg', rule: 'imageView2/format/png' },
        ]),
      ),
    );
    expect(fileid.code).toBe('InvalidPicOperations');
    expect(fileid.message).toContain('rules[1]');

    const malformed = await refusal(
      input(
        header([
          { fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/400x' },
          { fileid: 'b.jpg', rule: 'imageMogr2/thumbnail/abc' },
        ]),
      ),
    );
    expect(malformed.code).toBe('InvalidPicOperations');
    expect(malformed.message).toMatch(/rules\[1\].*"abc"/);
  });

  it('refuses a text file and a truncated JPEG with InvalidImageFormat', async () => {
    const rules = header([{ fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/100x' }], 0);
    expect((await refusal(input(rules, { source: Buffer.from('not an image at all') }))).code).toBe(
      'InvalidImageFormat',
    );
    const truncated = await refusal(
      input(rules, { source: jpeg.subarray(0, Math.floor(jpeg.length * 0.7)) }),
    );
    expect(truncated.code).toBe('InvalidImageFormat');
    expect(truncated.message).toMatch(/^rules\[0\]: .*truncated/);
  });

  it('refuses a decompression bomb from its header within a second, naming the first rule', async () => {
    const started = performance.now();
    const error = await refusal(
      input(header([{ fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/100x' }]), {
        source: await pngBomb(50_000, 50_000),
      }),
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('ImageResolutionExceed');
    expect(error.message).toMatch(/^rules\[0\]: the source is 50000x50000/);
  });

  it('refuses a source over maxSourceBytes with ImageTooLarge; the ceiling is 32 MiB', async () => {
    const rules = header([{ fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/100x' }]);
    const error = await refusal(input(rules, { limits: { maxSourceBytes: 10_000 } }));
    expect(error.code).toBe('ImageTooLarge');
    expect(error.legacyCode).toBe(-60996);
    await expect(
      processPicOperations(input(rules, { limits: { maxSourceBytes: 33 * 1024 * 1024 } })),
    ).rejects.toThrow(RangeError);
  });

  it('fails whole on the first failing rule, naming it; nothing is returned to store', async () => {
    const error = await refusal(
      input(
        header([
          { fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/100x' },
          { fileid: 'b.jpg', rule: 'style/missing' },
          { fileid: 'c.jpg', rule: 'imageMogr2/crop/10x10/dx/5000' },
        ]),
        { styles: { present: 'imageMogr2/thumbnail/50x' } },
      ),
    );
    expect(error.code).toBe('StyleNotFound');
    expect(error.message).toMatch(/^rules\[1\]: /);
  });

  it('runs styles and answers the source for a rule with ignore-error/1 when a limit fails', async () => {
    const limits = { maxSide: 5000 };
    const result = await processPicOperations(
      input(
        header([
          { fileid: 'styled.jpg', rule: 'style/thumb' },
          { fileid: 'huge.jpg', rule: 'imageMogr2/thumbnail/!1000p/ignore-error/1' },
        ]),
        { styles: { thumb: 'imageMogr2/thumbnail/120x' }, limits },
      ),
    );
    expect([result.outputs[0].width, result.outputs[0].height]).toEqual([120, 90]);
    expect(result.outputs[1].body).toBe(jpeg);
    expect(result.outputs[1]).toMatchObject({ format: 'jpeg', width: 1200, height: 900, size: jpeg.length });
    expect(result.outputs[1].ignoredError?.code).toBe('ImageResolutionExceed');
    const failing = await refusal(
      input(header([{ fileid: 'huge.jpg', rule: 'imageMogr2/thumbnail/!1000p' }]), { limits }),
    );
    expect(failing.message).toMatch(/^rules\[0\]: step 1 \(imageMogr2\): the planned output is 12000x9000/);
  });

  it('answers the source for every rule when the source is over the limits and every rule has ignore-error/1', async () => {
    const rules = header([
      { fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/100x/ignore-error/1' },
      { fileid: 'b.jpg', rule: 'imageMogr2/ignore-error/1/format/png' },
    ]);
    const result = await processPicOperations(input(rules, { limits: { maxPixels: 500_000 } }));
    expect(result.outputs.map((o) => o.body)).toEqual([jpeg, jpeg]);
    expect(result.originalInfo).toMatchObject({ width: 1200, height: 900 });
    expect(result.originalInfo?.ave).toBeUndefined();
    const mixed = header([
      { fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/100x/ignore-error/1' },
      { fileid: 'b.jpg', rule: 'imageMogr2/thumbnail/100x' },
    ]);
    expect((await refusal(input(mixed, { limits: { maxPixels: 500_000 } }))).message).toMatch(
      /^rules\[1\]: /,
    );
  });
});

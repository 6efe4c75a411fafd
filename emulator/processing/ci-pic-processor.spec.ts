import { isCosHttpError } from '../errors/cos-http.error';
import { createCiPicProcessor } from './ci-pic-processor';
import type { PicProcessingRequest, PicValidationRequest } from './pic-processor';
import { CiProcessingError } from './processing.error';
import { quadrantJpeg } from './test-images';

const store = { hasBucket: (bucket: string) => bucket === 'src-1250000000' || bucket === 'out-1250000000' };
const base = { trigger: 'PutObject' as const, bucket: 'src-1250000000', key: 'in/a.jpg' };
const ops = (rules: unknown[], isPicInfo = 1) => JSON.stringify({ is_pic_info: isPicInfo, rules });

async function refusal(
  run: () => unknown,
): Promise<{ status: number; code: string; message: string; cause?: unknown }> {
  try {
    await run();
  } catch (error) {
    if (isCosHttpError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('createCiPicProcessor', () => {
  describe('validate (before the source is read)', () => {
    const processor = createCiPicProcessor({
      store,
      styles: { thumb: 'imageMogr2/thumbnail/10x' },
      limits: { maxSourceBytes: 1000 },
    });
    const validate = (request: Partial<PicValidationRequest>) => () =>
      processor.validate({ ...base, picOperations: ops([]), ...request });

    it('accepts a good header, styles and target buckets', async () => {
      await expect(
        Promise.resolve(
          validate({
            picOperations: ops([
              { fileid: 'a.png', rule: 'style/thumb' },
              { fileid: '/b.png', rule: 'imageMogr2/format/png', bucket: 'out-1250000000' },
            ]),
            sourceSize: 1000,
          })(),
        ),
      ).resolves.toBeUndefined();
    });

    it.each([
      ['not JSON', '{', 400, 'InvalidPicOperations', /JSON/],
      [
        'six rules',
        ops(Array.from({ length: 6 }, (_, i) => ({ fileid: `${i}.jpg`, rule: 'imageMogr2/format/png' }))),
        400,
        'InvalidPicOperations',
        /5/,
      ],
      [
        'a malformed rule',
        ops([{ fileid: 'a.jpg', rule: 'imageView2/9/w/10' }]),
        400,
        'InvalidPicOperations',
        /rules\[0\]/,
      ],
      [
        'an unknown style',
        ops([{ fileid: 'a.jpg', rule: 'style/none' }]),
        400,
        'StyleNotFound',
        /^rules\[0\]: .*"none"/,
      ],
      [
        'an operation the emulator cannot run',
        ops([{ fileid: 'a.jpg', rule: 'imageMogr2/frobnicate/1' }]),
        400,
        'InvalidArgument',
        /rules\[0\]/,
      ],
      [
        'an unknown target bucket',
        ops([{ fileid: 'a.jpg', rule: 'imageMogr2/format/png', bucket: 'nope-1250000000' }]),
        404,
        'NoSuchBucket',
        /rules\[0\]: .*nope-1250000000/,
      ],
    ])('refuses %s', async (_what, picOperations, status, code, message) => {
      const error = await refusal(validate({ picOperations }));
      expect(error).toMatchObject({ status, code });
      expect(error.message).toMatch(message);
    });

    it('refuses a known source size over maxSourceBytes, unless every rule has ignore-error/1', async () => {
      const tooLarge = await refusal(
        validate({
          picOperations: ops([{ fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/10x' }]),
          sourceSize: 1001,
        }),
      );
      expect(tooLarge).toMatchObject({ status: 400, code: 'ImageTooLarge' });
      expect(tooLarge.message).toMatch(/^rules\[0\]: the source is 1001 bytes/);
      expect(tooLarge.cause).toBeInstanceOf(CiProcessingError);
      expect((tooLarge.cause as CiProcessingError).legacyCode).toBe(-60996);
      expect(
        validate({
          picOperations: ops([{ fileid: 'a.jpg', rule: 'imageMogr2/thumbnail/10x/ignore-error/1' }]),
          sourceSize: 5000,
        })(),
      ).toBeUndefined();
    });

    it('reads styles live when given a function', async () => {
      const styles: Record<string, string> = {};
      const live = createCiPicProcessor({ store, styles: () => styles });
      const request = { ...base, picOperations: ops([{ fileid: 'a.jpg', rule: 'style/late' }]) };
      expect((await refusal(() => live.validate(request))).code).toBe('StyleNotFound');
      styles.late = 'imageMogr2/rotate/90';
      expect(live.validate(request)).toBeUndefined();
    });
  });

  describe('process', () => {
    const processor = createCiPicProcessor({ store });
    const request = async (picOperations: string, source?: Buffer): Promise<PicProcessingRequest> => {
      const bytes = source ?? (await quadrantJpeg(80, 40));
      return {
        ...base,
        picOperations,
        source: bytes,
        original: {
          ...base,
          bucket: base.bucket,
          size: bytes.length,
          etag: '"x"',
          contentType: 'image/jpeg',
        },
        requestId: 'r',
      };
    };

    it('returns the outputs to store (nothing is stored) with their content types, and ImageInfo', async () => {
      const outcome = await processor.process(
        await request(
          ops([
            { fileid: 'x.webp', rule: 'imageMogr2/format/webp' },
            { fileid: '/y.png', rule: 'imageView2/1/w/20', bucket: 'out-1250000000' },
          ]),
        ),
      );
      expect(outcome.originalImageInfo).toEqual({
        format: 'JPEG',
        width: 80,
        height: 40,
        quality: expect.any(Number),
        ave: expect.stringMatching(/^0x[0-9a-f]{6}$/),
        orientation: 1,
      });
      expect(outcome.outputs.map(({ body, ...o }) => ({ ...o, bytes: body.length > 0 }))).toEqual([
        {
          bucket: 'src-1250000000',
          key: 'in/x.webp',
          fileid: 'x.webp',
          contentType: 'image/webp',
          format: 'webp',
          width: 80,
          height: 40,
          quality: expect.any(Number),
          bytes: true,
        },
        {
          bucket: 'out-1250000000',
          key: 'y.png',
          fileid: '/y.png',
          contentType: 'image/jpeg',
          format: 'jpeg',
          width: 20,
          height: 20,
          quality: expect.any(Number),
          bytes: true,
        },
      ]);
    });

    it('is_pic_info 0: no ImageInfo; a body that is not an image: 400 InvalidImageFormat', async () => {
      const outcome = await processor.process(await request(ops([], 0)));
      expect(outcome).toEqual({ outputs: [], originalImageInfo: undefined });
      const error = await refusal(async () =>
        processor.process(
          await request(ops([{ fileid: 'a.png', rule: 'imageMogr2/format/png' }]), Buffer.from('text')),
        ),
      );
      expect(error).toMatchObject({ status: 400, code: 'InvalidImageFormat' });
    });
  });
});

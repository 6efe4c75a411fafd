import { type CiEmulator, type PicProcessor, startCiEmulator } from '../../emulator';
import { CosHttpError } from '../../emulator';
import { BUCKET, ciClientFor, REGION, sdkFor } from './support/emulator-test-kit';

const RULES = JSON.stringify({ rules: [{ fileid: 'out.bin', rule: 'imageMogr2/format/png' }] });

/** A processor that is not the engine: records what it is asked and answers one fixed output. */
function recordingProcessor(): PicProcessor & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    validate(request) {
      calls.push(`validate ${request.trigger} ${request.key}`);
      if (request.picOperations.includes('refuse')) {
        throw new CosHttpError(400, 'InvalidArgument', 'the custom processor refuses this rule');
      }
    },
    async process(request) {
      calls.push(`process ${request.trigger} ${request.key} ${request.source.length}`);
      return {
        outputs: [
          {
            bucket: request.bucket,
            key: request.key.replace(/[^/]*$/, 'out.bin'),
            body: Buffer.from('custom output'),
            contentType: 'image/png',
            format: 'png',
            width: 7,
            height: 3,
            quality: 100,
          },
        ],
      };
    },
  };
}

describe('one processing port for both APIs: a custom extensions.picProcessor', () => {
  let emulator: CiEmulator;
  let processor: ReturnType<typeof recordingProcessor>;

  beforeAll(async () => {
    processor = recordingProcessor();
    emulator = await startCiEmulator({}, { picProcessor: processor });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    await emulator.reset();
    processor.calls.length = 0;
  });

  it('applies to files-v2 uploads as to COS PutObject', async () => {
    const client = ciClientFor(emulator, { protocol: 'files-v2' });
    try {
      const uploaded = await client.upload('v2/a.jpg', Buffer.from('not even an image'), {
        picOperations: RULES,
      });
      expect(uploaded.imageInfo?.processResults).toEqual([
        expect.objectContaining({ key: 'v2/out.bin', format: 'PNG', width: 7, height: 3 }),
      ]);
    } finally {
      await client.close();
    }
    expect(processor.calls).toEqual(['validate PutObject v2/a.jpg', 'process PutObject v2/a.jpg 17']);
    expect((await emulator.getObject(BUCKET, 'v2/out.bin'))?.toString()).toBe('custom output');

    processor.calls.length = 0;
    await sdkFor(emulator).putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'cos/a.jpg',
      Body: Buffer.from('not an image'),
      Headers: { 'Pic-Operations': RULES },
    });
    expect(processor.calls).toEqual(['validate PutObject cos/a.jpg', 'process PutObject cos/a.jpg 12']);
    expect((await emulator.getObject(BUCKET, 'cos/out.bin'))?.toString()).toBe('custom output');
  });

  it('its refusal reaches a files-v2 client as an error envelope, and nothing is stored', async () => {
    const client = ciClientFor(emulator, { protocol: 'files-v2' });
    try {
      const refused = await client
        .upload('v2/b.jpg', Buffer.from('x'), {
          picOperations: JSON.stringify({ rules: [{ fileid: 'refuse.png', rule: 'imageMogr2/format/png' }] }),
        })
        .then(
          () => undefined,
          (error: unknown) => error as { message?: string; status?: number },
        );
      expect(refused?.message).toMatch(/custom processor refuses/);
    } finally {
      await client.close();
    }
    expect(processor.calls).toEqual(['validate PutObject v2/b.jpg']);
    expect(emulator.listObjects(BUCKET)).toEqual([]);
  });
});

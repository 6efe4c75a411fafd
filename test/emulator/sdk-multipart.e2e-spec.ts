import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CiEmulator, startCiEmulator } from '../../emulator';
import { storeOnlyPicProcessor } from '../../emulator/processing';
import {
  BUCKET,
  REGION,
  sdkCacheWritten,
  sdkFailure,
  sdkFor,
  temporaryDirectory,
} from './support/emulator-test-kit';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const MiB = 1024 * 1024;

/** The multipart ETag COS gives: MD5 of the concatenated binary part MD5s, dash, part count. */
function multipartEtag(parts: Buffer[]): string {
  const digests = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  return `"${md5(digests)}-${parts.length}"`;
}

describe('emulator with the official SDK in Proxy mode: multipart uploads', () => {
  let emulator: CiEmulator;
  let cos: ReturnType<typeof sdkFor>;
  const dir = temporaryDirectory('ci-emulator-multipart-');

  const processed: Array<{ trigger: string; key: string; picOperations: string; size: number }> = [];

  beforeAll(async () => {
    // The store-only processor of this version, recording what reaches the Pic-Operations hook.
    emulator = await startCiEmulator(
      {},
      {
        picProcessor: {
          validate: storeOnlyPicProcessor.validate,
          process: (request) => {
            processed.push({
              trigger: request.trigger,
              key: request.key,
              picOperations: request.picOperations,
              size: request.original.size,
            });
            return storeOnlyPicProcessor.process(request);
          },
        },
      },
    );
    cos = sdkFor(emulator);
  });
  afterAll(async () => {
    await emulator.close();
    dir.remove();
    await sdkCacheWritten();
  });
  beforeEach(async () => {
    processed.length = 0;
    await emulator.reset();
  });

  it('sliceUploadFile of a multi-megabyte file with Pic-Operations: several parts, arrives whole, well-formed result', async () => {
    const source = randomBytes(4 * MiB + 123_457);
    const file = join(dir.path, 'big.jpg');
    writeFileSync(file, source);
    const picOperations = JSON.stringify({
      is_pic_info: 1,
      rules: [{ fileid: 'thumb.jpg', rule: 'imageMogr2/thumbnail/!50p' }],
    });

    const result = (await cos.sliceUploadFile({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'uploads/big.jpg',
      FilePath: file,
      SliceSize: MiB,
      Headers: { 'Pic-Operations': picOperations },
    })) as { statusCode?: number; Location?: string; Bucket?: string; Key?: string; ETag?: string };

    const parts = [0, 1, 2, 3, 4].map((i) => source.subarray(i * MiB, (i + 1) * MiB));
    expect(result.statusCode).toBe(200);
    expect(result).toEqual(
      expect.objectContaining({
        Location: `${BUCKET}.cos.${REGION}.myqcloud.com/uploads/big.jpg`,
        Bucket: BUCKET,
        Key: 'uploads/big.jpg',
        ETag: multipartEtag(parts),
      }),
    );
    const stored = await emulator.getObject(BUCKET, 'uploads/big.jpg');
    expect(stored && md5(stored)).toBe(md5(source));
    expect(emulator.listObjects(BUCKET)).toEqual([
      expect.objectContaining({ key: 'uploads/big.jpg', size: source.length, etag: multipartEtag(parts) }),
    ]);
    expect(emulator.listMultipartUploads(BUCKET)).toEqual([]);

    const operations = emulator.requests.map((r) => r.operation);
    expect(operations.filter((o) => o === 'UploadPart')).toHaveLength(5);
    expect(operations).toContain('InitiateMultipartUpload');
    const complete = emulator.requests.find((r) => r.operation === 'CompleteMultipartUpload');
    expect(complete?.status).toBe(200);
    // The SDK re-sends Pic-Operations on Complete, signed; the hook ran once, on the whole object.
    expect(processed).toEqual([
      expect.objectContaining({
        trigger: 'CompleteMultipartUpload',
        key: 'uploads/big.jpg',
        picOperations,
        size: source.length,
      }),
    ]);
  });

  it('multipartInit / multipartUpload / multipartListPart / multipartList / multipartAbort', async () => {
    const init = await cos.multipartInit({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'parts.bin',
      ContentType: 'video/mp4',
    });
    expect(init.UploadId).toMatch(/^\d{10}[0-9a-f]{48}$/);

    const one = randomBytes(MiB);
    const two = randomBytes(1000);
    const up1 = await cos.multipartUpload({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'parts.bin',
      UploadId: init.UploadId,
      PartNumber: 1,
      Body: one,
    });
    expect(up1.ETag).toBe(`"${md5(one)}"`);
    await cos.multipartUpload({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'parts.bin',
      UploadId: init.UploadId,
      PartNumber: 2,
      Body: two,
    });

    const parts = await cos.multipartListPart({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'parts.bin',
      UploadId: init.UploadId,
    });
    expect(parts.Part.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([
      ['1', `"${md5(one)}"`, String(MiB)],
      ['2', `"${md5(two)}"`, '1000'],
    ]);

    const uploads = await cos.multipartList({
      Bucket: BUCKET,
      Region: REGION,
      Prefix: 'parts',
      Delimiter: '/',
    });
    expect(uploads.Upload.map((u: { Key: string; UploadId: string }) => [u.Key, u.UploadId])).toEqual([
      ['parts.bin', init.UploadId],
    ]);
    expect(emulator.listMultipartUploads(BUCKET)).toEqual([
      expect.objectContaining({
        key: 'parts.bin',
        uploadId: init.UploadId,
        parts: [
          { partNumber: 1, size: MiB, etag: `"${md5(one)}"` },
          { partNumber: 2, size: 1000, etag: `"${md5(two)}"` },
        ],
      }),
    ]);

    const aborted = await cos.multipartAbort({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'parts.bin',
      UploadId: init.UploadId,
    });
    expect(aborted.statusCode).toBe(204);
    expect(emulator.listMultipartUploads(BUCKET)).toEqual([]);
    expect(emulator.listObjects(BUCKET)).toEqual([]);

    const gone = await sdkFailure(
      cos.multipartUpload({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'parts.bin',
        UploadId: init.UploadId,
        PartNumber: 3,
        Body: two,
      }),
    );
    expect(gone.statusCode).toBe(404);
    expect(gone.code).toBe('NoSuchUpload');
  });

  it('multipartComplete keeps the listed parts in order and gives the object its Initiate content type', async () => {
    const init = await cos.multipartInit({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'c.bin',
      ContentType: 'video/mp4',
    });
    const a = randomBytes(MiB);
    const b = randomBytes(MiB);
    const c = randomBytes(10);
    const etags: string[] = [];
    for (const [i, body] of [a, b, c].entries()) {
      const up = await cos.multipartUpload({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'c.bin',
        UploadId: init.UploadId,
        PartNumber: i + 1,
        Body: body,
      });
      etags.push(up.ETag);
    }
    const done = await cos.multipartComplete({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'c.bin',
      UploadId: init.UploadId,
      Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })),
    });
    expect(done.ETag).toBe(multipartEtag([a, b, c]));
    const stored = await emulator.getObject(BUCKET, 'c.bin');
    // Compared by digest: jest's deep equality walks a 2 MiB buffer byte by byte, slowly.
    expect(stored && md5(stored)).toBe(md5(Buffer.concat([a, b, c])));
    const head = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'c.bin' });
    expect(head.headers?.['content-type']).toBe('video/mp4');
  });

  it('multipartComplete refuses a part list out of order (InvalidPartOrder) or with an unknown ETag (InvalidPart)', async () => {
    const init = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'bad.bin' });
    const a = randomBytes(MiB);
    const b = randomBytes(100);
    const upA = await cos.multipartUpload({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'bad.bin',
      UploadId: init.UploadId,
      PartNumber: 1,
      Body: a,
    });
    const upB = await cos.multipartUpload({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'bad.bin',
      UploadId: init.UploadId,
      PartNumber: 2,
      Body: b,
    });

    const order = await sdkFailure(
      cos.multipartComplete({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'bad.bin',
        UploadId: init.UploadId,
        Parts: [
          { PartNumber: 2, ETag: upB.ETag },
          { PartNumber: 1, ETag: upA.ETag },
        ],
      }),
    );
    expect(order.statusCode).toBe(400);
    expect(order.code).toBe('InvalidPartOrder');

    const wrongEtag = await sdkFailure(
      cos.multipartComplete({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'bad.bin',
        UploadId: init.UploadId,
        Parts: [
          { PartNumber: 1, ETag: upA.ETag },
          { PartNumber: 2, ETag: `"${md5(Buffer.from('other'))}"` },
        ],
      }),
    );
    expect(wrongEtag.code).toBe('InvalidPart');

    const unknownPart = await sdkFailure(
      cos.multipartComplete({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'bad.bin',
        UploadId: init.UploadId,
        Parts: [
          { PartNumber: 1, ETag: upA.ETag },
          { PartNumber: 3, ETag: upB.ETag },
        ],
      }),
    );
    expect(unknownPart.code).toBe('InvalidPart');

    // Nothing was stored, and the upload is still open.
    expect(emulator.listObjects(BUCKET)).toEqual([]);
    expect(emulator.listMultipartUploads(BUCKET)).toHaveLength(1);
  });

  it('multipartComplete refuses a part smaller than 1 MiB that is not the last (EntityTooSmall)', async () => {
    const init = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'small.bin' });
    const etags: string[] = [];
    for (const n of [1, 2]) {
      const up = await cos.multipartUpload({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'small.bin',
        UploadId: init.UploadId,
        PartNumber: n,
        Body: randomBytes(1000),
      });
      etags.push(up.ETag);
    }
    const err = await sdkFailure(
      cos.multipartComplete({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'small.bin',
        UploadId: init.UploadId,
        Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })),
      }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('EntityTooSmall');
  });
});

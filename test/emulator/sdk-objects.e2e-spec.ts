import { createHash, randomBytes } from 'node:crypto';
import { type CiEmulator, startCiEmulator, storeOnlyPicProcessor } from '../../emulator';
import { BUCKET, REGION, sdkFailure, sdkFor } from './support/emulator-test-kit';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

describe('emulator with the official SDK in Proxy mode: objects and listings', () => {
  let emulator: CiEmulator;
  let cos: ReturnType<typeof sdkFor>;

  beforeAll(async () => {
    // Storage tests with bytes that are not images: processing is off (ci-processing.e2e-spec covers it).
    emulator = await startCiEmulator({}, { picProcessor: storeOnlyPicProcessor });
    cos = sdkFor(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it('putObject stores the bytes, answers the MD5 ETag and a request id', async () => {
    const body = randomBytes(64 * 1024);
    const put = await cos.putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'photos/cat.jpg',
      Body: body,
      ContentType: 'image/jpeg',
    });

    expect(put.statusCode).toBe(200);
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(put.RequestId).toEqual(expect.any(String));
    expect(put.headers?.['server']).toBe('tencent-cos');
    expect(await emulator.getObject(BUCKET, 'photos/cat.jpg')).toEqual(body);
    expect(emulator.listObjects(BUCKET)).toEqual([
      expect.objectContaining({
        key: 'photos/cat.jpg',
        size: body.length,
        etag: `"${md5(body)}"`,
        contentType: 'image/jpeg',
      }),
    ]);
  });

  it('getObject returns the bytes and headers; with Range, 206 and the slice', async () => {
    const body = randomBytes(10_000);
    await cos.putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'r.bin',
      Body: body,
      Headers: { 'x-cos-meta-owner': 'ada' },
    });

    const whole = await cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'r.bin' });
    expect(whole.statusCode).toBe(200);
    expect(whole.Body).toEqual(body);
    expect(whole.headers?.['content-length']).toBe(String(body.length));
    expect(whole.headers?.['x-cos-meta-owner']).toBe('ada');
    expect(whole.headers?.['last-modified']).toEqual(expect.any(String));

    const part = await cos.getObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'r.bin',
      Range: 'bytes=100-1099',
    });
    expect(part.statusCode).toBe(206);
    expect(part.Body).toEqual(body.subarray(100, 1100));
    expect(part.headers?.['content-range']).toBe(`bytes 100-1099/${body.length}`);

    const tail = await cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'r.bin', Range: 'bytes=-10' });
    expect(tail.Body).toEqual(body.subarray(body.length - 10));
  });

  it('keys with spaces, unicode and reserved characters round-trip (encoded in the path, signed decoded)', async () => {
    const key = 'dir/猫 & (copy) 100%+!.jpg';
    await cos.putObject({ Bucket: BUCKET, Region: REGION, Key: key, Body: Buffer.from('meow') });
    expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual([key]);
    const got = await cos.getObject({ Bucket: BUCKET, Region: REGION, Key: key });
    expect(got.Body.toString()).toBe('meow');
  });

  it('headObject answers the object headers; a missing key is 404 NoSuchKey on GET', async () => {
    await cos.putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'h.txt',
      Body: 'hello',
      ContentType: 'text/plain',
    });
    const head = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'h.txt' });
    expect(head.statusCode).toBe(200);
    expect(head.headers?.['content-length']).toBe('5');
    expect(head.headers?.['content-type']).toBe('text/plain');
    expect(head.ETag).toBe(`"${md5(Buffer.from('hello'))}"`);

    const missingHead = await sdkFailure(cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'nope' }));
    expect(missingHead.statusCode).toBe(404);
    const missing = await sdkFailure(cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'nope' }));
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('NoSuchKey');
    expect(missing.error?.RequestId).toEqual(expect.any(String));
  });

  it('deleteObject answers 204 and is idempotent', async () => {
    await cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'd.txt', Body: 'x' });
    const first = await cos.deleteObject({ Bucket: BUCKET, Region: REGION, Key: 'd.txt' });
    expect(first.statusCode).toBe(204);
    expect(emulator.listObjects(BUCKET)).toEqual([]);
    const again = await cos.deleteObject({ Bucket: BUCKET, Region: REGION, Key: 'd.txt' });
    expect(again.statusCode).toBe(204);
  });

  it('getBucket lists with prefix, delimiter (CommonPrefixes), marker and max-keys', async () => {
    for (const key of ['a/1.jpg', 'a/2.jpg', 'a/sub/3.jpg', 'b/4.jpg', 'top.jpg']) {
      await cos.putObject({ Bucket: BUCKET, Region: REGION, Key: key, Body: key });
    }
    const all = await cos.getBucket({ Bucket: BUCKET, Region: REGION });
    expect(all.Contents.map((c) => c.Key)).toEqual([
      'a/1.jpg',
      'a/2.jpg',
      'a/sub/3.jpg',
      'b/4.jpg',
      'top.jpg',
    ]);
    expect(all.Contents[0]).toEqual(
      expect.objectContaining({ Size: '7', ETag: `"${md5(Buffer.from('a/1.jpg'))}"` }),
    );

    const folders = await cos.getBucket({ Bucket: BUCKET, Region: REGION, Delimiter: '/' });
    expect(folders.CommonPrefixes.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(folders.Contents.map((c) => c.Key)).toEqual(['top.jpg']);

    const inA = await cos.getBucket({ Bucket: BUCKET, Region: REGION, Prefix: 'a/', Delimiter: '/' });
    expect(inA.Contents.map((c) => c.Key)).toEqual(['a/1.jpg', 'a/2.jpg']);
    expect(inA.CommonPrefixes.map((p) => p.Prefix)).toEqual(['a/sub/']);

    const page1 = await cos.getBucket({ Bucket: BUCKET, Region: REGION, MaxKeys: 2 });
    expect(page1.Contents.map((c) => c.Key)).toEqual(['a/1.jpg', 'a/2.jpg']);
    expect(page1.IsTruncated).toBe('true');
    expect(page1.NextMarker).toBe('a/2.jpg');
    const page2 = await cos.getBucket({
      Bucket: BUCKET,
      Region: REGION,
      MaxKeys: 2,
      Marker: page1.NextMarker,
    });
    expect(page2.Contents.map((c) => c.Key)).toEqual(['a/sub/3.jpg', 'b/4.jpg']);
    const page3 = await cos.getBucket({
      Bucket: BUCKET,
      Region: REGION,
      MaxKeys: 2,
      Marker: page2.NextMarker,
    });
    expect(page3.Contents.map((c) => c.Key)).toEqual(['top.jpg']);
    expect(page3.IsTruncated).toBe('false');
  });

  it('headBucket answers 200 for a bucket; an unknown bucket is 404 NoSuchBucket', async () => {
    const head = await cos.headBucket({ Bucket: BUCKET, Region: REGION });
    expect(head.statusCode).toBe(200);

    const missing = await sdkFailure(
      cos.putObject({ Bucket: 'nobucket-1250000000', Region: REGION, Key: 'a', Body: 'x' }),
    );
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('NoSuchBucket');
    const missingList = await sdkFailure(cos.getBucket({ Bucket: 'nobucket-1250000000', Region: REGION }));
    expect(missingList.code).toBe('NoSuchBucket');
  });

  it('putObject with Pic-Operations stores the object and answers a well-formed UploadResult', async () => {
    const body = randomBytes(2048);
    const picOperations = JSON.stringify({
      is_pic_info: 1,
      rules: [{ fileid: 'small.png', rule: 'imageMogr2/format/png' }],
    });
    const put = (await cos.putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'pic/original.jpg',
      Body: body,
      Headers: { 'Pic-Operations': picOperations },
    })) as COSPutWithResult;

    expect(put.statusCode).toBe(200);
    expect(put.headers?.['content-type']).toBe('application/xml');
    expect(put.UploadResult?.OriginalInfo).toEqual({
      Key: 'pic/original.jpg',
      Location: `${BUCKET}.cos.${REGION}.myqcloud.com/pic/original.jpg`,
      ETag: `"${md5(body)}"`,
    });
    expect(put.UploadResult).toHaveProperty('ProcessResults');
    expect(await emulator.getObject(BUCKET, 'pic/original.jpg')).toEqual(body);
  });

  it('request() reaches sub-resources: GET ?uploads lists open multipart uploads', async () => {
    const init = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'big.bin' });
    const listed = (await cos.request({
      Bucket: BUCKET,
      Region: REGION,
      Method: 'GET',
      Action: 'uploads',
    })) as {
      statusCode?: number;
      ListMultipartUploadsResult?: { Upload?: { Key: string; UploadId: string } };
    };
    expect(listed.statusCode).toBe(200);
    expect(listed.ListMultipartUploadsResult?.Upload).toEqual(
      expect.objectContaining({ Key: 'big.bin', UploadId: init.UploadId }),
    );
  });
});

type COSPutWithResult = {
  statusCode?: number;
  headers?: Record<string, string>;
  UploadResult?: Record<string, unknown>;
};

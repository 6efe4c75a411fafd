import { createHash, randomBytes } from 'node:crypto';
import { type CiEmulator, startCiEmulator, storeOnlyPicProcessor } from '../../emulator';
import { createCosAuthorization } from '../../lib/protocol/cos-v5/sign';
import { EMULATOR_DEV_CREDENTIALS } from '../../emulator';
import {
  BUCKET,
  rawRequest,
  REGION,
  sdkFailure,
  sdkFor,
  signedHeaders,
  VIRTUAL_HOST,
  xmlField,
} from './support/emulator-test-kit';

const OTHER = 'otherbucket-1250000000';
const md5 = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;
const source = (bucket: string, key: string) =>
  `${bucket}.cos.${REGION}.myqcloud.com/${key.split('/').map(encodeURIComponent).join('/')}`;

describe('emulator with the official SDK: copies and COS fidelity (issue 12)', () => {
  let emulator: CiEmulator;
  let cos: ReturnType<typeof sdkFor>;

  beforeAll(async () => {
    emulator = await startCiEmulator({ buckets: [BUCKET, OTHER] }, { picProcessor: storeOnlyPicProcessor });
    cos = sdkFor(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  const put = (key: string, body: Buffer, extra: Record<string, unknown> = {}) =>
    cos.putObject({ Bucket: BUCKET, Region: REGION, Key: key, Body: body, ...extra });

  describe('PUT Object - Copy', () => {
    it('copies the bytes and, by default, the content type and metadata; the ETag is the bytes MD5', async () => {
      const body = randomBytes(300_000);
      await put('src/猫 a.bin', body, {
        ContentType: 'image/x-test',
        Headers: { 'x-cos-meta-owner': 'ada', 'Content-Disposition': 'inline' },
      });
      const copy = await cos.putObjectCopy({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'dst/copy.bin',
        CopySource: source(BUCKET, 'src/猫 a.bin'),
      });
      expect(copy.statusCode).toBe(200);
      expect(copy.ETag).toBe(md5(body));
      // Compared by digest: jest compares large buffers byte by byte, slowly.
      expect(md5((await emulator.getObject(BUCKET, 'dst/copy.bin')) ?? Buffer.alloc(0))).toBe(md5(body));
      const head = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'dst/copy.bin' });
      expect(head.headers?.['content-type']).toBe('image/x-test');
      expect(head.headers?.['x-cos-meta-owner']).toBe('ada');
      expect(head.headers?.['content-disposition']).toBe('inline');
      expect(head.headers?.['content-length']).toBe(String(body.length));
      // The source is untouched.
      expect(md5((await emulator.getObject(BUCKET, 'src/猫 a.bin')) ?? Buffer.alloc(0))).toBe(md5(body));
    });

    it('x-cos-metadata-directive: Replaced takes the request headers instead', async () => {
      await put('m.txt', Buffer.from('meta'), {
        ContentType: 'text/x-old',
        Headers: { 'x-cos-meta-a': '1' },
      });
      await cos.putObjectCopy({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'm2.txt',
        CopySource: source(BUCKET, 'm.txt'),
        MetadataDirective: 'Replaced',
        ContentType: 'text/x-new',
        Headers: { 'x-cos-meta-b': '2' },
      });
      const head = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'm2.txt' });
      expect(head.headers?.['content-type']).toBe('text/x-new');
      expect(head.headers?.['x-cos-meta-b']).toBe('2');
      expect(head.headers?.['x-cos-meta-a']).toBeUndefined();
      expect((await emulator.getObject(BUCKET, 'm2.txt'))?.toString()).toBe('meta');
    });

    it('copies between buckets', async () => {
      const body = randomBytes(1000);
      await put('x/a.bin', body);
      await cos.putObjectCopy({
        Bucket: OTHER,
        Region: REGION,
        Key: 'y/b.bin',
        CopySource: source(BUCKET, 'x/a.bin'),
      });
      expect(await emulator.getObject(OTHER, 'y/b.bin')).toEqual(body);
    });

    it('a missing source is 404 NoSuchKey (missing bucket NoSuchBucket) and nothing is written', async () => {
      await put('keep.txt', Buffer.from('keep'));
      const missing = await sdkFailure(
        cos.putObjectCopy({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'keep.txt',
          CopySource: source(BUCKET, 'nope'),
        }),
      );
      expect(missing.statusCode).toBe(404);
      expect(missing.code).toBe('NoSuchKey');
      expect(missing.error?.RequestId).toEqual(expect.any(String));
      const noBucket = await sdkFailure(
        cos.putObjectCopy({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'keep.txt',
          CopySource: source('ghost-1250000000', 'a'),
        }),
      );
      expect(noBucket.statusCode).toBe(404);
      expect(noBucket.code).toBe('NoSuchBucket');
      expect((await emulator.getObject(BUCKET, 'keep.txt'))?.toString()).toBe('keep');
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['keep.txt']);
    });

    it('onto itself without Replaced: 400 InvalidRequest; x-cos-copy-source-If-Match a mismatch: 412', async () => {
      await put('self.txt', Buffer.from('self'));
      const self = await sdkFailure(
        cos.putObjectCopy({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'self.txt',
          CopySource: source(BUCKET, 'self.txt'),
        }),
      );
      expect(self.statusCode).toBe(400);
      expect(self.code).toBe('InvalidRequest');
      const cond = await sdkFailure(
        cos.putObjectCopy({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'c.txt',
          CopySource: source(BUCKET, 'self.txt'),
          CopySourceIfMatch: '"0123"',
        }),
      );
      expect(cond.statusCode).toBe(412);
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['self.txt']);
    });

    it('the request log and faults name it PutObjectCopy', async () => {
      await put('f.txt', Buffer.from('f'));
      emulator.faults.add({
        match: { operation: 'PutObjectCopy' },
        times: Infinity, // the SDK retries a 5xx
        action: { type: 'error', status: 503, code: 'SlowDown' },
      });
      const failed = await sdkFailure(
        cos.putObjectCopy({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'g.txt',
          CopySource: source(BUCKET, 'f.txt'),
        }),
      );
      expect(failed.statusCode).toBe(503);
      expect(emulator.requests.at(-1)).toMatchObject({
        operation: 'PutObjectCopy',
        status: 503,
        key: 'g.txt',
      });
    });
  });

  describe('Upload Part - Copy', () => {
    it('parts copied whole and by range complete into the right bytes', async () => {
      const body = randomBytes(3 * 1024 * 1024);
      await put('big.bin', body);
      const { UploadId } = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'joined.bin' });
      const first = await cos.uploadPartCopy({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'joined.bin',
        UploadId,
        PartNumber: 1,
        CopySource: source(BUCKET, 'big.bin'),
        CopySourceRange: `bytes=0-${2 * 1024 * 1024 - 1}`,
      });
      expect(first.ETag).toBe(md5(body.subarray(0, 2 * 1024 * 1024)));
      const second = await cos.uploadPartCopy({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'joined.bin',
        UploadId,
        PartNumber: 2,
        CopySource: source(BUCKET, 'big.bin'),
        CopySourceRange: `bytes=${2 * 1024 * 1024}-${body.length - 1}`,
      });
      await cos.multipartComplete({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'joined.bin',
        UploadId,
        Parts: [
          { PartNumber: 1, ETag: first.ETag },
          { PartNumber: 2, ETag: second.ETag },
        ],
      });
      expect(md5((await emulator.getObject(BUCKET, 'joined.bin')) ?? Buffer.alloc(0))).toBe(md5(body));
    });

    it('a range outside the source: 400 InvalidArgument; a missing source 404 NoSuchKey; no part stored', async () => {
      await put('small.bin', Buffer.from('0123456789'));
      const { UploadId } = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'p.bin' });
      const outside = await sdkFailure(
        cos.uploadPartCopy({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'p.bin',
          UploadId,
          PartNumber: 1,
          CopySource: source(BUCKET, 'small.bin'),
          CopySourceRange: 'bytes=5-10',
        }),
      );
      expect(outside.statusCode).toBe(400);
      expect(outside.code).toBe('InvalidArgument');
      const missing = await sdkFailure(
        cos.uploadPartCopy({
          Bucket: BUCKET,
          Region: REGION,
          Key: 'p.bin',
          UploadId,
          PartNumber: 1,
          CopySource: source(BUCKET, 'gone.bin'),
        }),
      );
      expect(missing.code).toBe('NoSuchKey');
      expect(emulator.listMultipartUploads(BUCKET)[0].parts).toEqual([]);
    });
  });

  describe('stored attributes', () => {
    it('the empty Cache-Control the SDK sends is not stored nor answered', async () => {
      await put('cc.txt', Buffer.from('x'));
      const head = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'cc.txt' });
      expect(head.headers).not.toHaveProperty('cache-control');
      const { UploadId } = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'cc2.txt' });
      const part = await cos.multipartUpload({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'cc2.txt',
        UploadId,
        PartNumber: 1,
        Body: Buffer.from('y'),
      });
      await cos.multipartComplete({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'cc2.txt',
        UploadId,
        Parts: [{ PartNumber: 1, ETag: part.ETag }],
      });
      const get = await cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'cc2.txt' });
      expect(get.headers).not.toHaveProperty('cache-control');
      // A real value is kept.
      await put('cc3.txt', Buffer.from('z'), { CacheControl: 'max-age=60' });
      const kept = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'cc3.txt' });
      expect(kept.headers?.['cache-control']).toBe('max-age=60');
    });

    it('no or empty Content-Type: inferred from the key extension, as COS does', async () => {
      await put('a/1.zip', Buffer.from('zip'));
      await put('a/1.txt', Buffer.from('txt'));
      await put('a/photo.jpg', Buffer.from('jpg'));
      await put('a/noext', Buffer.from('bin'));
      await rawRequest(emulator, {
        method: 'PUT',
        path: '/a/empty.png',
        headers: signedHeaders({ method: 'PUT', pathname: '/a/empty.png', headers: { 'content-type': '' } }),
        body: 'png',
      });
      const { UploadId } = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'a/multi.json' });
      const part = await cos.multipartUpload({
        ...{ Bucket: BUCKET, Region: REGION, Key: 'a/multi.json', UploadId },
        PartNumber: 1,
        Body: Buffer.from('{}'),
      });
      await cos.multipartComplete({
        ...{ Bucket: BUCKET, Region: REGION, Key: 'a/multi.json', UploadId },
        Parts: [{ PartNumber: 1, ETag: part.ETag }],
      });
      expect(emulator.listObjects(BUCKET, 'a/').map((o) => [o.key, o.contentType])).toEqual([
        ['a/1.txt', 'text/plain'],
        ['a/1.zip', 'application/zip'],
        ['a/empty.png', 'image/png'],
        ['a/multi.json', 'application/json'],
        ['a/noext', 'application/octet-stream'],
        ['a/photo.jpg', 'image/jpeg'],
      ]);
      expect(emulator.listMultipartUploads(BUCKET)).toEqual([]);
    });

    it('x-cos-storage-class is kept (HEAD, GET Bucket); an unknown class is 400 InvalidStorageClass', async () => {
      await put('cold.bin', Buffer.from('cold'), { StorageClass: 'ARCHIVE' });
      await put('warm.bin', Buffer.from('warm'));
      const head = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'cold.bin' });
      expect(head.headers?.['x-cos-storage-class']).toBe('ARCHIVE');
      const warm = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 'warm.bin' });
      expect(warm.headers?.['x-cos-storage-class']).toBeUndefined();
      const list = await cos.getBucket({ Bucket: BUCKET, Region: REGION });
      expect(list.Contents.map((c) => [c.Key, c.StorageClass])).toEqual([
        ['cold.bin', 'ARCHIVE'],
        ['warm.bin', 'STANDARD'],
      ]);
      const bad = await sdkFailure(
        put('bad.bin', Buffer.from('x'), { Headers: { 'x-cos-storage-class': 'LUKEWARM' } }),
      );
      expect(bad.statusCode).toBe(400);
      expect(bad.code).toBe('InvalidStorageClass');
      expect(emulator.listObjects(BUCKET, 'bad')).toEqual([]);
    });
  });

  describe('addressing', () => {
    it('GET /key?sign=<url-encoded Authorization> is accepted; a wrong one 403', async () => {
      await put('signed.txt', Buffer.from('signed'));
      const authorization = createCosAuthorization({
        secretId: EMULATOR_DEV_CREDENTIALS.secretId,
        secretKey: EMULATOR_DEV_CREDENTIALS.secretKey,
        method: 'GET',
        pathname: '/signed.txt',
        headers: { host: VIRTUAL_HOST },
      });
      const ok = await rawRequest(emulator, {
        method: 'GET',
        path: `/signed.txt?sign=${encodeURIComponent(authorization)}`,
        headers: { host: VIRTUAL_HOST },
      });
      expect(ok.status).toBe(200);
      expect(ok.text).toBe('signed');
      const tampered = authorization.replace(
        /q-signature=([0-9a-f])/,
        (_m, c: string) => `q-signature=${c === '0' ? '1' : '0'}`,
      );
      const bad = await rawRequest(emulator, {
        method: 'GET',
        path: `/signed.txt?sign=${encodeURIComponent(tampered)}`,
        headers: { host: VIRTUAL_HOST },
      });
      expect(bad.status).toBe(403);
      expect(xmlField(bad.text, 'Code')).toBe('SignatureDoesNotMatch');
    });

    // cos-nodejs-sdk-v5 test/test.js "getObject() 手动关闭合并 Key 校验" (run against COS): with the SDK's own key
    // check off, `/abc/../` and `///abc/.//def//../../` are stored and read back, and `///////`, `/./` fail.
    it('paths are normalized as COS does: repeated slashes and "." collapse, ".." stays, "///" is refused', async () => {
      const res = await rawRequest(emulator, {
        method: 'PUT',
        path: '//a///./b/../c.txt',
        headers: signedHeaders({
          method: 'PUT',
          pathname: '//a///./b/../c.txt',
          headers: { 'content-length': 1 },
        }),
        body: 'c',
      });
      expect(res.status).toBe(200);
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['a/b/../c.txt']);
      // PUT /////// addresses neither the bucket nor a key.
      for (const path of ['///////', '/./']) {
        const refused = await rawRequest(emulator, {
          method: 'PUT',
          path,
          headers: signedHeaders({ method: 'PUT', pathname: path, headers: { 'content-length': 0 } }),
        });
        expect([path, refused.status, xmlField(refused.text, 'Code')]).toEqual([path, 400, 'InvalidURI']);
      }
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['a/b/../c.txt']);
      // A folder object keeps its trailing slash.
      await put('folder/', Buffer.alloc(0));
      expect(emulator.listObjects(BUCKET, 'folder').map((o) => o.key)).toEqual(['folder/']);
    });

    it('unknown sub-resources are 501 NotImplemented, never another operation; a missing bucket is 404 first', async () => {
      await put('o.txt', Buffer.from('o'));
      for (const [method, query] of [
        ['GET', 'notification'],
        ['PUT', 'intelligenttiering'],
        ['DELETE', 'object-lock'],
        ['GET', 'metaquery'],
      ] as const) {
        const res = await rawRequest(emulator, {
          method,
          path: `/?${query}`,
          headers: signedHeaders({ method, pathname: '/', query: { [query]: '' } }),
        });
        expect([method, query, res.status, xmlField(res.text, 'Code')]).toEqual([
          method,
          query,
          501,
          'NotImplemented',
        ]);
        expect(res.headers['x-cos-request-id']).toEqual(expect.any(String));
      }
      const ghostHost = `ghost-1250000000.cos.${REGION}.myqcloud.com`;
      const ghost = await rawRequest(emulator, {
        method: 'PUT',
        path: '/?origin',
        headers: signedHeaders({ method: 'PUT', pathname: '/', query: { origin: '' }, host: ghostHost }),
      });
      expect(ghost.status).toBe(404);
      expect(xmlField(ghost.text, 'Code')).toBe('NoSuchBucket');
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['o.txt']);
    });
  });
});

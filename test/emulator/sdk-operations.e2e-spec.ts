import { type CiEmulator, startCiEmulator, storeOnlyPicProcessor } from '../../emulator';
import {
  BUCKET,
  ciClientFor,
  rawRequest,
  REGION,
  sdkFailure,
  sdkFor,
  VIRTUAL_HOST,
  xmlField,
} from './support/emulator-test-kit';

describe('emulator with the official SDK: bucket, batch delete, ACL, CORS, tagging (issue 12)', () => {
  let emulator: CiEmulator;
  let cos: ReturnType<typeof sdkFor>;

  beforeAll(async () => {
    emulator = await startCiEmulator({}, { picProcessor: storeOnlyPicProcessor });
    cos = sdkFor(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  const put = (key: string, extra: Record<string, unknown> = {}) =>
    cos.putObject({ Bucket: BUCKET, Region: REGION, Key: key, Body: Buffer.from(key), ...extra });

  it('PUT / HEAD / DELETE bucket: BucketAlreadyOwnedByYou, BucketNotEmpty, GET service lists it', async () => {
    const NEW = 'fresh-1250000000';
    await cos.putBucket({ Bucket: NEW, Region: REGION });
    expect((await cos.headBucket({ Bucket: NEW, Region: REGION })).statusCode).toBe(200);
    const again = await sdkFailure(cos.putBucket({ Bucket: NEW, Region: REGION }));
    expect([again.statusCode, again.code]).toEqual([409, 'BucketAlreadyOwnedByYou']);
    const service = await cos.getService({});
    expect(service.Buckets.map((b) => b.Name)).toContain(NEW);

    await cos.putObject({ Bucket: NEW, Region: REGION, Key: 'a.txt', Body: Buffer.from('a') });
    const notEmpty = await sdkFailure(cos.deleteBucket({ Bucket: NEW, Region: REGION }));
    expect([notEmpty.statusCode, notEmpty.code]).toEqual([409, 'BucketNotEmpty']);
    await cos.deleteObject({ Bucket: NEW, Region: REGION, Key: 'a.txt' });
    expect((await cos.deleteBucket({ Bucket: NEW, Region: REGION })).statusCode).toBe(204);
    const gone = await sdkFailure(cos.headBucket({ Bucket: NEW, Region: REGION }));
    expect(gone.statusCode).toBe(404);
    expect(emulator.buckets).not.toContain(NEW);
  });

  it('batch delete removes exactly the keys it names; quiet answers no Deleted list', async () => {
    for (const key of ['a/1', 'a/2', 'a/3', 'b/1']) await put(key);
    const verbose = await cos.deleteMultipleObject({
      Bucket: BUCKET,
      Region: REGION,
      Objects: [{ Key: 'a/1' }, { Key: 'a/3' }, { Key: 'missing' }],
    });
    expect(verbose.Deleted.map((d) => d.Key).sort()).toEqual(['a/1', 'a/3', 'missing']);
    expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['a/2', 'b/1']);
    const quiet = await cos.deleteMultipleObject({
      Bucket: BUCKET,
      Region: REGION,
      Objects: [{ Key: 'b/1' }],
      Quiet: true,
    });
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['a/2']);
    expect(emulator.requests.at(-1)).toMatchObject({ operation: 'DeleteObjects', status: 200 });
  });

  it('object ACL: private refuses an anonymous GET (403), public-read serves it; GET ?acl reads it back', async () => {
    await put('acl/a.txt');
    const anonymous = () =>
      rawRequest(emulator, { method: 'GET', path: '/acl/a.txt', headers: { host: VIRTUAL_HOST } });
    const refused = await anonymous();
    expect(refused.status).toBe(403);
    expect(xmlField(refused.text, 'Code')).toBe('AccessDenied');
    expect((await cos.getObjectAcl({ Bucket: BUCKET, Region: REGION, Key: 'acl/a.txt' })).ACL).toBe(
      'private',
    );

    await cos.putObjectAcl({ Bucket: BUCKET, Region: REGION, Key: 'acl/a.txt', ACL: 'public-read' });
    expect((await cos.getObjectAcl({ Bucket: BUCKET, Region: REGION, Key: 'acl/a.txt' })).ACL).toBe(
      'public-read',
    );
    const served = await anonymous();
    expect(served.status).toBe(200);
    expect(served.text).toBe('acl/a.txt');
    expect(served.headers['x-cos-acl']).toBeUndefined();
    // An anonymous write is still refused.
    const write = await rawRequest(emulator, {
      method: 'PUT',
      path: '/acl/a.txt',
      headers: { host: VIRTUAL_HOST, 'content-length': 1 },
      body: 'x',
    });
    expect(write.status).toBe(403);
    expect((await emulator.getObject(BUCKET, 'acl/a.txt'))?.toString()).toBe('acl/a.txt');

    await cos.putObjectAcl({ Bucket: BUCKET, Region: REGION, Key: 'acl/a.txt', ACL: 'private' });
    expect((await anonymous()).status).toBe(403);
  });

  it('bucket ACL public-read applies to objects without their own; x-cos-acl on PutObject is stored', async () => {
    await put('pub/a.txt');
    await put('pub/own.txt', { ACL: 'private' });
    await cos.putBucketAcl({ Bucket: BUCKET, Region: REGION, ACL: 'public-read' });
    expect((await cos.getBucketAcl({ Bucket: BUCKET, Region: REGION })).ACL).toBe('public-read');
    const get = (key: string) =>
      rawRequest(emulator, { method: 'GET', path: `/${key}`, headers: { host: VIRTUAL_HOST } });
    expect((await get('pub/a.txt')).status).toBe(200);
    expect((await get('pub/own.txt')).status).toBe(403);
  });

  it("ACL checks apply to the project's CiClient path-style objects too", async () => {
    const client = ciClientFor(emulator);
    try {
      await client.upload('client/a.txt', Buffer.from('hello'));
    } finally {
      await client.close();
    }
    const pathStyle = () =>
      rawRequest(emulator, {
        method: 'GET',
        path: `/${BUCKET}/client/a.txt`,
        headers: { host: `127.0.0.1:${emulator.port}` },
      });
    expect((await pathStyle()).status).toBe(403);
    await cos.putObjectAcl({ Bucket: BUCKET, Region: REGION, Key: 'client/a.txt', ACL: 'public-read' });
    const served = await pathStyle();
    expect([served.status, served.text]).toEqual([200, 'hello']);
  });

  it('bucket CORS: stored and read back; preflights and actual requests enforced, for the SDK and CiClient hosts', async () => {
    await put('cors/a.txt', { ACL: 'public-read' });
    await cos.putBucketCors({
      Bucket: BUCKET,
      Region: REGION,
      CORSRules: [
        {
          AllowedOrigin: ['https://app.example'],
          AllowedMethod: ['GET', 'PUT'],
          AllowedHeader: ['content-type', 'x-cos-*'],
          ExposeHeader: ['x-cos-meta-owner'],
          MaxAgeSeconds: 300,
        },
      ],
    });
    const read = await cos.getBucketCors({ Bucket: BUCKET, Region: REGION });
    expect(read.CORSRules).toEqual([
      expect.objectContaining({
        AllowedOrigins: ['https://app.example'],
        AllowedMethods: ['GET', 'PUT'],
        MaxAgeSeconds: '300',
      }),
    ]);
    for (const [path, host] of [
      ['/cors/a.txt', VIRTUAL_HOST],
      [`/${BUCKET}/cors/a.txt`, `127.0.0.1:${emulator.port}`],
    ]) {
      const preflight = (origin: string, method: string, headers = 'content-type') =>
        rawRequest(emulator, {
          method: 'OPTIONS',
          path,
          headers: {
            host,
            origin,
            'access-control-request-method': method,
            'access-control-request-headers': headers,
          },
        });
      const allowed = await preflight('https://app.example', 'PUT', 'content-type, x-cos-meta-owner');
      expect(allowed.status).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(allowed.headers['access-control-allow-methods']).toBe('GET, PUT');
      expect(allowed.headers['access-control-max-age']).toBe('300');
      const foreign = await preflight('https://evil.example', 'GET');
      expect(foreign.status).toBe(403);
      expect(xmlField(foreign.text, 'Code')).toBe('AccessForbidden');
      expect((await preflight('https://app.example', 'DELETE')).status).toBe(403);
      expect((await preflight('https://app.example', 'GET', 'x-other')).status).toBe(403);

      const actual = (origin: string) =>
        rawRequest(emulator, { method: 'GET', path, headers: { host, origin } });
      const fromApp = await actual('https://app.example');
      expect(fromApp.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(fromApp.headers['access-control-expose-headers']).toContain('x-cos-meta-owner');
      const fromEvil = await actual('https://evil.example');
      expect(fromEvil.status).toBe(200);
      expect(fromEvil.headers['access-control-allow-origin']).toBeUndefined();
    }
    await cos.deleteBucketCors({ Bucket: BUCKET, Region: REGION });
    // The SDK reads 404 NoSuchCORSConfiguration as an empty rule list.
    expect((await cos.getBucketCors({ Bucket: BUCKET, Region: REGION })).CORSRules).toEqual([]);
    expect(emulator.requests.at(-1)).toMatchObject({ operation: 'GetBucketCors', status: 404 });
  });

  it('object tagging: put, get, count on HEAD, delete; more than 10 tags is 400 InvalidTag', async () => {
    await put('t.txt');
    await cos.putObjectTagging({
      Bucket: BUCKET,
      Region: REGION,
      Key: 't.txt',
      Tags: [
        { Key: 'env', Value: 'dev' },
        { Key: 'team', Value: '图片' },
      ],
    });
    const tags = await cos.getObjectTagging({ Bucket: BUCKET, Region: REGION, Key: 't.txt' });
    expect(tags.Tags).toEqual([
      { Key: 'env', Value: 'dev' },
      { Key: 'team', Value: '图片' },
    ]);
    const head = await cos.headObject({ Bucket: BUCKET, Region: REGION, Key: 't.txt' });
    expect(head.headers?.['x-cos-tagging-count']).toBe('2');
    const tooMany = await sdkFailure(
      cos.putObjectTagging({
        Bucket: BUCKET,
        Region: REGION,
        Key: 't.txt',
        Tags: Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      }),
    );
    expect([tooMany.statusCode, tooMany.code]).toEqual([400, 'InvalidTag']);
    await cos.deleteObjectTagging({ Bucket: BUCKET, Region: REGION, Key: 't.txt' });
    expect((await cos.getObjectTagging({ Bucket: BUCKET, Region: REGION, Key: 't.txt' })).Tags).toEqual([]);
  });

  it('x-cos-traffic-limit is accepted within COS bounds, 400 outside; no lifecycle reads as none', async () => {
    await put('limit.txt', { Headers: { 'x-cos-traffic-limit': 819200 } });
    expect((await emulator.getObject(BUCKET, 'limit.txt'))?.toString()).toBe('limit.txt');
    const slow = await sdkFailure(put('limit2.txt', { Headers: { 'x-cos-traffic-limit': 100 } }));
    expect([slow.statusCode, slow.code]).toEqual([400, 'InvalidArgument']);
    // 404 NoSuchLifecycleConfiguration, which the SDK reads as no rules (sdk/base.js getBucketLifecycle).
    const lifecycle = await cos.getBucketLifecycle({ Bucket: BUCKET, Region: REGION });
    expect([lifecycle.statusCode, lifecycle.Rules]).toEqual([404, []]);
  });
});

describe('defaultCors: none answers an unconfigured bucket as COS does', () => {
  it('preflight 403 AccessForbidden, no CORS headers on answers; inspection lists uploads of every bucket', async () => {
    const emulator = await startCiEmulator(
      { defaultCors: 'none', buckets: [BUCKET, 'second-1250000000'] },
      { picProcessor: storeOnlyPicProcessor },
    );
    try {
      const preflight = await rawRequest(emulator, {
        method: 'OPTIONS',
        path: '/a.txt',
        headers: {
          host: VIRTUAL_HOST,
          origin: 'https://app.example',
          'access-control-request-method': 'GET',
        },
      });
      expect(preflight.status).toBe(403);
      expect(xmlField(preflight.text, 'Code')).toBe('AccessForbidden');
      const cos = sdkFor(emulator);
      await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'u/1' });
      await cos.multipartInit({ Bucket: 'second-1250000000', Region: REGION, Key: 'u/2' });
      expect(emulator.listMultipartUploads().map((u) => [u.bucket, u.key])).toEqual([
        [BUCKET, 'u/1'],
        ['second-1250000000', 'u/2'],
      ]);
      const head = await rawRequest(emulator, {
        method: 'GET',
        path: '/',
        headers: { host: VIRTUAL_HOST, origin: 'https://app.example' },
      });
      expect(head.headers['access-control-allow-origin']).toBeUndefined();
      expect(emulator.requests.at(-1)).toMatchObject({ api: 'cos', operation: 'GetBucket' });
    } finally {
      await emulator.close();
    }
  });
});

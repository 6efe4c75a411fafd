import { type CiEmulator, startCiEmulator, storeOnlyPicProcessor } from '../../emulator';
import {
  BUCKET,
  nextRequest,
  REGION,
  sdkFailure,
  sdkFor,
  temporaryDirectory,
} from './support/emulator-test-kit';

type Sdk = ReturnType<typeof sdkFor>;

interface Entry {
  Key: string;
  VersionId: string;
  IsLatest: string;
}
interface VersionsPage {
  IsTruncated: string;
  NextKeyMarker?: string;
  NextVersionIdMarker?: string;
  Versions: Entry[];
  DeleteMarkers: Entry[];
}
interface Answer {
  headers?: Record<string, string | undefined>;
}

/** Calls an SDK method with parameters its type declarations leave out (`VersionId`, `KeyMarker`, ...). */
function call<T = Answer>(
  cos: Sdk,
  method: 'headObject' | 'deleteObject' | 'listObjectVersions',
  params: object,
): Promise<T> {
  const fn = cos[method] as unknown as (p: object) => Promise<T>;
  return fn.call(cos, { Bucket: BUCKET, Region: REGION, ...params });
}

const put = (cos: Sdk, key: string, body: string) =>
  cos.putObject({ Bucket: BUCKET, Region: REGION, Key: key, Body: Buffer.from(body) });
const get = async (cos: Sdk, key: string, versionId?: string) =>
  (await cos.getObject({ Bucket: BUCKET, Region: REGION, Key: key, VersionId: versionId })).Body.toString();
const enable = (cos: Sdk, status: 'Enabled' | 'Suspended') =>
  cos.putBucketVersioning({ Bucket: BUCKET, Region: REGION, VersioningConfiguration: { Status: status } });
const versions = async (cos: Sdk, prefix = '') => {
  const list = await call<VersionsPage>(cos, 'listObjectVersions', { Prefix: prefix });
  return {
    versions: list.Versions.map((v) => [v.Key, v.VersionId, v.IsLatest]),
    markers: list.DeleteMarkers.map((m) => [m.Key, m.VersionId, m.IsLatest]),
  };
};

describe('emulator with the official SDK: versioning (issue 12)', () => {
  let emulator: CiEmulator;
  let cos: Sdk;

  beforeAll(async () => {
    emulator = await startCiEmulator({}, { picProcessor: storeOnlyPicProcessor });
    cos = sdkFor(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it('an unversioned bucket answers an empty configuration and no version id, as before', async () => {
    const config = await cos.getBucketVersioning({ Bucket: BUCKET, Region: REGION });
    expect(config.VersioningConfiguration).toEqual({});
    const first = await put(cos, 'plain.txt', 'one');
    expect(first.headers?.['x-cos-version-id']).toBeUndefined();
    await put(cos, 'plain.txt', 'two');
    expect(await versions(cos)).toEqual({ versions: [['plain.txt', 'null', 'true']], markers: [] });
    const removed = await cos.deleteObject({ Bucket: BUCKET, Region: REGION, Key: 'plain.txt' });
    expect(removed.headers?.['x-cos-delete-marker']).toBeUndefined();
    expect(await versions(cos)).toEqual({ versions: [], markers: [] });
  });

  it('enabled: every PUT is a version, GET/HEAD by versionId, DELETE adds a marker, list shows them all', async () => {
    await put(cos, 'v.txt', 'before versioning');
    await enable(cos, 'Enabled');
    expect(
      (await cos.getBucketVersioning({ Bucket: BUCKET, Region: REGION })).VersioningConfiguration,
    ).toEqual({
      Status: 'Enabled',
    });
    const v1 = (await put(cos, 'v.txt', 'first')).headers?.['x-cos-version-id'] as string;
    const v2 = (await put(cos, 'v.txt', 'second')).headers?.['x-cos-version-id'] as string;
    expect(v1).toMatch(/^[A-Za-z0-9+/]{8,}$/);
    expect(v2).not.toBe(v1);
    expect(await get(cos, 'v.txt')).toBe('second');
    expect(await get(cos, 'v.txt', v1)).toBe('first');
    expect(await get(cos, 'v.txt', 'null')).toBe('before versioning');
    const head = await call(cos, 'headObject', { Key: 'v.txt', VersionId: v1 });
    expect(head.headers?.['x-cos-version-id']).toBe(v1);
    expect(head.headers?.['content-length']).toBe('5');
    const unknown = await sdkFailure(
      cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'v.txt', VersionId: 'nope' }),
    );
    expect([unknown.statusCode, unknown.code]).toEqual([404, 'NoSuchVersion']);

    const deleted = await cos.deleteObject({ Bucket: BUCKET, Region: REGION, Key: 'v.txt' });
    expect(deleted.headers?.['x-cos-delete-marker']).toBe('true');
    const marker = deleted.headers?.['x-cos-version-id'] as string;
    expect(marker).toBeTruthy();
    const gone = await sdkFailure(cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'v.txt' }));
    expect([gone.statusCode, gone.code, gone.headers?.['x-cos-delete-marker']]).toEqual([
      404,
      'NoSuchKey',
      'true',
    ]);
    const onMarker = await sdkFailure(
      cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'v.txt', VersionId: marker }),
    );
    expect([onMarker.statusCode, onMarker.code]).toEqual([405, 'MethodNotAllowed']);
    expect(emulator.listObjects(BUCKET)).toEqual([]);
    expect(await versions(cos)).toEqual({
      versions: [
        ['v.txt', v2, 'false'],
        ['v.txt', v1, 'false'],
        ['v.txt', 'null', 'false'],
      ],
      markers: [['v.txt', marker, 'true']],
    });
    const notEmpty = await sdkFailure(cos.deleteBucket({ Bucket: BUCKET, Region: REGION }));
    expect([notEmpty.statusCode, notEmpty.code]).toEqual([409, 'BucketNotEmpty']);

    // Removing the marker brings the object back; removing a version is for good.
    const unmarked = await call(cos, 'deleteObject', { Key: 'v.txt', VersionId: marker });
    expect(unmarked.headers?.['x-cos-delete-marker']).toBe('true');
    expect(await get(cos, 'v.txt')).toBe('second');
    await call(cos, 'deleteObject', { Key: 'v.txt', VersionId: v2 });
    expect(await get(cos, 'v.txt')).toBe('first');
    expect((await versions(cos)).versions).toEqual([
      ['v.txt', v1, 'true'],
      ['v.txt', 'null', 'false'],
    ]);
  });

  it('suspended: PUT and DELETE replace the null version and keep the others', async () => {
    await enable(cos, 'Enabled');
    const v1 = (await put(cos, 's.txt', 'kept')).headers?.['x-cos-version-id'] as string;
    await enable(cos, 'Suspended');
    expect((await put(cos, 's.txt', 'null one')).headers?.['x-cos-version-id']).toBeUndefined();
    await put(cos, 's.txt', 'null two');
    expect(await get(cos, 's.txt')).toBe('null two');
    expect((await versions(cos)).versions).toEqual([
      ['s.txt', 'null', 'true'],
      ['s.txt', v1, 'false'],
    ]);
    await cos.deleteObject({ Bucket: BUCKET, Region: REGION, Key: 's.txt' });
    expect(await versions(cos)).toEqual({
      versions: [['s.txt', v1, 'false']],
      markers: [['s.txt', 'null', 'true']],
    });
  });

  it('pages versions with key-marker and version-id-marker; batch delete names versions', async () => {
    await enable(cos, 'Enabled');
    const ids: string[] = [];
    for (const body of ['a1', 'a2', 'a3'])
      ids.push((await put(cos, 'a', body)).headers?.['x-cos-version-id'] as string);
    await put(cos, 'b', 'b1');
    const first = await call<VersionsPage>(cos, 'listObjectVersions', { MaxKeys: 2 });
    expect(first.IsTruncated).toBe('true');
    expect(first.Versions.map((v) => v.VersionId)).toEqual([ids[2], ids[1]]);
    const rest = await call<VersionsPage>(cos, 'listObjectVersions', {
      KeyMarker: first.NextKeyMarker,
      VersionIdMarker: first.NextVersionIdMarker,
    });
    expect(rest.IsTruncated).toBe('false');
    expect(rest.Versions.map((v) => [v.Key, v.VersionId])).toEqual([
      ['a', ids[0]],
      ['b', expect.any(String)],
    ]);
    const batch = await cos.deleteMultipleObject({
      Bucket: BUCKET,
      Region: REGION,
      Objects: [{ Key: 'a', VersionId: ids[0] }, { Key: 'b' }],
    });
    expect(batch.Deleted).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Key: 'a', VersionId: ids[0] }),
        expect.objectContaining({
          Key: 'b',
          DeleteMarker: 'true',
          DeleteMarkerVersionId: expect.any(String),
        }),
      ]),
    );
    expect((await versions(cos)).versions.map((v) => v[1])).toEqual([ids[2], ids[1], expect.any(String)]);
  });

  it('copies a chosen version of the source', async () => {
    await enable(cos, 'Enabled');
    const v1 = (await put(cos, 'src.txt', 'old bytes')).headers?.['x-cos-version-id'] as string;
    await put(cos, 'src.txt', 'new bytes');
    const copied = await cos.putObjectCopy({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'dst.txt',
      CopySource: `${BUCKET}.cos.${REGION}.myqcloud.com/src.txt?versionId=${v1}`,
    });
    expect(copied.headers?.['x-cos-copy-source-version-id']).toBe(v1);
    expect(copied.headers?.['x-cos-version-id']).toBeTruthy();
    expect(await get(cos, 'dst.txt')).toBe('old bytes');
  });

  it('faults match the new operations and the request log names them', async () => {
    await enable(cos, 'Enabled');
    emulator.faults.add({
      match: { operation: 'ListObjectVersions' },
      action: { type: 'error', status: 409, code: 'OperationConflict' },
    });
    const logged = nextRequest(emulator, (r) => r.operation === 'ListObjectVersions');
    const failed = await sdkFailure(call(cos, 'listObjectVersions', {}));
    expect([failed.statusCode, failed.code]).toEqual([409, 'OperationConflict']);
    expect(await logged).toEqual(
      expect.objectContaining({ status: 409, fault: expect.objectContaining({ type: 'error' }) }),
    );
    expect(emulator.requests.map((r) => r.operation)).toEqual(
      expect.arrayContaining(['PutBucketVersioning', 'ListObjectVersions']),
    );
  });
});

describe('versions on disk survive a restart', () => {
  const dir = temporaryDirectory('ci-emulator-versions-');
  afterAll(() => dir.remove());

  it('versions and delete markers are read back from the sidecars', async () => {
    let emulator = await startCiEmulator({ dataDir: dir.path }, { picProcessor: storeOnlyPicProcessor });
    let cos = sdkFor(emulator);
    await enable(cos, 'Enabled');
    const v1 = (await put(cos, 'd.txt', 'one')).headers?.['x-cos-version-id'] as string;
    await put(cos, 'd.txt', 'two');
    await cos.deleteObject({ Bucket: BUCKET, Region: REGION, Key: 'd.txt' });
    const before = await versions(cos);
    await emulator.close();
    emulator = await startCiEmulator({ dataDir: dir.path }, { picProcessor: storeOnlyPicProcessor });
    try {
      cos = sdkFor(emulator);
      expect(await versions(cos)).toEqual(before);
      expect(await get(cos, 'd.txt', v1)).toBe('one');
      expect(
        (await cos.getBucketVersioning({ Bucket: BUCKET, Region: REGION })).VersioningConfiguration.Status,
      ).toBe('Enabled');
    } finally {
      await emulator.close();
    }
  });
});

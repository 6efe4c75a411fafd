import { readdirSync } from 'node:fs';
import {
  BUCKET,
  nextRequest,
  REGION,
  sdkFailure,
  sdkFor,
  useStoreOnlyEmulator,
} from './support/emulator-test-kit';

type Sdk = ReturnType<typeof sdkFor>;

const append = (cos: Sdk, key: string, position: number, body: string, extra: object = {}) =>
  cos.appendObject({
    Bucket: BUCKET,
    Region: REGION,
    Key: key,
    Position: position,
    Body: Buffer.from(body),
    ...extra,
  });
const head = (cos: Sdk, key: string) => cos.headObject({ Bucket: BUCKET, Region: REGION, Key: key });

describe.each([
  ['memory', false],
  ['disk', true],
])('emulator with the official SDK: APPEND Object, %s store (issue 12)', (_kind, onDisk) => {
  const suite = useStoreOnlyEmulator(onDisk);

  it('appends at the current length, answers the next position, and serves the whole object', async () => {
    const first = await append(suite.cos, 'log.txt', 0, 'abc', {
      ContentType: 'text/x-log',
      Headers: { 'x-cos-meta-a': '1' },
    });
    expect(first.headers?.['x-cos-next-append-position']).toBe('3');
    const second = await append(suite.cos, 'log.txt', 3, 'defg');
    expect(second.headers?.['x-cos-next-append-position']).toBe('7');
    expect(second.headers?.etag).not.toBe(first.headers?.etag);
    expect((await suite.emulator.getObject(BUCKET, 'log.txt'))?.toString()).toBe('abcdefg');
    const meta = await head(suite.cos, 'log.txt');
    expect(meta.headers?.['x-cos-object-type']).toBe('appendable');
    expect(meta.headers?.['content-type']).toBe('text/x-log');
    expect(meta.headers?.['x-cos-meta-a']).toBe('1');
    expect(meta.headers?.['content-length']).toBe('7');
    const range = await suite.cos.getObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'log.txt',
      Range: 'bytes=2-4',
    });
    expect(range.Body.toString()).toBe('cde');
  });

  it('409 PositionNotEqualToLength with the right position, and nothing appended', async () => {
    await append(suite.cos, 'p.txt', 0, 'abc');
    const wrong = await sdkFailure(append(suite.cos, 'p.txt', 2, 'zz'));
    expect([wrong.statusCode, wrong.code]).toEqual([409, 'PositionNotEqualToLength']);
    expect(wrong.headers?.['x-cos-next-append-position']).toBe('3');
    const absent = await sdkFailure(append(suite.cos, 'none.txt', 5, 'zz'));
    expect([absent.statusCode, absent.code]).toEqual([409, 'PositionNotEqualToLength']);
    expect(absent.headers?.['x-cos-next-append-position']).toBe('0');
    expect((await suite.emulator.getObject(BUCKET, 'p.txt'))?.toString()).toBe('abc');
    expect(suite.emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['p.txt']);
    if (onDisk) {
      const files = readdirSync(suite.dir, { recursive: true }).map(String);
      expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    }
  });

  it('409 ObjectNotAppendable for a normal object; a PUT makes an appendable object normal', async () => {
    await suite.cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'n.txt', Body: Buffer.from('normal') });
    const refused = await sdkFailure(append(suite.cos, 'n.txt', 6, 'more'));
    expect([refused.statusCode, refused.code]).toEqual([409, 'ObjectNotAppendable']);
    expect((await suite.emulator.getObject(BUCKET, 'n.txt'))?.toString()).toBe('normal');

    await append(suite.cos, 'a.txt', 0, 'x');
    await suite.cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'a.txt', Body: Buffer.from('put') });
    expect((await head(suite.cos, 'a.txt')).headers?.['x-cos-object-type']).toBeUndefined();
    const after = await sdkFailure(append(suite.cos, 'a.txt', 3, 'y'));
    expect(after.code).toBe('ObjectNotAppendable');
  });

  it('400 for a bad position and with Pic-Operations; in a versioned bucket, no version id', async () => {
    const bad = await sdkFailure(append(suite.cos, 'b.txt', -1, 'x'));
    expect([bad.statusCode, bad.code]).toEqual([400, 'InvalidArgument']);
    const pic = await sdkFailure(
      append(suite.cos, 'b.txt', 0, 'x', { Headers: { 'Pic-Operations': '{"rules":[]}' } }),
    );
    expect([pic.statusCode, pic.code]).toEqual([400, 'InvalidArgument']);
    await suite.cos.putBucketVersioning({
      Bucket: BUCKET,
      Region: REGION,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    // COS's APPEND Object page: appendable objects "do not take part in versioning".
    const versioned = await append(suite.cos, 'b.txt', 0, 'x');
    expect(versioned.headers?.['x-cos-version-id']).toBeUndefined();
    expect(suite.emulator.listObjects(BUCKET).map((o) => [o.key, o.size])).toEqual([['b.txt', 1]]);
  });

  it('faults match AppendObject and the request log names it', async () => {
    suite.emulator.faults.add({
      match: { operation: 'AppendObject' },
      action: { type: 'error', status: 409, code: 'OperationConflict' },
    });
    const logged = nextRequest(suite.emulator, (r) => r.operation === 'AppendObject');
    const failed = await sdkFailure(append(suite.cos, 'f.txt', 0, 'x'));
    expect([failed.statusCode, failed.code]).toEqual([409, 'OperationConflict']);
    expect(await logged).toEqual(
      expect.objectContaining({ status: 409, fault: expect.objectContaining({ type: 'error' }) }),
    );
    expect(suite.emulator.listObjects(BUCKET)).toEqual([]);
    await append(suite.cos, 'f.txt', 0, 'x');
    expect(suite.emulator.requests.at(-1)).toEqual(
      expect.objectContaining({ operation: 'AppendObject', status: 200 }),
    );
  });
});

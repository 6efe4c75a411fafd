import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskObjectStore } from './disk.store';
import { MemoryObjectStore } from './memory.store';
import type { ObjectStore } from './object-store';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += (chunk as Buffer).toString();
  return out;
}

async function put(store: ObjectStore, key: string, body: string): Promise<void> {
  const staged = await store.stageBody('b-1');
  await new Promise<void>((resolve) => staged.sink.end(Buffer.from(body), resolve));
  await store.commitObject(staged, {
    bucket: 'b-1',
    key,
    size: body.length,
    etag: `"${body}"`,
    contentType: 'text/plain',
    headers: {},
  });
}

async function read(store: ObjectStore, key: string): Promise<string | undefined> {
  const reader = await store.openObject('b-1', key);
  return reader ? text(reader.stream()) : undefined;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'object-index-'));
  dirs.push(dir);
  return dir;
}

describe.each([
  ['memory', () => new MemoryObjectStore()],
  ['disk', () => new DiskObjectStore(newDir())],
])('one index over the %s bytes', (_kind, make) => {
  let store: ObjectStore;
  beforeEach(async () => {
    store = make();
    await store.open();
    await store.createBucket('b-1');
  });
  afterEach(() => store.close());

  it('an overwrite is seen at once, while a reader of the old bytes keeps reading them', async () => {
    await put(store, 'k', 'first');
    const old = (await store.openObject('b-1', 'k'))!;
    await put(store, 'k', 'second');
    expect(await text(old.stream())).toBe('first');
    expect(await read(store, 'k')).toBe('second');
    expect(store.listObjects('b-1').map((m) => m.etag)).toEqual(['"second"']);
    expect(await store.deleteObject('b-1', 'k')).toEqual({ deleteMarker: false });
    expect(await store.deleteObject('b-1', 'k')).toBeUndefined();
    expect(await read(store, 'k')).toBeUndefined();
  });

  it('completes an upload from the chosen parts in order, and refuses a part of an aborted one', async () => {
    const upload = await store.createMultipartUpload('b-1', 'm', { contentType: 'x', headers: {} });
    for (const [n, body] of [
      [2, 'BB'],
      [1, 'A'],
      [3, 'unused'],
    ] as const) {
      const staged = await store.stageBody('b-1', upload.uploadId);
      await new Promise<void>((resolve) => staged.sink.end(Buffer.from(body), resolve));
      await store.commitPart(staged, {
        bucket: 'b-1',
        uploadId: upload.uploadId,
        partNumber: n,
        size: body.length,
        etag: `"${n}"`,
      });
    }
    expect(await text(await store.openUploadParts('b-1', upload.uploadId, [1, 2]))).toBe('ABB');
    const meta = await store.completeMultipartUpload('b-1', upload.uploadId, [1, 2], '"m-2"');
    expect(meta).toEqual(expect.objectContaining({ key: 'm', size: 3, etag: '"m-2"' }));
    expect(await read(store, 'm')).toBe('ABB');
    expect(store.listMultipartUploads('b-1')).toEqual([]);
    await expect(store.stageBody('b-1', upload.uploadId)).rejects.toThrow(upload.uploadId);
  });

  it('never lets a key or an upload id name a path', async () => {
    await put(store, '../../escape', 'kept inside');
    expect(await read(store, '../../escape')).toBe('kept inside');
    expect(store.getMultipartUpload('b-1', '../b-1')).toBeUndefined();
    expect(await store.abortMultipartUpload('b-1', '..')).toBe(false);
    await expect(store.stageBody('b-1', '../../x')).rejects.toThrow();
  });
});

describe('disk bytes after a restart', () => {
  it('skips a sidecar whose data file name climbs out of the bucket', async () => {
    const dir = newDir();
    const store = new DiskObjectStore(dir);
    await store.open();
    await store.createBucket('b-1');
    await put(store, 'good', 'ok');
    await store.close();
    const objects = join(dir, 'buckets', 'b-1', 'objects');
    writeFileSync(
      join(objects, 'evil.json'),
      JSON.stringify({
        key: 'evil',
        size: 1,
        etag: '"e"',
        contentType: 'x',
        headers: {},
        lastModified: new Date().toISOString(),
        data: '../../../outside.bin',
      }),
    );
    const again = new DiskObjectStore(dir);
    await again.open();
    expect(again.listObjects('b-1').map((m) => m.key)).toEqual(['good']);
    expect(await read(again, 'good')).toBe('ok');
    expect(readdirSync(objects).filter((n) => n.endsWith('.bin'))).toHaveLength(1);
    await again.close();
  });
});

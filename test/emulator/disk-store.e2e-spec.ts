import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type CiEmulator, startCiEmulator } from '../../emulator';
import {
  BUCKET,
  nextRequest,
  REGION,
  sdkFor,
  signedHeaders,
  temporaryDirectory,
} from './support/emulator-test-kit';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const MiB = 1024 * 1024;

/** Every file under `dir`, relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

describe('emulator with dataDir: objects on disk survive a restart', () => {
  const dir = temporaryDirectory('ci-emulator-data-');
  let emulator: CiEmulator | undefined;

  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  afterAll(() => dir.remove());

  it('put (single and multipart), close, start again on the same directory, get', async () => {
    emulator = await startCiEmulator({ dataDir: dir.path, buckets: [BUCKET, 'second-1250000000'] });
    let cos = sdkFor(emulator);
    const small = randomBytes(5000);
    await cos.putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'keep/small.bin',
      Body: small,
      ContentType: 'image/png',
      Headers: { 'x-cos-meta-tag': 'kept' },
    });
    const a = randomBytes(MiB);
    const b = randomBytes(12_345);
    const init = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'keep/big.bin' });
    const etags = [];
    for (const [i, body] of [a, b].entries()) {
      etags.push(
        (
          await cos.multipartUpload({
            Bucket: BUCKET,
            Region: REGION,
            Key: 'keep/big.bin',
            UploadId: init.UploadId,
            PartNumber: i + 1,
            Body: body,
          })
        ).ETag,
      );
    }
    await cos.multipartComplete({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'keep/big.bin',
      UploadId: init.UploadId,
      Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })),
    });
    const open = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'keep/unfinished.bin' });
    await cos.multipartUpload({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'keep/unfinished.bin',
      UploadId: open.UploadId,
      PartNumber: 1,
      Body: b,
    });
    await cos.putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'keep/gone.bin',
      Body: 'deleted before the restart',
    });
    await cos.deleteObject({ Bucket: BUCKET, Region: REGION, Key: 'keep/gone.bin' });
    const before = emulator.listObjects(BUCKET);
    await emulator.close();

    emulator = await startCiEmulator({ dataDir: dir.path });
    cos = sdkFor(emulator);
    expect(emulator.buckets).toEqual([BUCKET, 'second-1250000000']);
    expect(emulator.listObjects(BUCKET)).toEqual(before);
    expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['keep/big.bin', 'keep/small.bin']);

    const got = await cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'keep/small.bin' });
    expect(md5(got.Body)).toBe(md5(small));
    expect(got.headers?.['content-type']).toBe('image/png');
    expect(got.headers?.['x-cos-meta-tag']).toBe('kept');
    const big = await cos.getObject({ Bucket: BUCKET, Region: REGION, Key: 'keep/big.bin' });
    expect(md5(big.Body)).toBe(md5(Buffer.concat([a, b])));
    const range = await cos.getObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'keep/big.bin',
      Range: `bytes=${MiB - 5}-${MiB + 4}`,
    });
    expect(range.Body).toEqual(Buffer.concat([a, b]).subarray(MiB - 5, MiB + 5));

    // The open upload survived too, and can be completed.
    expect(emulator.listMultipartUploads(BUCKET)).toEqual([
      expect.objectContaining({
        key: 'keep/unfinished.bin',
        uploadId: open.UploadId,
        parts: [expect.objectContaining({ partNumber: 1, size: b.length })],
      }),
    ]);
    const parts = await cos.multipartListPart({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'keep/unfinished.bin',
      UploadId: open.UploadId,
    });
    await cos.multipartComplete({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'keep/unfinished.bin',
      UploadId: open.UploadId,
      Parts: [{ PartNumber: 1, ETag: parts.Part[0].ETag }],
    });
    expect(md5((await emulator.getObject(BUCKET, 'keep/unfinished.bin'))!)).toBe(md5(b));
  });

  it('an overwrite replaces the object at once; a failed body leaves no file behind', async () => {
    emulator = await startCiEmulator({ dataDir: dir.path });
    await emulator.reset();
    const cos = sdkFor(emulator);
    await cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'o.txt', Body: 'first version' });
    await cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'o.txt', Body: 'second' });
    expect((await emulator.getObject(BUCKET, 'o.txt'))?.toString()).toBe('second');
    const filesBefore = filesUnder(dir.path);

    // A client that declares 1000 bytes and leaves after 10.
    const headers = signedHeaders({
      method: 'PUT',
      pathname: '/partial.bin',
      headers: { 'content-length': 1000 },
    });
    const logged = nextRequest(emulator, (r) => r.operation === 'PutObject');
    await new Promise<void>((resolve) => {
      const socket = connect(emulator!.port, '127.0.0.1', () => {
        const head = Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        socket.write(`PUT /partial.bin HTTP/1.1\r\n${head}\r\n0123456789`);
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    // The request is logged once its failure is handled, the staged temporary file removed.
    expect(await logged).toEqual(expect.objectContaining({ errorCode: 'IncompleteBody' }));
    expect(filesUnder(dir.path).sort()).toEqual(filesBefore.sort());
    expect(filesUnder(dir.path).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['o.txt']);
  });

  it('reset() empties the directory store and recreates the configured buckets', async () => {
    emulator = await startCiEmulator({ dataDir: dir.path });
    await emulator.createBucket('extra-1250000000');
    await sdkFor(emulator).putObject({ Bucket: BUCKET, Region: REGION, Key: 'r.txt', Body: 'x' });
    await emulator.reset();
    expect(emulator.buckets).toEqual([BUCKET]);
    expect(emulator.listObjects(BUCKET)).toEqual([]);
    await emulator.close();
    emulator = await startCiEmulator({ dataDir: dir.path });
    expect(emulator.buckets).toEqual([BUCKET]);
    expect(emulator.listObjects(BUCKET)).toEqual([]);
  });

  it.each(['memory', 'disk'])(
    '%s store: a part still streaming when its upload is aborted gets 404 NoSuchUpload and leaves nothing',
    async (kind) => {
      emulator = await startCiEmulator(kind === 'disk' ? { dataDir: dir.path } : {});
      await emulator.reset();
      const cos = sdkFor(emulator);
      const init = await cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'race.bin' });
      const query = { partNumber: '1', uploadId: init.UploadId };
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/race.bin',
        query,
        headers: { 'content-length': 1000 },
      });
      const req = request({
        host: '127.0.0.1',
        port: emulator.port,
        method: 'PUT',
        path: `/race.bin?partNumber=1&uploadId=${init.UploadId}`,
        headers,
      });
      const answer = new Promise<{ status?: number; text: string }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode, text }));
        });
        req.on('error', reject);
      });
      req.write(Buffer.alloc(10));
      // The upload is aborted while its part streams in; then the rest of the part arrives.
      const aborted = await cos.multipartAbort({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'race.bin',
        UploadId: init.UploadId,
      });
      expect(aborted.statusCode).toBe(204);
      req.end(Buffer.alloc(990));
      const res = await answer;
      expect(res.status).toBe(404);
      expect(res.text).toContain('<Code>NoSuchUpload</Code>');
      expect(emulator.listMultipartUploads(BUCKET)).toEqual([]);
      if (kind === 'disk') expect(filesUnder(dir.path).filter((f) => f.includes('uploads/'))).toEqual([]);
    },
  );
});

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUCKET, REGION, useStoreOnlyEmulator } from './support/emulator-test-kit';

// CRC-64/XZ by the catalogue's definition (table-driven, BigInt): an oracle independent of the emulator's library.
const POLY = 0xc96c5795d7870f42n;
const MASK = 0xffffffffffffffffn;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let crc = BigInt(i);
  for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
  return crc;
});
function crc64(bytes: Buffer): string {
  let crc = MASK;
  for (const byte of bytes) crc = TABLE[Number((crc ^ BigInt(byte)) & 0xffn)] ^ (crc >> 8n);
  return (crc ^ MASK).toString();
}

const CRC = 'x-cos-hash-crc64ecma';
const KiB = 1024;

describe.each([
  ['memory', false],
  ['disk', true],
])('x-cos-hash-crc64ecma with the official SDK, %s store (issue 12)', (_kind, onDisk) => {
  // Small parts keep the BigInt oracle quick.
  const suite = useStoreOnlyEmulator(onDisk, { minPartSize: 1024 });
  const head = async (key: string) =>
    (await suite.cos.headObject({ Bucket: BUCKET, Region: REGION, Key: key })).headers?.[CRC];

  it('PUT, HEAD and GET (whole and ranged) answer the CRC-64 of the object', async () => {
    const body = randomBytes(70_000);
    const put = await suite.cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'p.bin', Body: body });
    expect(put.headers?.[CRC]).toBe(crc64(body));
    expect(await head('p.bin')).toBe(crc64(body));
    const range = await suite.cos.getObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'p.bin',
      Range: 'bytes=0-9',
    });
    expect(range.headers?.[CRC]).toBe(crc64(body));
  });

  it('Upload Part answers each part, Complete and HEAD the whole', async () => {
    const parts = [randomBytes(5000), randomBytes(4321)];
    const init = await suite.cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'm.bin' });
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const answer = await suite.cos.multipartUpload({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'm.bin',
        UploadId: init.UploadId,
        PartNumber: i + 1,
        Body: part,
      });
      expect(answer.headers?.[CRC]).toBe(crc64(part));
      etags.push(answer.ETag);
    }
    const done = await suite.cos.multipartComplete({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'm.bin',
      UploadId: init.UploadId,
      Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })),
    });
    expect(done.headers?.[CRC]).toBe(crc64(Buffer.concat(parts)));
    expect(await head('m.bin')).toBe(crc64(Buffer.concat(parts)));
  });

  it('PUT Object - Copy and Upload Part - Copy answer the copied bytes; the SDK downloadFile checks them', async () => {
    const body = randomBytes(300 * KiB + 17);
    await suite.cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'src.bin', Body: body });
    const copy = await suite.cos.putObjectCopy({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'copy.bin',
      CopySource: `${BUCKET}.cos.${REGION}.myqcloud.com/src.bin`,
    });
    expect(copy.headers?.[CRC]).toBe(crc64(body));
    expect(await head('copy.bin')).toBe(crc64(body));

    const init = await suite.cos.multipartInit({ Bucket: BUCKET, Region: REGION, Key: 'pc.bin' });
    const part = await suite.cos.uploadPartCopy({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'pc.bin',
      UploadId: init.UploadId,
      PartNumber: 1,
      CopySource: `${BUCKET}.cos.${REGION}.myqcloud.com/src.bin`,
      CopySourceRange: 'bytes=100-1099',
    });
    expect(part.headers?.[CRC]).toBe(crc64(body.subarray(100, 1100)));

    // downloadFile fetches in ranges and fails when a range answers another CRC-64 than HEAD did.
    const file = join(suite.dir, `download-${onDisk ? 'disk' : 'memory'}.bin`);
    await suite.cos.downloadFile({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'copy.bin',
      FilePath: file,
      ChunkSize: 100 * KiB,
    });
    expect(crc64(readFileSync(file))).toBe(crc64(body));
  });

  it('APPEND Object answers the CRC-64 of the whole object after each append', async () => {
    const first = randomBytes(1000);
    const second = randomBytes(2500);
    const a = await suite.cos.appendObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'a.log',
      Position: 0,
      Body: first,
    });
    expect(a.headers?.[CRC]).toBe(crc64(first));
    const b = await suite.cos.appendObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'a.log',
      Position: 1000,
      Body: second,
    });
    expect(b.headers?.[CRC]).toBe(crc64(Buffer.concat([first, second])));
    expect(await head('a.log')).toBe(crc64(Buffer.concat([first, second])));
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type CiEmulator,
  EMULATOR_DEV_CREDENTIALS,
  startCiEmulator,
  storeOnlyPicProcessor,
} from '../../emulator';
import { CiClient } from '../../lib/client';
import { BUCKET, rawRequest, REGION } from './support/emulator-test-kit';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const MiB = 1024 * 1024;
const PIC_OPERATIONS = JSON.stringify({
  is_pic_info: 1,
  rules: [{ fileid: 'small.png', rule: 'imageMogr2/format/png' }],
});

/** This project's own client against the emulator: path-style, signing `/<key>`. */
describe('emulator with CiClient (path-style on the emulator URL)', () => {
  let emulator: CiEmulator;
  let client: CiClient;

  beforeAll(async () => {
    // Storage tests with bytes that are not images: processing is off (ci-processing.e2e-spec covers it).
    emulator = await startCiEmulator({}, { picProcessor: storeOnlyPicProcessor });
    client = new CiClient({
      bucket: BUCKET,
      region: REGION,
      credentials: EMULATOR_DEV_CREDENTIALS,
      endpoint: emulator.url,
    });
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  it('putObject with Pic-Operations, head, ranged get, pre-signed URL, delete', async () => {
    const body = randomBytes(3000);
    const put = await client.putObject('client/a.jpg', body, {
      picOperations: PIC_OPERATIONS,
      contentType: 'image/jpeg',
    });
    expect(put.etag).toBe(md5(body));
    expect(put.imageInfo.processResults).toEqual([]);
    expect(await emulator.getObject(BUCKET, 'client/a.jpg')).toEqual(body);

    const head = await client.headObject('client/a.jpg');
    expect(head).toEqual(expect.objectContaining({ size: 3000, contentType: 'image/jpeg' }));

    const part = await client.getObject('client/a.jpg', { range: 'bytes=0-9' });
    const chunks: Buffer[] = [];
    for await (const chunk of part.body) chunks.push(chunk as Buffer);
    expect(part.statusCode).toBe(206);
    expect(Buffer.concat(chunks)).toEqual(body.subarray(0, 10));

    const url = new URL(await client.getObjectUrl('client/a.jpg'));
    const viaUrl = await rawRequest(emulator, {
      method: 'GET',
      path: url.pathname + url.search,
      headers: { host: url.host },
    });
    expect(viaUrl.status).toBe(200);
    expect(viaUrl.body).toEqual(body);

    await client.deleteObject('client/a.jpg');
    expect(emulator.listObjects(BUCKET)).toEqual([]);
  });

  it('a streamed upload above the threshold goes multipart and arrives whole', async () => {
    const source = randomBytes(5 * MiB + 777);
    const stream = Readable.from(
      (function* () {
        for (let offset = 0; offset < source.length; offset += 64 * 1024)
          yield source.subarray(offset, offset + 64 * 1024);
      })(),
    );
    const result = await client.upload('client/big.bin', stream, { picOperations: PIC_OPERATIONS });
    expect(result.key).toBe('client/big.bin');
    const stored = await emulator.getObject(BUCKET, 'client/big.bin');
    expect(stored && md5(stored)).toBe(md5(source));
    expect(emulator.requests.filter((r) => r.operation === 'UploadPart').length).toBeGreaterThan(1);
    expect(emulator.listMultipartUploads(BUCKET)).toEqual([]);
  });
});

/**
 * Outputs of a rule with `bucket` live in that bucket (the seed: "bucket: name of the destination bucket that
 * stores the result"): clean-up removes them there, and never touches the key of the same name in the source
 * bucket, which the module did not write.
 */
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { Readable } from 'node:stream';
import { CiClient, type CiProtocol } from '../../lib/client';
import { CiUploader, CiUploadTracker, compileProcessing } from '../../lib/upload';
import { photoJpeg } from '../support/images';

const source = 'srcbucket-1250000000';
const other = 'outbucket-1250000000';
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe.each<CiProtocol>(['cos-v5', 'files-v2'])('outputs in another bucket (%s)', (protocol) => {
  let emulator: CiEmulator;
  let client: CiClient;
  let image: Buffer;
  const sentinel = Buffer.from('sentinel: not the module’s');

  beforeAll(async () => {
    emulator = await startCiEmulator({ port: 0, buckets: [source, other], region: 'ap-guangzhou' });
    client = new CiClient({
      protocol,
      bucket: source,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: emulator.credentials[0]!,
      insertOnly: false,
      timeouts: { headersMs: 400 },
    });
    image = await photoJpeg(64, 48);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });
  beforeEach(async () => {
    await emulator.reset();
    // The sentinel sits in the source bucket at the output's key.
    await client.putObject('up/thumb.png', sentinel, { insertOnly: false });
  });

  const processing = () =>
    compileProcessing(
      { rules: [{ fileid: '/up/thumb.png', rule: 'imageMogr2/format/png', bucket: other }] },
      { isPicInfo: false, styles: {}, strictRules: true },
      'test',
    );
  const upload = (uploader: CiUploader) =>
    uploader.upload({
      source: Readable.from([image]),
      field: 'file',
      index: 0,
      originalName: 'a.jpg',
      request: {},
      key: 'up/a.jpg',
      options: { processing: processing() },
      allowedFormats: ['jpeg'],
    });

  it('removes a stored result’s output in its own bucket, not the source bucket’s object at that key', async () => {
    const uploader = new CiUploader({
      client,
      tracker: new CiUploadTracker(),
      logger: silent,
      keyPrefix: 'up',
    });
    const result = await upload(uploader);
    expect(emulator.listObjects(other).map((o) => o.key)).toEqual(['up/thumb.png']);
    await uploader.remove([result]);
    expect(emulator.listObjects(other)).toEqual([]);
    expect(await emulator.getObject(source, 'up/thumb.png')).toEqual(sentinel);
    expect(emulator.listObjects(source).map((o) => o.key)).toEqual(['up/thumb.png']);
  });

  it('an unknown outcome removes the output in its own bucket and leaves the source bucket’s object', async () => {
    const tracker = new CiUploadTracker();
    const uploader = new CiUploader({ client, tracker, logger: silent, keyPrefix: 'up', recheckMs: 50 });
    emulator.faults.add({
      match: { operation: protocol === 'cos-v5' ? 'PutObject' : 'FilesV2', bucket: source },
      action: { type: 'reset', phase: 'response' },
    });
    await expect(upload(uploader)).rejects.toThrow();
    await tracker.shutdown(5_000);
    expect(emulator.listObjects(other)).toEqual([]);
    expect(await emulator.getObject(source, 'up/thumb.png')).toEqual(sentinel);
    expect(emulator.listObjects(source).map((o) => o.key)).toEqual(['up/thumb.png']);
  });
});

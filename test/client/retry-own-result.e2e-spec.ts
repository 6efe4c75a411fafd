/**
 * A create retried after its answer was lost may meet its own earlier result. Under insertOnly that is a conflict
 * (cos-v5 `FileAlreadyExists`, files-v2 `-4018`); the client tells its own earlier attempt from someone else's
 * object and answers success for the former only.
 */
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { CiClient, type CiProtocol } from '../../lib/client';
import { buildPicOperations } from '../../lib/core/pic-operations';
import { photoJpeg } from '../support/images';

const bucket = 'retrybucket-1250000000';

describe.each<CiProtocol>(['cos-v5', 'files-v2'])('a retried create under insertOnly (%s)', (protocol) => {
  let emulator: CiEmulator;
  let client: CiClient;
  let image: Buffer;
  const operation = protocol === 'cos-v5' ? 'PutObject' : 'FilesV2';

  beforeAll(async () => {
    emulator = await startCiEmulator({ port: 0, buckets: [bucket], region: 'ap-guangzhou' });
    client = new CiClient({
      protocol,
      bucket,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: emulator.credentials[0]!,
      insertOnly: true,
      timeouts: { headersMs: 300 },
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    });
    image = await photoJpeg(64, 48);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });
  beforeEach(() => emulator.reset());

  it('a PUT whose first answer was lost succeeds when the retry finds its own object', async () => {
    // Served and stored, but the answer comes after the client gave up: the retry meets the object.
    emulator.faults.add({ match: { operation }, action: { type: 'latency', ms: 1_000 } });
    const result = await client.putObject('own/a.jpg', image);
    expect(result).toMatchObject({ key: 'own/a.jpg', bucket });
    expect(await emulator.getObject(bucket, 'own/a.jpg')).toEqual(image);
  });

  it('a PUT whose retry meets someone else’s object still fails with the conflict, and leaves it', async () => {
    const theirs = Buffer.from('not ours');
    await client.putObject('own/b.jpg', theirs);
    // The first attempt never reaches storage, the retry meets the object already there.
    emulator.faults.add({ match: { operation }, action: { type: 'reset', phase: 'request' } });
    await expect(client.putObject('own/b.jpg', image)).rejects.toMatchObject({ statusCode: 409 });
    expect(await emulator.getObject(bucket, 'own/b.jpg')).toEqual(theirs);
  });

  if (protocol === 'files-v2') {
    const rules = buildPicOperations({
      rules: [{ fileid: 'a-small.png', rule: 'imageMogr2/thumbnail/20x/format/png' }],
    });

    it('a process whose first answer was lost succeeds when the retry finds its own outputs', async () => {
      await client.putObject('own/src.jpg', image);
      emulator.faults.add({ match: { operation }, action: { type: 'latency', ms: 1_000 } });
      const result = await client.processObject('own/src.jpg', rules);
      expect(result.imageInfo.processResults).toEqual([
        expect.objectContaining({ key: 'own/a-small.png', bucket, size: expect.any(Number) }),
      ]);
      expect(emulator.listObjects(bucket).map((o) => o.key)).toEqual(['own/a-small.png', 'own/src.jpg']);
    });

    it('a process whose outputs existed before it began still fails with the conflict', async () => {
      await client.putObject('own/src.jpg', image);
      await client.putObject('own/a-small.png', Buffer.from('theirs'));
      emulator.faults.add({ match: { operation }, action: { type: 'reset', phase: 'request' } });
      await expect(client.processObject('own/src.jpg', rules)).rejects.toMatchObject({ statusCode: 409 });
      expect(await emulator.getObject(bucket, 'own/a-small.png')).toEqual(Buffer.from('theirs'));
    });
  }
});

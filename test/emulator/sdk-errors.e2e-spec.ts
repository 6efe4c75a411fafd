import { Readable } from 'node:stream';
import { type CiEmulator, EMULATOR_DEV_CREDENTIALS, startCiEmulator } from '../../emulator';
import { BUCKET, REGION, sdkFailure, sdkFor } from './support/emulator-test-kit';

describe('emulator with the official SDK in Proxy mode: error answers', () => {
  let emulator: CiEmulator;

  beforeAll(async () => {
    emulator = await startCiEmulator({
      credentials: [
        EMULATOR_DEV_CREDENTIALS,
        {
          secretId: 'AKIDTEMPORARYKEY0000000000000001',
          secretKey: 'temporary-secret',
          securityToken: 'sts-token-1',
        },
      ],
    });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it('a wrong secret key: 403 SignatureDoesNotMatch, nothing stored', async () => {
    const cos = sdkFor(emulator, { SecretKey: 'not-the-secret-key' });
    const err = await sdkFailure(cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'a.txt', Body: 'x' }));
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.error?.Message).not.toContain('not-the-secret-key');
    expect(emulator.listObjects(BUCKET)).toEqual([]);
  });

  it('an unknown SecretId: 403 InvalidAccessKeyId', async () => {
    const cos = sdkFor(emulator, { SecretId: 'AKIDUNKNOWN000000000000000000000' });
    const err = await sdkFailure(cos.getBucket({ Bucket: BUCKET, Region: REGION }));
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('InvalidAccessKeyId');
  });

  it('an expired signature (client clock an hour behind): 403 AccessDenied "Request has expired"', async () => {
    const cos = sdkFor(emulator, { SystemClockOffset: -3600_000, CorrectClockSkew: false });
    const err = await sdkFailure(
      cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'late.txt', Body: 'x' }),
    );
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('AccessDenied');
    expect(err.error?.Message).toBe('Request has expired');
    expect(emulator.listObjects(BUCKET)).toEqual([]);
  });

  it('the SDK corrects its clock from that answer (Date header) and retries, as it does against COS', async () => {
    const warn = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const cos = sdkFor(emulator, { SystemClockOffset: -3600_000 });
    const put = await cos.putObject({ Bucket: BUCKET, Region: REGION, Key: 'corrected.txt', Body: 'x' });
    expect(put.statusCode).toBe(200);
    expect(warn).toHaveBeenCalledWith('error: Local time is too skewed.');
    warn.mockRestore();
    const attempts = emulator.requests.filter((r) => r.operation === 'PutObject').map((r) => r.status);
    expect(attempts).toEqual([403, 200]);
  });

  it('an unknown bucket: 404 NoSuchBucket', async () => {
    const cos = sdkFor(emulator);
    const err = await sdkFailure(cos.headBucket({ Bucket: 'missing-1250000000', Region: REGION }));
    expect(err.statusCode).toBe(404);
    const put = await sdkFailure(
      cos.putObject({ Bucket: 'missing-1250000000', Region: REGION, Key: 'a', Body: 'x' }),
    );
    expect(put.code).toBe('NoSuchBucket');
  });

  it('a bucket addressed in another region: 404 NoSuchBucket naming the region', async () => {
    const cos = sdkFor(emulator);
    const err = await sdkFailure(cos.getBucket({ Bucket: BUCKET, Region: 'ap-beijing' }));
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('NoSuchBucket');
    expect(err.error?.Message).toContain('ap-beijing');
  });

  it('a chunked PutObject (stream Body, no ContentLength) is stored, but refused 411 with Pic-Operations', async () => {
    const cos = sdkFor(emulator);
    const plain = await cos.putObject({
      Bucket: BUCKET,
      Region: REGION,
      Key: 'stream.bin',
      Body: Readable.from([Buffer.from('chunk-1,'), Buffer.from('chunk-2')]),
    });
    expect(plain.statusCode).toBe(200);
    expect((await emulator.getObject(BUCKET, 'stream.bin'))?.toString()).toBe('chunk-1,chunk-2');

    const err = await sdkFailure(
      cos.putObject({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'stream.jpg',
        Body: Readable.from([Buffer.from('jpeg bytes')]),
        Headers: {
          'Pic-Operations': JSON.stringify({ rules: [{ fileid: 't.png', rule: 'imageMogr2/format/png' }] }),
        },
      }),
    );
    expect(err.statusCode).toBe(411);
    expect(err.code).toBe('MissingContentLength');
    expect(await emulator.getObject(BUCKET, 'stream.jpg')).toBeUndefined();
  });

  it('a wrong Content-MD5: 400 BadDigest, nothing stored', async () => {
    const cos = sdkFor(emulator);
    const err = await sdkFailure(
      cos.putObject({
        Bucket: BUCKET,
        Region: REGION,
        Key: 'digest.txt',
        Body: 'the body',
        Headers: { 'Content-MD5': Buffer.alloc(16, 7).toString('base64') },
      }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('BadDigest');
    expect(emulator.listObjects(BUCKET)).toEqual([]);
  });

  it('temporary keys: the SDK sends the STS token and passes; a wrong or missing token is refused', async () => {
    const temporary = { SecretId: 'AKIDTEMPORARYKEY0000000000000001', SecretKey: 'temporary-secret' };
    const good = sdkFor(emulator, { ...temporary, SecurityToken: 'sts-token-1' });
    expect(
      (await good.putObject({ Bucket: BUCKET, Region: REGION, Key: 'sts.txt', Body: 'x' })).statusCode,
    ).toBe(200);

    const wrong = sdkFor(emulator, { ...temporary, SecurityToken: 'sts-token-2' });
    const wrongErr = await sdkFailure(wrong.getBucket({ Bucket: BUCKET, Region: REGION }));
    expect(wrongErr.statusCode).toBe(403);
    expect(wrongErr.code).toBe('AccessDenied');

    const missing = sdkFor(emulator, temporary);
    const missingErr = await sdkFailure(missing.getBucket({ Bucket: BUCKET, Region: REGION }));
    expect(missingErr.statusCode).toBe(403);
    expect(missingErr.code).toBe('InvalidAccessKeyId');
    expect(missingErr.error?.Message).toContain('x-cos-security-token');
  });
});

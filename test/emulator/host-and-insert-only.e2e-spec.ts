import { type CiEmulator, EMULATOR_DEV_CREDENTIALS, startCiEmulator } from '../../emulator';
import { CiClient } from '../../lib/client';
import { buildPicOperations } from '../../lib/core/pic-operations';
import { imageMogr2 } from '../../lib/core/rules';
import { toCiHttpException } from '../../lib/nest';
import { ciErrorResponse } from '../../lib/upload';
import { filesV2Origin } from '../../lib/protocol/files-v2';
import { photoJpeg, pixelBombPng } from '../support/images';
import { BUCKET } from './support/emulator-test-kit';

const thumb = buildPicOperations({
  isPicInfo: true,
  rules: [{ fileid: 'thumb.webp', rule: imageMogr2().thumbnail({ width: 40 }).format('webp') }],
});

function client(emulator: CiEmulator, options: Partial<ConstructorParameters<typeof CiClient>[0]> = {}) {
  return new CiClient({
    bucket: BUCKET,
    region: 'ap-guangzhou',
    credentials: EMULATOR_DEV_CREDENTIALS,
    endpoint: emulator.url,
    ...options,
  });
}

async function failure(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected a failure');
}

describe("the seed's host and region codes", () => {
  it('files-v2 defaults to https://<short region>.image.myqcloud.com for short and long region codes', async () => {
    for (const region of ['cd', 'ap-chengdu']) {
      const c = new CiClient({
        protocol: 'files-v2',
        bucket: BUCKET,
        region,
        credentials: EMULATOR_DEV_CREDENTIALS,
      });
      expect(c.region).toBe('ap-chengdu');
      expect(c.endpoints).toEqual({
        cos: `https://${BUCKET}.cos.ap-chengdu.myqcloud.com`,
        filesV2: 'https://cd.image.myqcloud.com',
      });
      await c.close();
    }
    expect(filesV2Origin('ap-guangzhou')).toBe('https://gz.image.myqcloud.com');
    // A long name without a known short code keeps its name in the host.
    expect(filesV2Origin('ap-mumbai')).toBe('https://ap-mumbai.image.myqcloud.com');
    expect(
      () => new CiClient({ bucket: BUCKET, region: 'xx', credentials: EMULATOR_DEV_CREDENTIALS }),
    ).toThrow(/short code/);
  });

  it('a custom or accelerated domain in endpoint moves the XML API only: files-v2 keeps the seed host', async () => {
    for (const endpoint of [`https://${BUCKET}.cos.accelerate.myqcloud.com`, 'https://img.example.com']) {
      const c = new CiClient({
        protocol: 'files-v2',
        bucket: BUCKET,
        region: 'gz',
        credentials: EMULATOR_DEV_CREDENTIALS,
        endpoint,
      });
      expect(c.endpoints).toEqual({ cos: endpoint, filesV2: 'https://gz.image.myqcloud.com' });
      await c.close();
    }
  });

  it('filesV2Endpoint moves the files-v2 API alone', async () => {
    const c = new CiClient({
      protocol: 'files-v2',
      bucket: BUCKET,
      region: 'gz',
      credentials: EMULATOR_DEV_CREDENTIALS,
      filesV2Endpoint: 'https://files.example.com',
    });
    expect(c.endpoints).toEqual({
      cos: `https://${BUCKET}.cos.ap-guangzhou.myqcloud.com`,
      filesV2: 'https://files.example.com',
    });
    await c.close();
  });
});

describe('against the emulator: short region code, insertOnly, missing keys', () => {
  let emulator: CiEmulator;
  let jpeg: Buffer;

  beforeAll(async () => {
    emulator = await startCiEmulator();
    jpeg = await photoJpeg(120, 80);
  });
  afterAll(() => emulator.close());

  it('files-v2 with the short region code "gz" uploads and processes, and does not overwrite by default', async () => {
    // One emulator URL (path addressing) serves both APIs.
    const c = client(emulator, { protocol: 'files-v2', region: 'gz' });
    expect(c.endpoints).toEqual({ cos: emulator.url, filesV2: emulator.url });
    try {
      const first = await c.putObject('v2/a.jpg', jpeg, { picOperations: thumb });
      expect(first.imageInfo.processResults[0]).toMatchObject({ format: 'WEBP', width: 40 });
      const again = await failure(c.putObject('v2/a.jpg', jpeg));
      expect(again).toMatchObject({ statusCode: 409, ciCode: '-4018' });
      // insertOnly: false overwrites, per call.
      await expect(c.putObject('v2/a.jpg', jpeg, { insertOnly: false })).resolves.toMatchObject({
        key: 'v2/a.jpg',
      });
      // Processing with insertOnly refuses an output that exists (thumb.webp was written by the first upload).
      const process = await failure(c.processObject('v2/a.jpg', thumb));
      expect(process).toMatchObject({ statusCode: 409, ciCode: '-4018' });
      await expect(c.processObject('v2/a.jpg', thumb, { insertOnly: false })).resolves.toBeDefined();
    } finally {
      await c.close();
    }
  });

  it('cos-v5 insertOnly sends x-cos-forbid-overwrite: a PUT and a multipart upload refuse to replace an object', async () => {
    const c = client(emulator, {
      insertOnly: true,
      upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024 },
    });
    try {
      await c.putObject('v5/a.jpg', jpeg);
      const put = await failure(c.putObject('v5/a.jpg', jpeg));
      expect(put).toMatchObject({ statusCode: 409, ciCode: 'FileAlreadyExists' });
      const big = Buffer.concat([jpeg, Buffer.alloc(1.5 * 1024 * 1024)]);
      const multipart = await failure(c.upload('v5/a.jpg', big));
      expect(multipart).toMatchObject({ statusCode: 409, ciCode: 'FileAlreadyExists' });
      expect(await emulator.getObject(BUCKET, 'v5/a.jpg')).toEqual(jpeg);
      // Without insertOnly (COS's default) the object is replaced.
      await c.putObject('v5/a.jpg', big, { insertOnly: false });
      expect((await emulator.getObject(BUCKET, 'v5/a.jpg'))!.length).toBe(big.length);
    } finally {
      await c.close();
    }
  });

  it('an insert-only conflict answers 409 OBJECT_EXISTS on both protocols', async () => {
    const v5 = client(emulator, { insertOnly: true });
    const v2 = client(emulator, { protocol: 'files-v2', insertOnly: true });
    try {
      await v5.putObject('conflict/a.jpg', jpeg);
      await v2.putObject('conflict/b.jpg', jpeg);
      const a = await failure(v5.putObject('conflict/a.jpg', jpeg));
      const b = await failure(v2.putObject('conflict/b.jpg', jpeg));
      for (const error of [a, b]) {
        expect(ciErrorResponse(error)).toMatchObject({ statusCode: 409, code: 'OBJECT_EXISTS' });
        expect((toCiHttpException(error) as { getStatus(): number }).getStatus()).toBe(409);
      }
      expect(ciErrorResponse(a)).toMatchObject({ ciCode: 'FileAlreadyExists' });
      expect(ciErrorResponse(b)).toMatchObject({ ciCode: '-4018' });
    } finally {
      await v5.close();
      await v2.close();
    }
  });

  it('an image over the pixel limit answers 422 on both protocols (files-v2 -60998, cos-v5 ImageResolutionExceed)', async () => {
    const bomb = await pixelBombPng();
    const rules = buildPicOperations({
      rules: [{ fileid: 'bomb-thumb.png', rule: imageMogr2().thumbnail({ width: 40 }) }],
    });
    const v5 = client(emulator);
    const v2 = client(emulator, { protocol: 'files-v2', insertOnly: false });
    try {
      const a = await failure(v5.putObject('bomb/a.png', bomb, { picOperations: rules }));
      const b = await failure(v2.putObject('bomb/b.png', bomb, { picOperations: rules }));
      expect(a).toMatchObject({ ciCode: 'ImageResolutionExceed' });
      expect(b).toMatchObject({ ciCode: '-60998' });
      for (const error of [a, b]) expect(ciErrorResponse(error)).toMatchObject({ statusCode: 422 });
    } finally {
      await v5.close();
      await v2.close();
    }
  });

  it('processing a missing key is 404 on both protocols, and the Nest mapping says 404 for both', async () => {
    const v5 = client(emulator);
    const v2 = client(emulator, { protocol: 'files-v2' });
    try {
      const a = await failure(v5.processObject('none.jpg', thumb));
      const b = await failure(v2.processObject('none.jpg', thumb));
      expect(a).toMatchObject({ statusCode: 404, ciCode: 'NoSuchKey' });
      expect(b).toMatchObject({ statusCode: 404, ciCode: '-4004' });
      for (const error of [a, b]) {
        expect((toCiHttpException(error) as { getStatus(): number }).getStatus()).toBe(404);
      }
    } finally {
      await v5.close();
      await v2.close();
    }
  });
});

import { Test, type TestingModule } from '@nestjs/testing';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { CiService, imageMogr2, isCiResponseError } from '../../lib';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from '../../testing';
import { photoJpeg } from '../support/images';

describe('CiService against the emulator', () => {
  let moduleRef: TestingModule;
  let ci: CiService;
  let emulator: CiEmulator;
  const bucket = 'examplebucket-1250000000';
  const thumb = { fileid: '{name}-100.webp', rule: imageMogr2().thumbnail({ width: 100 }).format('webp') };

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        CiTestingModule.forRoot({
          module: { styles: { tiny: imageMogr2().thumbnail({ width: 32 }).format('png') } },
        }),
      ],
    }).compile();
    await moduleRef.init();
    ci = moduleRef.get(CiService);
    emulator = moduleRef.get(CI_EMULATOR);
  });
  afterAll(() => moduleRef.close());

  it('uploads a Buffer, a stream and a file path with processing, sniffing the type', async () => {
    const jpeg = await photoJpeg(400, 300);
    const png = await sharp(jpeg).png().toBuffer();
    const dir = mkdtempSync(join(tmpdir(), 'ci-service-'));
    const path = join(dir, 'from-disk.jpg');
    writeFileSync(path, jpeg);
    try {
      const fromBuffer = await ci.upload(jpeg, { rules: [thumb] });
      const fromStream = await ci.upload(Readable.from([png]), { key: 'custom/place.png', rules: [thumb] });
      const fromPath = await ci.upload(path, { rules: [{ fileid: '{name}-tiny.png', style: 'tiny' }] });
      expect(fromBuffer).toMatchObject({ mimetype: 'image/jpeg', size: jpeg.length });
      expect(fromBuffer.key).toMatch(/^uploads\/\d{4}\/\d{2}\/.+\.jpg$/);
      expect(fromBuffer.imageInfo.processResults[0]).toMatchObject({ width: 100, height: 75 });
      expect(fromStream).toMatchObject({ key: 'custom/place.png', mimetype: 'image/png' });
      expect(fromPath).toMatchObject({ originalName: 'from-disk.jpg' });
      expect(fromPath.imageInfo.processResults[0]).toMatchObject({ width: 32, height: 24 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('process sends what was asked: is_pic_info is not forced when there are no rules (the seed: 0 by default)', async () => {
    const up = await ci.upload(await photoJpeg(64, 48));
    const processed = () => emulator.requests.filter((r) => r.operation === 'ImageProcess').length;
    const before = processed();
    const info = await ci.process(up.key, {});
    expect(info.imageInfo.originalInfo).toMatchObject({ width: 64, height: 48 });
    const nothing = ci.process(up.key, { isPicInfo: false });
    await expect(nothing).rejects.toMatchObject({ reason: 'OPTIONS_INVALID' });
    expect(processed()).toBe(before + 1);
  });

  it('heads, pre-signs, and deletes an object with its outputs', async () => {
    const up = await ci.upload(await photoJpeg(200, 200), { rules: [thumb] });
    const head = await ci.head(up.key);
    expect(head).toMatchObject({ key: up.key, size: up.size, contentType: 'image/jpeg' });
    const url = await ci.getUrl(up.key, { expiresIn: 60 });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(up.size);
    await ci.delete(up.key, { outputs: up.imageInfo.processResults.map((r) => r.key) });
    expect(emulator.listObjects(bucket, up.key.split('.')[0])).toEqual([]);
    const missing = await ci.head(up.key).catch((e: unknown) => e);
    expect(isCiResponseError(missing) && missing.statusCode).toBe(404);
  });

  it("deletes outputs given as the route's fileid templates, and refuses one the key cannot give", async () => {
    const up = await ci.upload(await photoJpeg(200, 200), { rules: [thumb] });
    expect(emulator.listObjects(bucket, up.key.split('.')[0])).toHaveLength(2);
    await expect(ci.delete(up.key, { outputs: ['{uuid}.webp'] })).rejects.toMatchObject({
      name: 'CiValidationError',
    });
    await ci.delete(up.key, { outputs: [thumb.fileid] });
    expect(emulator.listObjects(bucket, up.key.split('.')[0])).toEqual([]);
  });

  it('refuses to overwrite with insertOnly per call, keeping what is there', async () => {
    const first = await ci.upload(await photoJpeg(120, 80), { key: 'fixed/once.jpg' });
    const again = await ci
      .upload(await photoJpeg(60, 40), { key: 'fixed/once.jpg', insertOnly: true })
      .catch((e: unknown) => e);
    expect(isCiResponseError(again) && again.ciCode).toBe('FileAlreadyExists');
    expect((await ci.head('fixed/once.jpg')).etag).toBe(first.etag);
  });

  it('refuses a text body before anything is sent', async () => {
    const before = emulator.requests.length;
    await expect(ci.upload(Buffer.from('plain text'))).rejects.toMatchObject({
      name: 'CiMediaError',
      reason: 'NOT_AN_IMAGE',
    });
    expect(emulator.requests.length).toBe(before);
  });

  it('is abortable', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      ci.process('whatever.jpg', { rules: [thumb] }, { signal: controller.signal }),
    ).rejects.toMatchObject({
      name: 'CiAbortError',
    });
  });
});

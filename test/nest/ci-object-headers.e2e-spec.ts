import { Controller, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CiModule, CiResult, CiService, CiUpload, imageMogr2, type CiUploadResult } from '../../lib';
import { CiTestingModule } from '../../testing';
import { largeJpeg, photoJpeg } from '../support/images';

const thumb = { fileid: '{name}-64.png', rule: imageMogr2().thumbnail({ width: 64 }).format('png') };

@Controller()
class HeadersController {
  @Post('avatars')
  @CiUpload('file', {
    rules: [thumb],
    object: {
      cacheControl: 'public, max-age=31536000, immutable',
      contentDisposition: "inline; filename*=UTF-8''%E5%86%99%E7%9C%9F.jpg",
      metadata: { owner: '42' },
    },
  })
  upload(@CiResult() result: CiUploadResult) {
    return result;
  }
}

describe('object headers on routes, module and CiService.upload (cos-v5)', () => {
  let app: INestApplication;
  let ci: CiService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CiTestingModule.forRoot({
          module: { object: { metadata: { app: 'e2e' }, cacheControl: 'no-cache' } },
        }),
      ],
      controllers: [HeadersController],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
    ci = app.get(CiService);
  });
  afterAll(() => app.close());

  it('stores the route headers over the module defaults with a single PUT, visible in head()', async () => {
    const res = await request(app.getHttpServer())
      .post('/avatars')
      .attach('file', await photoJpeg(300, 200), 'a.jpg')
      .expect(201);
    const head = await ci.head(res.body.key);
    expect(head).toMatchObject({
      contentType: 'image/jpeg',
      cacheControl: 'public, max-age=31536000, immutable',
      contentDisposition: "inline; filename*=UTF-8''%E5%86%99%E7%9C%9F.jpg",
      metadata: { app: 'e2e', owner: '42' },
    });
  });

  it('stores them through a multipart upload too (the headers ride on Initiate)', async () => {
    const big = await largeJpeg(3);
    const result = await ci.upload(big, {
      object: { metadata: { size: 'large' }, storageClass: 'STANDARD_IA' },
    });
    expect(result.size).toBe(big.length);
    const head = await ci.head(result.key);
    expect(head).toMatchObject({
      size: big.length,
      cacheControl: 'no-cache',
      metadata: { app: 'e2e', size: 'large' },
      storageClass: 'STANDARD_IA',
    });
  });

  it('refuses a bad header value with 400 before anything is sent, naming the field', async () => {
    await expect(
      ci.upload(await photoJpeg(10, 10), { object: { metadata: { owner: 'ü' } } }),
    ).rejects.toMatchObject({
      name: 'CiValidationError',
      field: 'upload.object.metadata.owner',
    });
  });
});

describe('object headers at boot', () => {
  // No emulator: the boot fails on validation before anything connects.
  const offline = {
    bucket: 'examplebucket-1250000000',
    region: 'ap-guangzhou',
    endpoint: 'http://127.0.0.1:9',
    credentials: { secretId: 'AKIDtest', secretKey: 'test-key' },
  };

  it('a bad module or route value fails the boot naming it', async () => {
    await expect(
      Test.createTestingModule({
        imports: [CiModule.forRoot({ ...offline, object: { acl: 'public-write' as never } })],
      }).compile(),
    ).rejects.toThrow(/object\.acl must be one of default, private, public-read/);
  });

  it('files-v2 refuses object headers instead of dropping them', async () => {
    let app: INestApplication | undefined;
    const boot = async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [CiModule.forRoot({ ...offline, protocol: 'files-v2' })],
        controllers: [HeadersController],
      }).compile();
      app = moduleRef.createNestApplication();
      await app.init();
    };
    try {
      await expect(boot()).rejects.toThrow(/need protocol 'cos-v5'/);
    } finally {
      await app?.close();
    }
  });
});

import { Controller, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import {
  CiModule,
  CiResult,
  CiService,
  CiUpload,
  imageMogr2,
  InjectCiService,
  type CiUploadResult,
} from '../../lib';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from '../../testing';
import { photoJpeg } from '../support/images';
import { listenOn, PLATFORMS } from './platforms';

const thumb = { fileid: '{name}-64.webp', rule: imageMogr2().thumbnail({ width: 64 }).format('webp') };
/** The app's real configuration: two buckets (two accounts, even), each its own instance. */
const account = { region: 'ap-guangzhou', credentials: { secretId: 'AKIDreal', secretKey: 'real-secret' } };

@Injectable()
class Gallery {
  constructor(
    @InjectCiService('avatars') readonly avatars: CiService,
    @InjectCiService('documents') readonly documents: CiService,
  ) {}
}

@Controller()
class UploadsController {
  @Post('avatars')
  @CiUpload('file', { instance: 'avatars', rules: [thumb] })
  avatar(@CiResult() result: CiUploadResult) {
    return result;
  }

  @Post('scans')
  @CiUpload('file', { instance: 'documents', limits: { fileSize: 200_000 } })
  scan(@CiResult() result: CiUploadResult) {
    return result;
  }
}

@Module({
  imports: [
    CiModule.forRoot({ name: 'avatars', bucket: 'avatars-1250000000', ...account }),
    CiModule.forRoot({
      name: 'documents',
      bucket: 'documents-1250000000',
      ...account,
      limits: { fileSize: 1_000_000 },
    }),
  ],
  controllers: [UploadsController],
  providers: [Gallery],
})
class AppModule {}

describe.each(PLATFORMS)('two named CiModule instances in one app on Nest/%s', (platform) => {
  let app: INestApplication;
  let emulator: CiEmulator;
  let http: ReturnType<typeof supertest>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule,
        CiTestingModule.forRoot({ emulator: { buckets: ['avatars-1250000000', 'documents-1250000000'] } }),
      ],
    }).compile();
    app = await listenOn(platform, moduleRef);
    emulator = moduleRef.get(CI_EMULATOR);
    http = supertest(app.getHttpServer());
  });
  afterAll(() => app?.close());
  beforeEach(() => emulator.reset());

  const keys = (bucket: string) =>
    emulator
      .listObjects(bucket)
      .map((o) => o.key)
      .sort();

  it("stores each route's files in its instance's bucket, swapped to the emulator", async () => {
    const jpeg = await photoJpeg(300, 200);
    const avatar = await http.post('/avatars').attach('file', jpeg, 'a.jpg').expect(201);
    const scan = await http.post('/scans').attach('file', jpeg, 's.jpg').expect(201);
    expect(avatar.body.bucket).toBe('avatars-1250000000');
    expect(scan.body.bucket).toBe('documents-1250000000');
    expect(keys('avatars-1250000000')).toEqual(
      [avatar.body.key, avatar.body.imageInfo.processResults[0].key].sort(),
    );
    expect(keys('documents-1250000000')).toEqual([scan.body.key]);
  });

  it("applies each instance's and route's own limits", async () => {
    const big = await photoJpeg(1600, 1200, 95);
    expect(big.length).toBeGreaterThan(200_000);
    await http.post('/scans').attach('file', big, 'big.jpg').expect(413);
    await http.post('/avatars').attach('file', big, 'big.jpg').expect(201);
  });

  it('injects each CiService by name, each on its own bucket', async () => {
    const gallery = app.get(Gallery);
    const jpeg = await photoJpeg(200, 100);
    const avatar = await gallery.avatars.upload(jpeg, { key: 'people/me.jpg' });
    const document = await gallery.documents.upload(jpeg, { key: 'letters/one.jpg' });
    expect([avatar.bucket, document.bucket]).toEqual(['avatars-1250000000', 'documents-1250000000']);
    expect(keys('avatars-1250000000')).toEqual(['people/me.jpg']);
    expect(keys('documents-1250000000')).toEqual(['letters/one.jpg']);
    await expect(gallery.avatars.head('letters/one.jpg')).rejects.toMatchObject({ statusCode: 404 });
    // The unnamed CiService (CiTestingModule's own instance) is neither.
    expect(app.get(CiService)).not.toBe(gallery.avatars);
  });
});

import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import { CI_CLIENT, CiClient, CiModule, type CiModuleOptions } from '../../lib';
import { useEmulatorBucket } from '../support/bucket-kit';
import { largeJpeg, photoJpeg } from '../support/images';
import { filePart, multipartBody, openUpload, waitFor } from '../support/multipart';
import { listenOn, PLATFORMS } from './platforms';
import { UploadController } from './upload-app';

const bucket = 'budgetbucket-1250000000';
const MiB = 1024 * 1024;

describe.each(PLATFORMS)('@CiUpload on Nest/%s: the upload buffer budget', (platform) => {
  const kit = useEmulatorBucket(bucket);

  async function start(upload: CiModuleOptions['upload']) {
    const moduleRef = await Test.createTestingModule({
      imports: [CiModule.forRoot({ ...kit.connection(), upload })],
      controllers: [UploadController],
    }).compile();
    const app = await listenOn(platform, moduleRef);
    return { app, http: supertest(app.getHttpServer()), client: moduleRef.get<CiClient>(CI_CLIENT) };
  }

  it('12 concurrent multipart uploads through a budget of 2 parts all complete', async () => {
    const { app, http, client } = await start({
      maxBufferedBytes: 2 * MiB,
      partSize: MiB,
      multipartThreshold: MiB,
      partConcurrency: 2,
    });
    try {
      const jpeg = await largeJpeg(3);
      // A many-file route: the size of each file is unknown until it ends (a single-file route predicts it from
      // the request's Content-Length and pipes it, without the budget).
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => http.post('/gallery').attach('files', jpeg, 'big.jpg')),
      );
      expect(answers.map((a) => a.status)).toEqual(new Array(12).fill(201));
      expect(answers.every((a) => a.body[0].size === jpeg.length)).toBe(true);
      const { objects, uploads } = await kit.leftovers();
      expect(objects).toHaveLength(24);
      expect(uploads).toEqual([]);
      expect(client.uploadBufferStats()).toEqual({
        budgetBytes: 2 * MiB,
        inUseBytes: 0,
        waiting: 0,
        piped: 0,
      });
    } finally {
      await app.close();
    }
  });

  it('an upload that cannot get buffer memory within budgetWaitMs gets 503, nothing stored; the app goes on', async () => {
    const { app, http, client } = await start({ maxBufferedBytes: MiB, partSize: MiB, budgetWaitMs: 200 });
    try {
      // A slow client: its upload takes the only part of the budget and holds it while its bytes trickle in.
      const jpeg = await photoJpeg(1600, 1200);
      const body = multipartBody([filePart('files', 'filename="slow.jpg"', jpeg)]);
      const slow = openUpload(app.getHttpServer(), '/gallery', body.length);
      const answer = new Promise<number>((resolve) => slow.on('response', (res) => resolve(res.statusCode!)));
      slow.write(body.subarray(0, body.length - 20_000));
      await waitFor(() => client.uploadBufferStats().inUseBytes === MiB);

      const refused = await http.post('/gallery').attach('files', jpeg, 'other.jpg').expect(503);
      expect(refused.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Too many uploads in progress: try again later',
      });
      expect(await kit.leftovers()).toEqual({ objects: [], uploads: [] });

      slow.end(body.subarray(body.length - 20_000));
      expect(await answer).toBe(201);
      expect((await kit.leftovers()).objects).toHaveLength(2);
      await http.post('/gallery').attach('files', jpeg, 'again.jpg').expect(201);
    } finally {
      await app.close();
    }
  });

  it('refuses a budget smaller than one part at boot, naming the field', async () => {
    const moduleRef = Test.createTestingModule({
      imports: [
        CiModule.forRoot({ ...kit.connection(), upload: { partSize: 2 * MiB, maxBufferedBytes: MiB } }),
      ],
    });
    await expect(moduleRef.compile()).rejects.toThrow(/upload\.maxBufferedBytes must be at least one part/);
  });
});

import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CiClient } from 'nestjs-tencent-ci';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from 'nestjs-tencent-ci/testing';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from '../test-api.js';
// Before the AppModule: the environment it reads when it loads.
import { REAL } from './real-cloud-env.js';
import { AppModule } from '../src/app.module.js';

describe('the whole AppModule with CiTestingModule.forRoot() beside it', () => {
  let app: INestApplication;
  let emulator: CiEmulator;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule, CiTestingModule.forRoot()],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    emulator = moduleRef.get<CiEmulator>(CI_EMULATOR);
  });
  afterAll(() => app.close());

  it("the app's own CiModule uploads to the in-process emulator", async () => {
    const png = await sharp({ create: { width: 300, height: 300, channels: 4, background: '#fff' } })
      .png()
      .toBuffer();
    const res = await request(app.getHttpServer()).post('/avatars').attach('file', png, 'me.png');
    expect(res.status).toBe(201);
    expect(res.body.bucket).toBe('examplebucket-1250000000');
    expect(emulator.listObjects('examplebucket-1250000000').map((o) => o.key)).toContain(res.body.key);
  });

  it('a client to the real cloud fails before connecting', async () => {
    const client = new CiClient({
      bucket: REAL.COS_BUCKET,
      region: REAL.COS_REGION,
      credentials: { secretId: REAL.COS_SECRET_ID, secretKey: REAL.COS_SECRET_KEY },
    });
    await expect(client.headObject('a.jpg')).rejects.toMatchObject({
      code: 'CI_NETWORK_BLOCKED',
      origin: 'https://photos-1250000000.cos.ap-shanghai.myqcloud.com',
    });
    await client.close();
  });
});

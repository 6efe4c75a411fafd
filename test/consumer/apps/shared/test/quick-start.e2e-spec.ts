import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import sharp from 'sharp';
import request from 'supertest';
import { AppModule } from '../src/app.module.js';
import { afterAll, beforeAll, describe, expect, it } from '../test-api.js';

// The README's Quick start, word for word, against the `npx ci-emulator` whose printed exports are in the env.
describe('README Quick start against npx ci-emulator', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('POST /avatars stores the image and its 200-px WebP in the emulator', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6' } })
      .jpeg()
      .toBuffer();
    const res = await request(app.getHttpServer()).post('/avatars').attach('file', jpeg, 'holiday.jpg');
    expect(res.status).toBe(201);
    expect(res.body.bucket).toBe(process.env.COS_BUCKET);
    const at = `${new URL(process.env.COS_ENDPOINT!).host}/${process.env.COS_BUCKET}/`;
    expect(res.body.location).toBe(`${at}${res.body.key}`);
    expect(res.body.imageInfo.processResults[0].location).toBe(
      `${at}${res.body.key.replace(/\.jpg$/, '-200.webp')}`,
    );
    expect(res.body.imageInfo.originalInfo).toMatchObject({ width: 640, height: 480 });
    expect(res.body.imageInfo.processResults).toEqual([
      expect.objectContaining({ format: 'WEBP', width: 200, height: 150 }),
    ]);
  });

  it('a text file is refused with 415 before it reaches CI', async () => {
    const res = await request(app.getHttpServer())
      .post('/avatars')
      .attach('file', Buffer.from('hello'), 'a.jpg');
    expect(res.status).toBe(415);
  });
});

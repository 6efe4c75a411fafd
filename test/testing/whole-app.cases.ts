import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CiNetworkBlockedError } from '../../lib';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from '../../testing';
import { photoJpeg } from '../support/images';
import { nonLoopbackServer, ReportService, WholeAppModule } from './whole-app.fixture';

/**
 * The whole-app swap, as a user's e2e test does it: the app's own `AppModule`, wired to the real cloud, plus
 * `CiTestingModule.forRoot()`. Shared by the jest and the vitest spec (globals `describe`/`it`/`expect`).
 */
export function wholeAppCases(): void {
  describe.each([
    ['forRoot', 'sync'],
    ['forRootAsync', 'async'],
  ] as const)('the app configures CiModule.%s', (_name, kind) => {
    let app: INestApplication;
    let emulator: CiEmulator;
    beforeEach(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [WholeAppModule.register(kind), CiTestingModule.forRoot()],
      }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      emulator = moduleRef.get<CiEmulator>(CI_EMULATOR);
    });
    afterEach(() => app.close());

    it("uploads go to the emulator, with the app's other options kept", async () => {
      const res = await request(app.getHttpServer())
        .post('/avatars')
        .attach('file', await photoJpeg(640, 480), 'me.jpg');
      expect(res.status).toBe(201);
      expect(res.body.bucket).toBe('examplebucket-1250000000');
      expect(res.body.key).toMatch(/^avatars\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.jpg$/);
      expect(res.body.imageInfo.processResults).toEqual([
        expect.objectContaining({ format: 'WEBP', width: 200, height: 150 }),
      ]);
      // Locations name the emulator (path-style on its loopback host), not Tencent's host.
      const host = new URL(emulator.url).host;
      expect(res.body.location).toBe(`${host}/examplebucket-1250000000/${res.body.key}`);
      expect(res.body.imageInfo.processResults[0].location).toBe(
        `${host}/examplebucket-1250000000/${res.body.key.replace(/\.jpg$/, '-200.webp')}`,
      );
      const stored = emulator.listObjects('examplebucket-1250000000').map((o) => o.key);
      expect(stored.sort()).toEqual([res.body.key, res.body.key.replace(/\.jpg$/, '-200.webp')].sort());
      // Every request the app made reached the emulator, signed with its keys, not the app's.
      expect(emulator.requests.length).toBeGreaterThan(0);
    });
  });

  it('while it lives, a client to a non-loopback host fails before connecting; after, it connects', async () => {
    const cloud = await nonLoopbackServer();
    process.env.CLOUD_ORIGIN = cloud.origin;
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [WholeAppModule.register('sync'), CiTestingModule.forRoot()],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      const { client } = app.get(ReportService);
      const blocked = await client.headObject('report.jpg').catch((e: unknown) => e);
      expect(blocked).toBeInstanceOf(CiNetworkBlockedError);
      expect(blocked).toMatchObject({ code: 'CI_NETWORK_BLOCKED', origin: cloud.origin });
      expect((blocked as Error).message).toBe(
        `Refused to reach ${cloud.origin}: only loopback hosts are reachable while ` +
          'nestjs-tencent-ci/testing (CiTestingModule) is active (point the endpoint at the emulator)',
      );
      expect(cloud.connections()).toBe(0);
      await app.close();

      // The same client once the testing module is gone: it does connect (the server answers 404).
      const after = await client.headObject('report.jpg').catch((e: unknown) => e);
      expect(after).toMatchObject({ code: 'CI_RESPONSE', statusCode: 404 });
      expect(cloud.connections()).toBe(1);
      await client.close();
    } finally {
      delete process.env.CLOUD_ORIGIN;
      await cloud.close();
    }
  });
}

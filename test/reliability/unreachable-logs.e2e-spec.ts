import { Controller, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import express from 'express';
import { createServer } from 'node:net';
import supertest from 'supertest';
import { CiModule, CiResult, CiUpload, type CiLogger, type CiUploadResult } from '../../lib';
import { ciUpload } from '../../lib/express';
import { photoJpeg } from '../support/images';
import { listenOn, PLATFORMS } from '../nest/platforms';

/** A loopback port nothing listens on: every connection is refused, as when COS is unreachable. */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every line the module logs, by level. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  const logger: CiLogger = { log: at('log'), warn: at('warn'), error: at('error'), debug: at('debug') };
  return { logger, lines };
}

const rules = [{ fileid: '{name}-64.webp', rule: 'imageMogr2/thumbnail/64x/format/webp' }];
const connection = async () => ({
  bucket: 'photos-1250000000',
  region: 'ap-guangzhou',
  endpoint: `http://127.0.0.1:${await deadPort()}`,
  credentials: { secretId: 'AKIDexample', secretKey: 'example-secret' },
  retry: { retries: 0 },
  // The second look runs at close(), not after this delay.
  unknownOutcomeRecheckMs: 60_000,
});

/** Two uploads to an unreachable COS, then shutdown (which runs the second looks): what was logged. */
async function expectOneWarningPerUpload(lines: Array<{ level: string; message: string }>) {
  const warnings = lines.filter((l) => l.level === 'warn' || l.level === 'error');
  expect(warnings).toEqual([
    {
      level: 'warn',
      message: expect.stringMatching(/^502: CI request failed on the network \(ECONNREFUSED\)/),
    },
    {
      level: 'warn',
      message: expect.stringMatching(/^502: CI request failed on the network \(ECONNREFUSED\)/),
    },
  ]);
  // Both looks of both uploads ran, and none says it removed a key it could not reach.
  const sweeps = lines.filter((l) => /^failed upload/.test(l.message));
  expect(sweeps).toHaveLength(4);
  for (const sweep of sweeps) {
    expect(sweep.message).toMatch(
      /: removed uploads of \S+ if present; could not reach COS to remove \S+, \S+ \(/,
    );
  }
}

describe('COS unreachable: one warning per failed upload', () => {
  it('plain Express (ciUpload)', async () => {
    const { logger, lines } = recordingLogger();
    const upload = ciUpload({ field: 'file', rules, ...(await connection()), logger });
    const app = express();
    app.post('/avatars', upload, (req, res) => void res.status(201).json(req.ciResult));
    const jpeg = await photoJpeg(200, 100);
    for (const name of ['a.jpg', 'b.jpg']) {
      const res = await supertest(app).post('/avatars').attach('file', jpeg, name);
      expect(res.body).toEqual({
        statusCode: 502,
        message: 'Image storage unreachable',
        error: 'Bad Gateway',
      });
    }
    await upload.close();
    await expectOneWarningPerUpload(lines);
  });

  it.each(PLATFORMS)('Nest on %s (@CiUpload)', async (platform) => {
    const { logger, lines } = recordingLogger();
    @Controller()
    class AvatarsController {
      @Post('avatars')
      @CiUpload('file', { rules })
      upload(@CiResult() result: CiUploadResult) {
        return result;
      }
    }
    @Module({
      imports: [CiModule.forRoot({ ...(await connection()), logger })],
      controllers: [AvatarsController],
    })
    class AppModule {}
    const app = await listenOn(platform, await Test.createTestingModule({ imports: [AppModule] }).compile());
    const jpeg = await photoJpeg(200, 100);
    for (const name of ['a.jpg', 'b.jpg']) {
      const res = await supertest(app.getHttpServer()).post('/avatars').attach('file', jpeg, name);
      expect(res.body).toMatchObject({ statusCode: 502, message: 'Image storage unreachable' });
    }
    await app.close();
    await expectOneWarningPerUpload(lines);
  });
});

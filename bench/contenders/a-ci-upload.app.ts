/**
 * Contender A: this module. `@CiUpload` with one thumbnail rule streams each file to the emulator; cloud
 * processing goes through `CiService.process`; `/direct/ticket` and `/direct/confirm` serve direct uploads. Started by bench/main.bench.ts in its own process; with
 * `--fastify` the same app runs on Nest's Fastify platform (contender "A on Fastify").
 */
import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import {
  CiModule,
  CiResult,
  CiService,
  CiUpload,
  imageMogr2,
  type CiDirectUploadRoute,
  type CiUploadResult,
} from '../../lib';
import { contenderEnv, countOutputs, serveContender } from '../support/contender-host';

const env = contenderEnv();
const thumbnail = { fileid: '{name}-200.webp', rule: imageMogr2().thumbnail({ width: 200 }).format('webp') };

@Controller()
class UploadController {
  @Post('upload')
  @CiUpload('file', { isPicInfo: true, rules: [thumbnail] })
  upload(@CiResult() result: CiUploadResult) {
    return result;
  }
}

/** Direct uploads: the bench's client asks for a ticket, sends the bytes to the emulator itself, then confirms. */
@Controller('direct')
class DirectController {
  private readonly direct: CiDirectUploadRoute;

  constructor(ci: CiService) {
    this.direct = ci.directUploadRoute('bench', { isPicInfo: true, rules: [thumbnail] });
  }

  @Post('ticket')
  ticket(@Body() body: unknown) {
    return this.direct.ticket(body);
  }

  @Post('confirm')
  confirm(@Body() body: unknown) {
    return this.direct.confirm(body);
  }
}

@Module({
  imports: [
    CiModule.forRoot({
      bucket: env.bucket,
      region: env.region,
      credentials: { secretId: env.secretId, secretKey: env.secretKey },
      endpoint: env.emulatorUrl,
      // The soak run (bench/soak.bench.ts) wants faults to resolve in seconds, not the production minute.
      ...(process.env.BENCH_HEADERS_MS && {
        timeouts: { headersMs: Number(process.env.BENCH_HEADERS_MS) },
        retry: { retries: 2, minDelayMs: 5, maxDelayMs: 50 },
        unknownOutcomeRecheckMs: 2 * Number(process.env.BENCH_HEADERS_MS),
        upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 2 },
      }),
      // To measure other budgets than the default (`BENCH_MAX_BUFFERED_MIB=16 npm run bench -- --only memory`).
      ...(process.env.BENCH_MAX_BUFFERED_MIB && {
        upload: { maxBufferedBytes: Number(process.env.BENCH_MAX_BUFFERED_MIB) * 1024 * 1024 },
      }),
    }),
  ],
  controllers: [UploadController, DirectController],
})
class AppModule {}

async function main(): Promise<void> {
  const options = { logger: ['error', 'warn'] as ('error' | 'warn')[] };
  const app = process.argv.includes('--fastify')
    ? await NestFactory.create(AppModule, new FastifyAdapter(), options)
    : await NestFactory.create(AppModule, options);
  await app.listen(0, '127.0.0.1');
  const ci = app.get(CiService);
  serveContender(
    { port: (app.getHttpServer().address() as AddressInfo).port },
    {
      process: (key) => async () =>
        countOutputs(
          await ci.process(key, {
            isPicInfo: true,
            rules: [{ fileid: '{name}-processed.webp', rule: thumbnail.rule }],
          }),
        ),
    },
    () => app.close(),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

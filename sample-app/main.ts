import 'reflect-metadata';
import { Logger, ValidationPipe, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { sampleBackend } from './sample-ci-options';

/** Starts the sample app on `PORT` (default 3000) with the emulator in-process unless COS credentials are set. */
export async function bootstrap(
  port = Number(process.env.PORT ?? 3000),
  options: { logger?: false | LogLevel[] } = {},
) {
  const backend = await sampleBackend();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(backend.options), {
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  // Works from sample-app/ (ts) and dist/sample-app/ (js).
  app.useStaticAssets(
    join(
      __dirname,
      __dirname.includes(`${join('dist', 'sample-app')}`) ? '../../sample-app/public' : 'public',
    ),
  );
  app.enableShutdownHooks();
  await app.listen(port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  if (options.logger !== false) {
    const logger = new Logger('SampleApp');
    logger.log(`Sample app:  ${url}`);
    logger.log(`Images go to ${backend.description}`);
  }
  return { app, backend, url };
}

if (require.main === module) {
  bootstrap().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

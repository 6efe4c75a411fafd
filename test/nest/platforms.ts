import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';

/** The Nest HTTP platforms every `@CiUpload` e2e suite runs on. */
export const PLATFORMS = ['express', 'fastify'] as const;

/** One of {@link PLATFORMS}. */
export type Platform = (typeof PLATFORMS)[number];

/** Creates and starts the app on `platform`, as a user would (no set-up beyond choosing the adapter). */
export async function listenOn(
  platform: Platform,
  moduleRef: TestingModule,
  options: { logger?: false | import('@nestjs/common').LoggerService } = { logger: false },
): Promise<INestApplication> {
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), options)
      : moduleRef.createNestApplication(options);
  await app.listen(0, '127.0.0.1');
  return app;
}

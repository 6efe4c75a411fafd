import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { CiClient, CiModule, type CiProtocol } from '../../lib';
import { largeJpeg, photoJpeg } from '../support/images';

/** The images the reliability cases upload: one below the multipart threshold, one above it (2.5 MB). */
export interface ReliabilityImages {
  small: Buffer;
  large: Buffer;
}

/** A user's Nest app on `CiModule.forRoot` with short timeouts, its emulator, and what the cases inspect. */
export interface ReliabilityRig {
  emulator: CiEmulator;
  http: ReturnType<typeof supertest>;
  images: ReliabilityImages;
  /** Keys in the bucket, sorted. */
  objects(): string[];
  /** Open multipart uploads (`key uploadId`), seen through the COS API (ListMultipartUploads). */
  openUploads(): Promise<string[]>;
  close(): Promise<void>;
}

/** What differs between the reliability suites. */
export interface ReliabilityRigOptions {
  bucket: string;
  protocol: CiProtocol;
  headersMs: number;
  unknownOutcomeRecheckMs: number;
  controllers: Type[];
}

/**
 * Starts an emulator and the app (retries 2, multipart from 1 MiB in 1 MiB parts, one at a time, files up to
 * 8 MiB, silent logger) listening on a free loopback port.
 */
export async function startReliabilityRig(options: ReliabilityRigOptions): Promise<ReliabilityRig> {
  const { bucket } = options;
  const emulator = await startCiEmulator({ port: 0, buckets: [bucket], region: 'ap-guangzhou' });
  const connection = {
    bucket,
    region: emulator.region,
    endpoint: emulator.url,
    credentials: emulator.credentials[0]!,
  };
  const inspect = new CiClient(connection);
  let app: INestApplication | undefined;
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CiModule.forRoot({
          ...connection,
          protocol: options.protocol,
          timeouts: { headersMs: options.headersMs },
          retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
          upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 1 },
          unknownOutcomeRecheckMs: options.unknownOutcomeRecheckMs,
          limits: { fileSize: 8 * 1024 * 1024 },
          logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        }),
      ],
      controllers: options.controllers,
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const images = { small: await photoJpeg(640, 480), large: await largeJpeg(2.5) };
    const running = app;
    return {
      emulator,
      http: supertest(app.getHttpServer()),
      images,
      objects: () =>
        emulator
          .listObjects(bucket)
          .map((o) => o.key)
          .sort(),
      openUploads: async () => (await inspect.listMultipartUploads()).map((u) => `${u.key} ${u.uploadId}`),
      close: async () => {
        await running.close();
        await inspect.close();
        await emulator.close();
      },
    };
  } catch (error) {
    await app?.close();
    await inspect.close();
    await emulator.close();
    throw error;
  }
}

/** Waits (bounded) for `check`, which the clean-up of a failed request may need a moment to satisfy. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

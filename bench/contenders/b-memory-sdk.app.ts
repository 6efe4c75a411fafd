/**
 * Contender B, the common pattern: Nest's `FileInterceptor` with memory storage (the whole file in a Buffer),
 * then the official SDK's `putObject` with the same `Pic-Operations` header. Cloud processing: the SDK's
 * `request({ Action: 'image_process' })`. Started by bench/main.bench.ts in its own process.
 */
import { Controller, Module, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FileInterceptor } from '@nestjs/platform-express';
import COS from 'cos-nodejs-sdk-v5';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { contenderEnv, countOutputs, sdkPicOperations, serveContender } from '../support/contender-host';

const env = contenderEnv();
const cos = new COS({
  SecretId: env.secretId,
  SecretKey: env.secretKey,
  Protocol: 'http:',
  Proxy: env.emulatorUrl,
  ConfCwd: env.tmpDir,
});

@Controller()
class UploadController {
  @Post('upload')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: 20 * 1024 * 1024 } }))
  async upload(@UploadedFile() file: Express.Multer.File) {
    const name = randomUUID();
    const key = `bench-b/${name}.jpg`;
    const data = await cos.putObject({
      Bucket: env.bucket,
      Region: env.region,
      Key: key,
      Body: file.buffer,
      ContentType: file.mimetype,
      Headers: { 'Pic-Operations': sdkPicOperations(`${name}-200.webp`) },
    });
    return { key, size: file.size, requestId: data.RequestId, ...(data as object) };
  }
}

@Module({ controllers: [UploadController] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  serveContender(
    { port: (app.getHttpServer().address() as AddressInfo).port },
    {
      process: (key) => async () =>
        countOutputs(
          await cos.request({
            Bucket: env.bucket,
            Region: env.region,
            Method: 'POST',
            Key: key,
            Action: 'image_process',
            Headers: { 'Pic-Operations': sdkPicOperations('processed-b.webp') },
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

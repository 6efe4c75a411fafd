/**
 * Contender C, the multer-cos pattern: multer disk storage writes each file to a temporary file, then the
 * official SDK uploads that file (`putObject` with a read stream and its length) with the same
 * `Pic-Operations` header, and the file is unlinked. Started by bench/main.bench.ts in its own process.
 */
import { Controller, Module, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FileInterceptor } from '@nestjs/platform-express';
import COS from 'cos-nodejs-sdk-v5';
import { diskStorage } from 'multer';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { contenderEnv, serveContender, sdkPicOperations } from '../support/contender-host';

const env = contenderEnv();
const cos = new COS({
  SecretId: env.secretId,
  SecretKey: env.secretKey,
  Protocol: 'http:',
  Proxy: env.emulatorUrl,
  ConfCwd: env.tmpDir,
});

const storage = diskStorage({
  destination: env.tmpDir,
  filename: (_req, _file, callback) => callback(null, `upload-${randomUUID()}`),
});

@Controller()
class UploadController {
  @Post('upload')
  @UseInterceptors(FileInterceptor('file', { storage, limits: { fileSize: 20 * 1024 * 1024 } }))
  async upload(@UploadedFile() file: Express.Multer.File) {
    const name = randomUUID();
    const key = `bench-c/${name}.jpg`;
    try {
      const data = await cos.putObject({
        Bucket: env.bucket,
        Region: env.region,
        Key: key,
        Body: createReadStream(file.path),
        ContentLength: file.size,
        ContentType: file.mimetype,
        Headers: { 'Pic-Operations': sdkPicOperations(`${name}-200.webp`) },
      });
      return { key, size: file.size, requestId: data.RequestId, ...(data as object) };
    } finally {
      await unlink(file.path);
    }
  }
}

@Module({ controllers: [UploadController] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  serveContender({ port: (app.getHttpServer().address() as AddressInfo).port }, {}, () => app.close());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

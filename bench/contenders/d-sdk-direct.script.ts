/**
 * Contender D, the ceiling: no Nest and no inbound upload at all. The official SDK sends bytes already in
 * memory straight to the emulator with the same `Pic-Operations` header (`putObject`), and processes stored
 * objects with `request({ Action: 'image_process' })`. The images are read at start-up (BENCH_IMAGES), so
 * they are part of the idle RSS. Started by bench/main.bench.ts in its own process.
 */
import COS from 'cos-nodejs-sdk-v5';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { contenderEnv, countOutputs, sdkPicOperations, serveContender } from '../support/contender-host';

const env = contenderEnv();
const cos = new COS({
  SecretId: env.secretId,
  SecretKey: env.secretKey,
  Protocol: 'http:',
  Proxy: env.emulatorUrl,
  ConfCwd: env.tmpDir,
});
const images = new Map<string, Buffer>(
  (JSON.parse(process.env.BENCH_IMAGES ?? '[]') as string[]).map((path) => [path, readFileSync(path)]),
);

serveContender(
  {},
  {
    upload: (imagePath) => {
      const bytes = images.get(imagePath);
      if (!bytes) throw new Error(`image ${imagePath} was not in BENCH_IMAGES`);
      return async () => {
        const name = randomUUID();
        const data = await cos.putObject({
          Bucket: env.bucket,
          Region: env.region,
          Key: `bench-d/${name}.jpg`,
          Body: bytes,
          ContentType: 'image/jpeg',
          Headers: { 'Pic-Operations': sdkPicOperations(`${name}-200.webp`) },
        });
        return countOutputs(data);
      };
    },
    process: (key) => async () =>
      countOutputs(
        await cos.request({
          Bucket: env.bucket,
          Region: env.region,
          Method: 'POST',
          Key: key,
          Action: 'image_process',
          Headers: { 'Pic-Operations': sdkPicOperations('processed-d.webp') },
        }),
      ),
  },
  () => undefined,
);

// Run in a child node with test/support/hide-sharp.js preloaded (sharp unresolvable): loads the emulator and
// testing entry points, serves storage with the store-only processor, and reports on stdout as one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import COS from 'cos-nodejs-sdk-v5';
import { EMULATOR_DEV_CREDENTIALS, startCiEmulator, storeOnlyPicProcessor } from '../../../emulator';
import * as testing from '../../../testing';

async function main(): Promise<void> {
  const confDir = mkdtempSync(join(tmpdir(), 'no-sharp-sdk-'));
  const report: Record<string, unknown> = { testingExports: Object.keys(testing).sort() };
  try {
    require.resolve('sharp');
    report.sharpHidden = false;
  } catch {
    report.sharpHidden = true;
  }
  const store = await startCiEmulator({}, { picProcessor: storeOnlyPicProcessor });
  const full = await startCiEmulator({});
  try {
    const sdk = (url: string) =>
      new COS({
        SecretId: EMULATOR_DEV_CREDENTIALS.secretId,
        SecretKey: EMULATOR_DEV_CREDENTIALS.secretKey,
        Protocol: 'http:',
        Proxy: url,
        ConfCwd: confDir,
      });
    const params = { Bucket: 'examplebucket-1250000000', Region: 'ap-guangzhou', Key: 'a.bin' };
    const cos = sdk(store.url);
    await cos.putObject({ ...params, Body: Buffer.from('stored without sharp') });
    await cos.appendObject({ ...params, Key: 'log.txt', Position: 0, Body: Buffer.from('appended') });
    report.stored = (await cos.getObject(params)).Body.toString();
    report.appended = (await store.getObject(params.Bucket, 'log.txt'))?.toString();
    // The default processor is built without sharp too; only a request that needs pixels loads it.
    const withPixels = sdk(full.url);
    await withPixels.putObject({ ...params, Key: 'plain.bin', Body: Buffer.from('no processing asked') });
    report.plainWithDefaultProcessor = (await full.getObject(params.Bucket, 'plain.bin'))?.toString();
    try {
      await withPixels.putObject({
        ...params,
        Key: 'p.jpg',
        Body: Buffer.from('not read'),
        Headers: {
          'Pic-Operations': JSON.stringify({
            rules: [{ fileid: 't.jpg', rule: 'imageMogr2/thumbnail/10x' }],
          }),
        },
      });
      report.processed = 'unexpectedly';
    } catch (error) {
      const e = error as { statusCode?: number; code?: string; message?: string };
      report.processed = { statusCode: e.statusCode, code: e.code, message: e.message };
    }
    report.objectsAfterRefusal = full.listObjects(params.Bucket).map((o) => o.key);
  } finally {
    await store.close();
    await full.close();
    rmSync(confDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

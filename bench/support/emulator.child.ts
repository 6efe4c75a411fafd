/**
 * The emulator every contender talks to, in its own process so its CPU is measured apart. Started by
 * bench/main.bench.ts; answers `reset` (drop every object, then collect the garbage) over IPC.
 */
import { startCiEmulator } from '../../emulator';
import { serveParent } from './child-process';

async function main(): Promise<void> {
  const bucket = process.env.BENCH_BUCKET ?? 'examplebucket-1250000000';
  const region = process.env.BENCH_REGION ?? 'ap-guangzhou';
  const emulator = await startCiEmulator({ port: 0, host: '127.0.0.1', buckets: [bucket], region });
  const credential = emulator.credentials[0]!;
  serveParent(
    { url: emulator.url, secretId: credential.secretId, secretKey: credential.secretKey },
    {
      reset: async () => {
        await emulator.reset();
        (globalThis as { gc?: () => void }).gc?.();
        return true;
      },
      objects: () => emulator.listObjects(bucket).length,
      // Requests served since the last reset (the log keeps the last 10 000).
      requests: () => emulator.requests.length,
    },
    () => emulator.close(),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * Soak (issue 13): contender A (this module on Nest/Express, or `--fastify`) under random faults at every step
 * of an upload and random client disconnects, for a bounded time. Reports uploads done, refused, disconnected,
 * and left behind (objects no successful answer reported, and open multipart uploads: both must be 0), and the
 * app's RSS after warm-up and at the end (after GC). Not part of `npm test`.
 *
 * Run: npm run soak -- [--seconds 120] [--concurrency 6] [--fastify]
 * Exits 1 when anything is left behind.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startCiEmulator, type CiFaultAction, type CiFaultOperation } from '../emulator';
import { CiClient } from '../lib/client';
import { BenchChild, killAllChildren, multipartBody, photoLikeJpeg, residentBytes } from './support';

const BUCKET = 'examplebucket-1250000000';
const REGION = 'ap-guangzhou';
const HEADERS_MS = 800;
const MiB = 1024 * 1024;

const OPERATIONS: CiFaultOperation[] = [
  'PutObject',
  'InitiateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'DeleteObject',
  'AbortMultipartUpload',
];
const ACTIONS: CiFaultAction[] = [
  { type: 'error', status: 500, code: 'InternalError' },
  { type: 'error', status: 503, code: 'SlowDown' },
  { type: 'reset', phase: 'request' },
  { type: 'reset', phase: 'response' },
  { type: 'stall' },
  { type: 'latency', ms: HEADERS_MS * 2 },
  { type: 'malformed-xml' },
];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

async function main(): Promise<void> {
  const seconds = option('--seconds', 120);
  const concurrency = option('--concurrency', 6);
  const fastify = process.argv.includes('--fastify');
  const emulator = await startCiEmulator({ port: 0, host: '127.0.0.1', buckets: [BUCKET], region: REGION });
  const credentials = emulator.credentials[0]!;
  const inspect = new CiClient({ bucket: BUCKET, region: REGION, endpoint: emulator.url, credentials });
  const workDir = mkdtempSync(join(tmpdir(), 'ci-soak-'));
  const app = await BenchChild.start<{ port: number }>('A', 'bench/contenders/a-ci-upload.app.ts', {
    args: fastify ? ['--fastify'] : [],
    nodeArgs: ['--expose-gc'],
    env: {
      BENCH_EMULATOR_URL: emulator.url,
      BENCH_SECRET_ID: credentials.secretId,
      BENCH_SECRET_KEY: credentials.secretKey,
      BENCH_BUCKET: BUCKET,
      BENCH_REGION: REGION,
      BENCH_TMP_DIR: workDir,
      BENCH_HEADERS_MS: String(HEADERS_MS),
    },
  });
  const pool = new Pool(`http://127.0.0.1:${app.ready.port}`, { connections: concurrency });
  try {
    const small = multipartBody(await photoLikeJpeg(200 * 1024));
    const large = multipartBody(await photoLikeJpeg(3 * MiB));
    const post = async (upload: typeof small) => {
      const res = await pool.request({
        method: 'POST',
        path: '/upload',
        headers: { 'content-type': upload.contentType },
        body: upload.body,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: res.statusCode < 300 ? JSON.parse(text) : undefined };
    };
    const reported = new Set<string>();
    const tally = { done: 0, refused: 0, disconnected: 0, faults: 0 };
    const record = (body: { key: string; imageInfo: { processResults: { key: string }[] } }) => {
      reported.add(body.key);
      for (const r of body.imageInfo.processResults) reported.add(r.key);
    };

    for (let i = 0; i < 20; i++) record((await post(small)).body);
    await app.call('gc');
    const rssStart = residentBytes(app.process.pid!);
    const heapStart = await app.call<NodeJS.MemoryUsage>('memory');

    /** A client that sends part of a large upload, then goes away. */
    const disconnect = () =>
      new Promise<void>((resolve) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port: app.ready.port,
          method: 'POST',
          path: '/upload',
          headers: { 'content-type': large.contentType, 'content-length': large.body.length },
        });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write(large.body.subarray(0, Math.floor(large.body.length * Math.random())), () =>
          setTimeout(() => req.destroy(), Math.random() * 200),
        );
      });

    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          if (Math.random() < 0.3) {
            emulator.faults.add({ match: { operation: pick(OPERATIONS) }, action: pick(ACTIONS) });
            tally.faults++;
          }
          if (Math.random() < 0.1) {
            await disconnect();
            tally.disconnected++;
            continue;
          }
          const answer = await post(Math.random() < 0.3 ? large : small).catch(() => ({
            status: 0,
            body: undefined,
          }));
          if (answer.status === 201) {
            tally.done++;
            record(answer.body);
          } else tally.refused++;
        }
      }),
    );
    emulator.faults.clear();
    // Let the background second looks run (2 x headersMs after each unknown outcome), then measure.
    await new Promise((r) => setTimeout(r, 4 * HEADERS_MS + 1000));
    await app.call('gc');
    const rssEnd = residentBytes(app.process.pid!);
    const heapEnd = await app.call<NodeJS.MemoryUsage>('memory');
    const objects = emulator.listObjects(BUCKET).map((o) => o.key);
    const leftBehind = objects.filter((k) => !reported.has(k));
    const openUploads = await inspect.listMultipartUploads();
    console.log(
      [
        `# Soak: ${seconds} s, ${concurrency} clients, A on Nest/${fastify ? 'Fastify' : 'Express'}, headersMs ${HEADERS_MS}`,
        '',
        '| uploads done | refused | client disconnects | faults injected | left behind | open multipart uploads | RSS after warm-up | RSS at the end | JS heap + external, start / end |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        `| ${tally.done} | ${tally.refused} | ${tally.disconnected} | ${tally.faults} | ${leftBehind.length} | ` +
          `${openUploads.length} | ${mib(rssStart)} MiB | ${mib(rssEnd)} MiB | ` +
          `${mib(heapStart.heapUsed + heapStart.external)} / ${mib(heapEnd.heapUsed + heapEnd.external)} MiB |`,
      ].join('\n'),
    );
    if (leftBehind.length) console.log(`left behind: ${leftBehind.slice(0, 10).join(', ')}`);
    if (openUploads.length) console.log(`open uploads: ${openUploads.map((u) => u.key).join(', ')}`);
    process.exitCode = leftBehind.length || openUploads.length ? 1 : 0;
  } finally {
    await pool.close();
    await app.stop();
    await inspect.close();
    await emulator.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  killAllChildren();
  process.exit(1);
});

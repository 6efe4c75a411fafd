/**
 * Soak (issue 13): contender A (this module on Nest/Express, or `--fastify`) under random faults at every step
 * of an upload (late commits included: `slow-processing`) and random client disconnects, for a bounded time.
 * Reports uploads done, refused, disconnected, and left behind (objects no successful answer reported, and open
 * multipart uploads: both must be 0), and the app's memory: RSS, heapUsed, external, arrayBuffers and open file
 * descriptors, each measured idle after a forced GC at three points: after warm-up, after the first quarter of
 * the run (the baseline: every code path, pool and cache has been used by then), and at the end. Not part of
 * `npm test`.
 *
 * Verdict on growth, end against the baseline: a leak is retained JS or Buffer memory, so it shows in heapUsed +
 * external after a full GC; more than {@link HEAP_TOLERANCE_BYTES} of growth there is "LEAK". RSS growth with a
 * flat heap is memory the allocator keeps after it was freed (glibc arenas, V8 pages kept for reuse): reported,
 * not a leak. Open descriptors (sockets, files) must come back to the baseline.
 *
 * Run: npm run soak -- [--seconds 120] [--concurrency 6] [--fastify] [--heap-snapshots DIR]
 * `--heap-snapshots DIR` also writes a V8 heap snapshot of the app at each sample into DIR (to diff in DevTools).
 * Exits 1 when anything is left behind, or on a leak.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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
/** Growth of heapUsed + external (after a forced GC, idle) from the baseline to the end that counts as a leak. */
const HEAP_TOLERANCE_BYTES = 4 * MiB;
/** Open descriptors above the baseline still allowed at the end (keep-alive sockets that outlived the wait). */
const FD_TOLERANCE = 4;
/** Idle time before a sample: second looks (2 x headersMs) done, idle keep-alive sockets (4-5 s) closed. */
const IDLE_MS = Math.max(4 * HEADERS_MS + 1000, 6_000);

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
  // CI commits after the client gave up (headersMs), before the second look (2 x headersMs later).
  { type: 'slow-processing', ms: Math.round(HEADERS_MS * 1.25) },
];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const signedMib = (bytes: number) => `${bytes >= 0 ? '+' : ''}${mib(bytes)}`;

/** The app's memory at one point, idle, after a forced GC. */
interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Open file descriptors (sockets included), from /proc. */
  fds: number;
}

/** Has the app write a heap snapshot (SIGUSR2) into `dir` and waits until the file is complete. */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  let size = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const now = statSync(join(dir, file)).size;
    if (now > 0 && now === size) return;
    size = now;
  }
}

function memoryTable(samples: [string, MemorySample][]): string {
  const rows = samples.map(
    ([when, m]) =>
      `| ${when} | ${mib(m.rss)} | ${mib(m.heapUsed)} | ${mib(m.heapTotal)} | ${mib(m.external)} | ` +
      `${mib(m.arrayBuffers)} | ${m.fds} |`,
  );
  return [
    '| app, idle after forced GC | RSS MiB | heapUsed MiB | heapTotal MiB | external MiB | arrayBuffers MiB | open fds |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** The verdict on growth from `base` to `end` (see the file's comment); `leak` says whether it failed. */
function growthVerdict(base: MemorySample, end: MemorySample): { text: string; leak: boolean } {
  const heap = end.heapUsed + end.external - (base.heapUsed + base.external);
  const rss = end.rss - base.rss;
  const fds = end.fds - base.fds;
  const figures =
    `heapUsed + external ${signedMib(heap)} MiB (tolerance ${mib(HEAP_TOLERANCE_BYTES)}), ` +
    `RSS ${signedMib(rss)} MiB, open fds ${fds >= 0 ? '+' : ''}${fds} (tolerance ${FD_TOLERANCE})`;
  if (heap > HEAP_TOLERANCE_BYTES) return { text: `LEAK: retained memory grew: ${figures}`, leak: true };
  if (fds > FD_TOLERANCE)
    return { text: `LEAK: descriptors (sockets or files) grew: ${figures}`, leak: true };
  const rssNote =
    rss > HEAP_TOLERANCE_BYTES
      ? 'RSS grew with a flat heap: memory the allocator keeps after it was freed, not a leak'
      : 'RSS flat';
  return { text: `no leak (${figures}); ${rssNote}`, leak: false };
}

async function main(): Promise<void> {
  const seconds = option('--seconds', 120);
  const concurrency = option('--concurrency', 6);
  const fastify = process.argv.includes('--fastify');
  const snapshotsAt = process.argv.indexOf('--heap-snapshots');
  const snapshotDir = snapshotsAt > 0 ? process.argv[snapshotsAt + 1] : undefined;
  const emulator = await startCiEmulator({ port: 0, host: '127.0.0.1', buckets: [BUCKET], region: REGION });
  const credentials = emulator.credentials[0]!;
  const inspect = new CiClient({ bucket: BUCKET, region: REGION, endpoint: emulator.url, credentials });
  const workDir = mkdtempSync(join(tmpdir(), 'ci-soak-'));
  const app = await BenchChild.start<{ port: number }>('A', 'bench/contenders/a-ci-upload.app.ts', {
    args: fastify ? ['--fastify'] : [],
    nodeArgs: [
      '--expose-gc',
      ...(snapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : []),
    ],
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

    /** Waits for the app to be idle (second looks done), forces a GC and reads its memory. */
    const sample = async (): Promise<MemorySample> => {
      await new Promise((r) => setTimeout(r, IDLE_MS));
      await app.call('gc');
      const usage = await app.call<NodeJS.MemoryUsage>('memory');
      if (snapshotDir) await heapSnapshot(app.process.pid!, snapshotDir);
      return {
        rss: residentBytes(app.process.pid!),
        heapUsed: usage.heapUsed,
        heapTotal: usage.heapTotal,
        external: usage.external,
        arrayBuffers: usage.arrayBuffers,
        fds: readdirSync(`/proc/${app.process.pid!}/fd`).length,
      };
    };

    for (let i = 0; i < 20; i++) record((await post(small)).body);
    const samples: [string, MemorySample][] = [['after warm-up (20 uploads)', await sample()]];

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

    /** Random uploads, faults and disconnects from `concurrency` clients for `ms`. */
    const load = (ms: number) => {
      const until = Date.now() + ms;
      return Promise.all(
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
    };

    const quarter = Math.round(seconds * 250);
    await load(quarter);
    emulator.faults.clear();
    samples.push([`baseline: after ${(quarter / 1000).toFixed(0)} s of load`, await sample()]);
    await load(seconds * 1000 - quarter);
    emulator.faults.clear();
    samples.push([`end: after ${seconds} s of load`, await sample()]);
    const verdict = growthVerdict(samples[1]![1], samples[2]![1]);
    const objects = emulator.listObjects(BUCKET).map((o) => o.key);
    const leftBehind = objects.filter((k) => !reported.has(k));
    const openUploads = await inspect.listMultipartUploads();
    console.log(
      [
        `# Soak: ${seconds} s, ${concurrency} clients, A on Nest/${fastify ? 'Fastify' : 'Express'}, headersMs ${HEADERS_MS}`,
        '',
        '| uploads done | refused | client disconnects | faults injected | left behind | open multipart uploads |',
        '| ---: | ---: | ---: | ---: | ---: | ---: |',
        `| ${tally.done} | ${tally.refused} | ${tally.disconnected} | ${tally.faults} | ${leftBehind.length} | ` +
          `${openUploads.length} |`,
        '',
        memoryTable(samples),
        '',
        `Growth, end against the baseline: ${verdict.text}`,
      ].join('\n'),
    );
    if (leftBehind.length) console.log(`left behind: ${leftBehind.slice(0, 10).join(', ')}`);
    if (openUploads.length) console.log(`open uploads: ${openUploads.map((u) => u.key).join(', ')}`);
    process.exitCode = leftBehind.length || openUploads.length || verdict.leak ? 1 : 0;
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

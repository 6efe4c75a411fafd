/**
 * Issue 2's memory claim, measured: `CiClient.upload` of 1 and 8 concurrent 20 MiB streams of unknown length
 * to the emulator (a loopback COS), in a fresh process each, printing the peak RSS growth against the bound
 * `max(threshold + partSize, (partConcurrency + 1) x partSize)` per upload.
 *
 * Run: node bench/run-ts.js bench/client-memory.bench.ts [--quick]
 * (bench/main.bench.ts runs it too and puts its rows in the main table.)
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CiClient } from '../lib/client';
import { CI_CLIENT_DEFAULTS } from '../lib/client/ci-client.options';
import { BenchChild, killAllChildren, serveParent } from './support/child-process';
import { peakResidentBytes, resetPeakResident, residentBytes } from './support/proc-stats';
import { median } from './support/stats';

const MiB = 1024 * 1024;

/** Where the uploads go: a running emulator and its key pair. */
export interface ClientMemoryTarget {
  url: string;
  secretId: string;
  secretKey: string;
  bucket: string;
  region: string;
  /** Drops what the previous measurement stored. */
  reset: () => Promise<unknown>;
}

/** One row: `streams` concurrent uploads of `bytes` each. */
export interface ClientMemoryRow {
  streams: number;
  bytes: number;
  /** Median peak RSS growth over the repetitions, in bytes. */
  growthBytes: number;
  /** Every repetition's growth, in bytes. */
  runs: number[];
  /** `streams` x the per-upload bound, in bytes. */
  boundBytes: number;
  failures: number;
}

/** The per-upload memory bound of the default tuning: max(threshold + partSize, (partConcurrency + 1) x partSize). */
export function perUploadBound(tuning = CI_CLIENT_DEFAULTS.upload): number {
  return Math.max(
    tuning.multipartThreshold + tuning.partSize,
    (tuning.partConcurrency + 1) * tuning.partSize,
  );
}

/**
 * A stream of `bytes` in fresh 64 KiB Buffers (as a socket or a file delivers them: no chunk is reused, so
 * whatever the client holds shows in the RSS).
 */
function generatedStream(bytes: number, chunkSize = 64 * 1024): Readable {
  const pattern = randomBytes(chunkSize);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return void this.push(null);
      const size = Math.min(chunkSize, bytes - sent);
      const chunk = Buffer.allocUnsafe(size);
      pattern.copy(chunk, 0, 0, size);
      sent += size;
      this.push(chunk);
    },
  });
}

/** The measuring child: a CiClient with the default tuning, driven by the parent over IPC. */
function serveMeasuringChild(): void {
  const client = new CiClient({
    bucket: process.env.BENCH_BUCKET!,
    region: process.env.BENCH_REGION!,
    credentials: { secretId: process.env.BENCH_SECRET_ID!, secretKey: process.env.BENCH_SECRET_KEY! },
    endpoint: process.env.BENCH_EMULATOR_URL!,
  });
  const uploadAll = async (streams: number, bytes: number) => {
    const results = await Promise.allSettled(
      Array.from({ length: streams }, (_, i) =>
        client.upload(`client-memory/${process.pid}-${Date.now()}-${i}.bin`, generatedStream(bytes), {
          contentType: 'application/octet-stream',
          signal: AbortSignal.timeout(120_000),
        }),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    return { failures: failed.length, firstError: failed[0] ? String(failed[0].reason) : undefined };
  };
  serveParent(
    {},
    {
      gc: async () => {
        const gc = (globalThis as { gc?: () => void }).gc!;
        gc();
        await new Promise((r) => setTimeout(r, 100));
        gc();
        return true;
      },
      run: (command) => uploadAll(Number(command.streams), Number(command.bytes)),
    },
    () => client.close(),
  );
}

/** Measures each stream count `repetitions` times, each time in a fresh child process. */
export async function measureClientMemory(
  target: ClientMemoryTarget,
  options: { streams: number[]; bytes: number; repetitions: number; log?: (line: string) => void },
): Promise<ClientMemoryRow[]> {
  const rows: ClientMemoryRow[] = [];
  for (const streams of options.streams) {
    const row: ClientMemoryRow = {
      streams,
      bytes: options.bytes,
      growthBytes: 0,
      runs: [],
      boundBytes: streams * perUploadBound(),
      failures: 0,
    };
    for (let rep = 0; rep < options.repetitions; rep++) {
      await target.reset();
      const child = await BenchChild.start('client-memory', 'bench/client-memory.bench.ts', {
        nodeArgs: ['--expose-gc'],
        env: {
          BENCH_CLIENT_MEMORY_CHILD: '1',
          BENCH_EMULATOR_URL: target.url,
          BENCH_SECRET_ID: target.secretId,
          BENCH_SECRET_KEY: target.secretKey,
          BENCH_BUCKET: target.bucket,
          BENCH_REGION: target.region,
        },
      });
      try {
        // Warm up: one multipart upload loads every code path and opens pool connections.
        const warm = await child.call<{ failures: number; firstError?: string }>('run', {
          streams: 1,
          bytes: perUploadBound() + MiB,
        });
        if (warm.failures) throw new Error(`client-memory warm-up failed: ${warm.firstError}`);
        await child.call('gc');
        const idle = residentBytes(child.pid);
        resetPeakResident(child.pid);
        const run = await child.call<{ failures: number; firstError?: string }>(
          'run',
          { streams, bytes: options.bytes },
          150_000,
        );
        const growth = peakResidentBytes(child.pid) - idle;
        row.runs.push(growth);
        row.failures += run.failures;
        if (run.failures) options.log?.(`client-memory ${streams} streams: ${run.firstError}`);
        options.log?.(`client-memory ${streams} x ${options.bytes / MiB} MiB: +${(growth / MiB).toFixed(1)} MiB`);
      } finally {
        await child.stop();
      }
    }
    row.growthBytes = median(row.runs);
    rows.push(row);
  }
  await target.reset();
  return rows;
}

/** Markdown rows for the client memory figures (used alone, and inside the main table). */
export function clientMemoryLines(rows: ClientMemoryRow[]): string[] {
  return rows.map(
    (r) =>
      `| CiClient.upload, ${r.streams} x ${(r.bytes / MiB).toFixed(0)} MiB stream(s): peak RSS growth (MiB) | ` +
      `${(r.growthBytes / MiB).toFixed(1)} | bound ${(r.boundBytes / MiB).toFixed(1)} | ` +
      `${(r.growthBytes / r.boundBytes).toFixed(2)} of bound | ${r.growthBytes <= r.boundBytes ? 'within' : 'OVER'} |`,
  );
}

async function standalone(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const emulator = await BenchChild.start<{ url: string; secretId: string; secretKey: string }>(
    'emulator',
    'bench/support/emulator.child.ts',
    { nodeArgs: ['--expose-gc'] },
  );
  const rows = await measureClientMemory(
    {
      url: emulator.ready.url,
      secretId: emulator.ready.secretId,
      secretKey: emulator.ready.secretKey,
      bucket: 'examplebucket-1250000000',
      region: 'ap-guangzhou',
      reset: () => emulator.call('reset'),
    },
    { streams: [1, 8], bytes: 20 * MiB, repetitions: quick ? 1 : 3, log: (l) => console.error(l) },
  );
  await emulator.stop();
  console.log('| measure | median | bound | ratio | verdict |\n| --- | ---: | ---: | ---: | --- |');
  console.log(clientMemoryLines(rows).join('\n'));
  if (rows.some((r) => r.failures)) process.exitCode = 1;
}

if (process.env.BENCH_CLIENT_MEMORY_CHILD === '1') {
  serveMeasuringChild();
} else if (resolve(process.argv[1] ?? '') === __filename) {
  standalone()
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(killAllChildren);
}

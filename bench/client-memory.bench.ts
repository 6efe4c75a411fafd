/**
 * Issue 2's memory claim, measured: `CiClient.upload` of 1 and 8 concurrent 20 MiB streams of unknown length
 * to the emulator (a loopback COS), in a fresh process each, printing the peak RSS growth against the bound
 * `max(threshold, partConcurrency x partSize) + partSize` per upload.
 *
 * Run: node bench/run-ts.js bench/client-memory.bench.ts [--quick]
 * (bench/main.bench.ts runs it too and puts its rows in the main table.)
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CI_CLIENT_DEFAULTS, CiClient } from '../lib/client';
// Not './support': this file is also the measuring child, which must not load sharp (its RSS is the figure).
import { BenchChild, killAllChildren, serveParent } from './support/child-process';
import { sampleLiveBuffers } from './support/live-buffers';
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
  /** Median peak RSS growth over the repetitions, in bytes (the OS view: includes garbage not yet collected). */
  growthBytes: number;
  /** Median peak of Buffer bytes still reachable after a forced GC, sampled every 10 ms (a separate process). */
  liveBytes: number;
  /** Every repetition's RSS growth and live peak, in bytes. */
  runs: Array<{ growth: number; live: number }>;
  /** `streams` x the per-upload bound, at most the client's budget, in bytes. */
  boundBytes: number;
  failures: number;
}

/** `+1.5` / `-0.2`: a growth can be negative when the process gave memory back. */
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

/**
 * The per-upload memory bound of a stream of unknown size with the default tuning: max(threshold,
 * partConcurrency x partSize) + partSize, the part size being chosen from the budget (`maxBufferedBytes / 8`,
 * between 1 and 8 MiB).
 */
export function perUploadBound(tuning = CI_CLIENT_DEFAULTS.upload): number {
  const MiB = 1024 * 1024;
  const partSize =
    tuning.partSize ?? Math.min(8 * MiB, Math.max(MiB, Math.floor(tuning.maxBufferedBytes / 8)));
  return Math.max(tuning.multipartThreshold, tuning.partConcurrency * partSize) + partSize;
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
  const gc = (globalThis as { gc?: () => void }).gc!;
  // With `sampleLive`: the peak of Buffer bytes still reachable, sampled every 10 ms, i.e. what the client
  // really holds, without the garbage that RSS shows until V8 collects it.
  const uploadAll = async (streams: number, bytes: number, sampleLive: boolean) => {
    const stopSampler = sampleLive ? sampleLiveBuffers() : undefined;
    const results = await Promise.allSettled(
      Array.from({ length: streams }, (_, i) =>
        client.upload(`client-memory/${process.pid}-${Date.now()}-${i}.bin`, generatedStream(bytes), {
          contentType: 'application/octet-stream',
          signal: AbortSignal.timeout(120_000),
        }),
      ),
    );
    const livePeak = stopSampler?.() ?? 0;
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    return {
      failures: failed.length,
      firstError: failed[0] ? String(failed[0].reason) : undefined,
      livePeak,
    };
  };
  serveParent(
    {},
    {
      gc: async () => {
        gc();
        await new Promise((r) => setTimeout(r, 100));
        gc();
        return true;
      },
      run: (command) =>
        uploadAll(Number(command.streams), Number(command.bytes), command.sampleLive === true),
    },
    () => client.close(),
  );
}

type RunReply = { failures: number; firstError?: string; livePeak: number };

/** Starts a measuring child, warms it up, runs `streams` uploads and returns its reply and RSS growth. */
async function measureOnce(
  target: ClientMemoryTarget,
  streams: number,
  bytes: number,
  sampleLive: boolean,
): Promise<RunReply & { growth: number }> {
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
    const warm = await child.call<RunReply>('run', { streams: 1, bytes: perUploadBound() + MiB });
    if (warm.failures) throw new Error(`client-memory warm-up failed: ${warm.firstError}`);
    await child.call('gc');
    const idle = residentBytes(child.pid);
    resetPeakResident(child.pid);
    const run = await child.call<RunReply>('run', { streams, bytes, sampleLive }, 150_000);
    return { ...run, growth: peakResidentBytes(child.pid) - idle };
  } finally {
    await child.stop();
  }
}

/**
 * Measures each stream count `repetitions` times. Each repetition runs two fresh child processes: one for the
 * RSS growth (untouched), one sampling live Buffer bytes (its forced GCs would lower the RSS figure), unless
 * `oneProcess`.
 */
export async function measureClientMemory(
  target: ClientMemoryTarget,
  options: {
    streams: number[];
    bytes: number;
    repetitions: number;
    /** Take both figures from one process (faster; the sampling GCs then lower the RSS figure). */
    oneProcess?: boolean;
    log?: (line: string) => void;
  },
): Promise<ClientMemoryRow[]> {
  const rows: ClientMemoryRow[] = [];
  for (const streams of options.streams) {
    const row: ClientMemoryRow = {
      streams,
      bytes: options.bytes,
      growthBytes: 0,
      liveBytes: 0,
      runs: [],
      boundBytes: Math.min(streams * perUploadBound(), CI_CLIENT_DEFAULTS.upload.maxBufferedBytes),
      failures: 0,
    };
    for (let rep = 0; rep < options.repetitions; rep++) {
      const sampled = await measureOnce(target, streams, options.bytes, true);
      const plain = options.oneProcess ? sampled : await measureOnce(target, streams, options.bytes, false);
      row.runs.push({ growth: plain.growth, live: sampled.livePeak });
      row.failures += plain.failures + sampled.failures;
      const error = plain.firstError ?? sampled.firstError;
      if (error) options.log?.(`client-memory ${streams} streams failed: ${error}`);
      options.log?.(
        `client-memory ${streams} x ${(options.bytes / MiB).toFixed(0)} MiB: RSS ${signed(plain.growth / MiB)} MiB, ` +
          `live Buffers ${(sampled.livePeak / MiB).toFixed(1)} MiB`,
      );
    }
    row.growthBytes = median(row.runs.map((r) => r.growth));
    row.liveBytes = median(row.runs.map((r) => r.live));
    rows.push(row);
  }
  await target.reset();
  return rows;
}

/** Markdown rows for the client memory figures, in the main table's columns (figure in A, bound in target). */
export function clientMemoryLines(rows: ClientMemoryRow[], columns: number): string[] {
  const mib = (b: number) => (b / MiB).toFixed(1);
  const blanks = ' — |'.repeat(columns);
  return rows.flatMap((r) => {
    const what = `CiClient.upload, ${r.streams} x ${(r.bytes / MiB).toFixed(0)} MiB stream${r.streams > 1 ? 's' : ''}`;
    const bound = `bound ${mib(r.boundBytes)} MiB (min(${r.streams} x ${mib(perUploadBound())}, budget))`;
    return [
      `| ${what}: peak RSS growth (MiB) | ${mib(r.growthBytes)} |${blanks} ${bound}: ${(r.growthBytes / r.boundBytes).toFixed(2)} of it |`,
      `| ${what}: peak live Buffers (MiB) | ${mib(r.liveBytes)} |${blanks} ${bound}: ${(r.liveBytes / r.boundBytes).toFixed(2)} of it |`,
    ];
  });
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
    {
      streams: [1, 8],
      bytes: 20 * MiB,
      repetitions: quick ? 1 : 3,
      oneProcess: quick,
      log: (l) => console.error(l),
    },
  );
  await emulator.stop();
  console.log('| measure (median) | CiClient | bound |\n| --- | ---: | --- |');
  console.log(clientMemoryLines(rows, 0).join('\n'));
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

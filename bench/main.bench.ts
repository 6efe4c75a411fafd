/**
 * This module against what users write instead, on one emulator, the same images and the same machine
 * (issue 7). Contenders (bench/contenders/, each in its own process):
 *   A  this module: `@CiUpload` with one thumbnail rule (cloud processing: `CiService.process`)
 *   B  `FileInterceptor` memory storage + the official SDK's `putObject` (processing: SDK `request`)
 *   C  multer disk storage + the SDK uploading the temporary file
 *   D  no Nest: the SDK sending bytes already in memory (the ceiling)
 *   E  the floor: a bare node:http server piping a raw (not multipart) body into one PUT with Content-Length
 *   AF A on Nest's Fastify platform (same app, `new FastifyAdapter()`): its column AF/A is the cost of Fastify
 * Scenarios, interleaved A B C D E AF per scenario and repeated: peak RSS growth, wall time and CPU for 8, 32
 * and 64 concurrent uploads of a 16 MiB JPEG (a fresh process each); uploads/s, p50/p99 and CPU per upload for
 * 200 KB JPEGs at concurrency 16;
 * cloud processing; A's CPU per 16 MiB direct upload (ticket + confirm, the bytes sent by the bench straight to the
 * emulator) against its proxied one; then CiClient's own memory (bench/client-memory.bench.ts). Prints one markdown table and
 * writes it to bench/results.md (not with --quick or --profile).
 *
 * Run: node bench/run-ts.js bench/main.bench.ts [--quick] [--profile] [--reps N] [--only memory,work,client]
 *      [--contenders A,B,C,D,E,AF]
 *   --quick    1 repetition, smaller counts and images, one process per contender: a smoke run under a minute
 *   --profile  profiles A's process during each measured batch (V8 CPU profile, as --cpu-prof but without the
 *              start-up) and prints where the time goes; figures then include the profiler's overhead
 * Exits 1 on a crash or when a contender fails requests; the figures themselves never fail the run.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { CI_CLIENT_DEFAULTS, CiClient } from '../lib/client';
import { clientMemoryLines, measureClientMemory, type ClientMemoryRow } from './client-memory.bench';
import {
  BenchChild,
  cpuSeconds,
  killAllChildren,
  median,
  multipartBody,
  peakResidentBytes,
  percentile,
  photoLikeJpeg,
  postUploads,
  REPO_ROOT,
  resetPeakResident,
  residentBytes,
  runPool,
  sdkPicOperations,
  summarizeCpuProfiles,
  THUMBNAIL_RULE,
  trickleUploads,
  type MultipartBody,
  type OperationRun,
} from './support';

const MiB = 1024 * 1024;
const BUCKET = 'examplebucket-1250000000';
const REGION = 'ap-guangzhou';
const PROCESS_SOURCE_KEY = 'bench/process-source.jpg';
/**
 * What A's peak RSS growth may add to its upload budget over the floor E (issue 14's "budget plus a fixed
 * overhead"): E holds no buffer at all, so its growth is what receiving at that concurrency costs any server
 * (socket chunks waiting for V8's next GC, connection buffers); A adds its budget, plus per connection the
 * multipart parser's and the file stream's buffers and Nest's request state, stated here as 16 MiB.
 */
const BUDGET_OVERHEAD_MIB = 16;

/** How big and how long: the full run, or the --quick smoke run. */
interface Settings {
  quick: boolean;
  profile: boolean;
  repetitions: number;
  bigBytes: number;
  /** Concurrencies of the large-upload batches; the first also gets the live-Buffers run. */
  memoryConcurrency: number[];
  smallBytes: number;
  smallCount: number;
  smallConcurrency: number;
  processCount: number;
  processConcurrency: number;
  /** Interleaved rounds of the small-upload and processing batches per repetition. */
  rounds: number;
  warmupCount: number;
  /** Extra warm-up at the measured concurrency before the first 200 KB batch. */
  smallWarmupCount: number;
  clientMemoryBytes: number;
  /** A fresh contender process per memory batch (full run) or one per contender for everything (--quick). */
  freshProcesses: boolean;
  /** Scenario groups to run (`--only memory,work,client`); all by default. */
  only: string[];
  /** Contenders to run (`--contenders A,B`); all by default. */
  contenders: string[];
  /** Deadline of one scenario batch. */
  deadlineMs: number;
  /** Slow large uploads kept trickling during the "200 KB while slow uploads trickle" batch, and their rate. */
  trickleCount: number;
  trickleBytesPerSecond: number;
}

function parseSettings(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const reps = Number(option('--reps') ?? 0);
  return {
    quick,
    profile: argv.includes('--profile'),
    repetitions: reps > 0 ? Math.min(reps, 20) : quick ? 1 : 3,
    bigBytes: quick ? 5 * MiB : 16 * MiB,
    memoryConcurrency: quick ? [8, 16] : [8, 32, 64],
    smallBytes: 200 * 1024,
    smallCount: quick ? 24 : 128,
    smallConcurrency: 16,
    processCount: quick ? 16 : 48,
    processConcurrency: 8,
    rounds: quick ? 1 : 3,
    warmupCount: quick ? 8 : 32,
    smallWarmupCount: quick ? 16 : 64,
    clientMemoryBytes: 20 * MiB,
    freshProcesses: !quick,
    only: (option('--only') ?? 'memory,work,client').split(','),
    contenders: (option('--contenders') ?? ALL_CONTENDERS).toUpperCase().split(','),
    deadlineMs: quick ? 45_000 : 180_000,
    trickleCount: 20,
    trickleBytesPerSecond: 256 * 1024,
  };
}

const ALL_CONTENDERS = 'A,B,C,D,E,AF';

/** A contender: its script, whether it serves HTTP uploads, and whether it offers cloud processing. */
interface Contender {
  id: 'A' | 'B' | 'C' | 'D' | 'E' | 'AF';
  title: string;
  script: string;
  /** Arguments of the script. */
  args?: string[];
  http: boolean;
  /** Its clients send the image as the raw body (E), not as a multipart form. */
  raw?: boolean;
  processing: boolean;
}

const CONTENDERS: Contender[] = [
  {
    id: 'A',
    title: 'A: this module',
    script: 'bench/contenders/a-ci-upload.app.ts',
    http: true,
    processing: true,
  },
  {
    id: 'B',
    title: 'B: memory + SDK',
    script: 'bench/contenders/b-memory-sdk.app.ts',
    http: true,
    processing: true,
  },
  {
    id: 'C',
    title: 'C: disk + SDK',
    script: 'bench/contenders/c-disk-sdk.app.ts',
    http: true,
    processing: false,
  },
  {
    id: 'D',
    title: 'D: SDK only',
    script: 'bench/contenders/d-sdk-direct.script.ts',
    http: false,
    processing: true,
  },
  {
    id: 'E',
    title: 'E: raw pipe (floor)',
    script: 'bench/contenders/e-raw-pipe.app.ts',
    http: true,
    raw: true,
    processing: false,
  },
  {
    id: 'AF',
    title: 'A on Fastify',
    script: 'bench/contenders/a-ci-upload.app.ts',
    args: ['--fastify'],
    http: true,
    processing: true,
  },
];

type ContenderId = Contender['id'];

/** Every repetition's value of one figure, per contender. */
type Samples = Map<string, Partial<Record<ContenderId, number[]>>>;

const benchStart = performance.now();
const log = (line: string) =>
  process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(1)} s] ${line}\n`);

class Bench {
  private readonly samples: Samples = new Map();
  private readonly failures: Partial<Record<ContenderId, string[]>> = {};
  private emulator!: BenchChild<{ url: string; secretId: string; secretKey: string }>;
  private client!: CiClient;
  private images!: {
    bigPath: string;
    smallPath: string;
    big: MultipartBody;
    small: MultipartBody;
    bigRaw: MultipartBody;
    smallRaw: MultipartBody;
    smallBytes: Buffer;
  };
  private processingLive = false;
  private processingNote = '';
  private clientMemory: ClientMemoryRow[] = [];
  private profileDir?: string;
  private readonly startedAt = new Date();
  private readonly loadAtStart = loadavg();

  constructor(
    private readonly settings: Settings,
    private readonly workDir: string,
  ) {}

  private record(figure: string, id: ContenderId, value: number): void {
    let byContender = this.samples.get(figure);
    if (!byContender) this.samples.set(figure, (byContender = {}));
    (byContender[id] ??= []).push(value);
  }

  private fail(id: ContenderId, what: string, run: { failures: number; firstError?: string }): void {
    if (!run.failures) return;
    const message = `${what}: ${run.failures} failed (${run.firstError})`;
    (this.failures[id] ??= []).push(message);
    log(`${id} ${message}`);
  }

  async prepare(): Promise<void> {
    const s = this.settings;
    log(`images: ${(s.bigBytes / MiB).toFixed(0)} MiB and ${(s.smallBytes / 1024).toFixed(0)} KiB JPEGs`);
    const big = await photoLikeJpeg(s.bigBytes, { sigma: 80, quality: 100 });
    const small = await photoLikeJpeg(s.smallBytes, { sigma: 30, quality: 85 });
    const bigPath = join(this.workDir, 'big.jpg');
    const smallPath = join(this.workDir, 'small.jpg');
    writeFileSync(bigPath, big);
    writeFileSync(smallPath, small);
    this.images = {
      bigPath,
      smallPath,
      big: multipartBody(big),
      small: multipartBody(small),
      bigRaw: { contentType: 'image/jpeg', body: big },
      smallRaw: { contentType: 'image/jpeg', body: small },
      smallBytes: small,
    };

    this.emulator = await BenchChild.start('emulator', 'bench/support/emulator.child.ts', {
      nodeArgs: ['--expose-gc'],
      env: { BENCH_BUCKET: BUCKET, BENCH_REGION: REGION },
    });
    const { url, secretId, secretKey } = this.emulator.ready;
    this.client = new CiClient({
      bucket: BUCKET,
      region: REGION,
      credentials: { secretId, secretKey },
      endpoint: url,
    });
    if (s.profile) {
      this.profileDir = mkdtempSync(join(tmpdir(), 'nestjs-tencent-ci-bench-prof-'));
      temporary.add(this.profileDir);
    }

    // Warm the emulator (its first decodes load codecs and fill libvips' caches) and probe ?image_process.
    log('warming the emulator');
    const picOperations = sdkPicOperations('warm-200.webp');
    await this.client.upload('bench/warm-big.jpg', big, { picOperations, contentType: 'image/jpeg' });
    for (let i = 0; i < 4; i++) {
      await this.client.upload(`bench/warm-${i}.jpg`, small, { picOperations, contentType: 'image/jpeg' });
    }
    await this.client.putObject(PROCESS_SOURCE_KEY, small, { contentType: 'image/jpeg' });
    try {
      const probe = await this.client.processObject(PROCESS_SOURCE_KEY, sdkPicOperations('probe-200.webp'));
      this.processingLive = true;
      this.processingNote = `?image_process answers with ${probe.imageInfo.processResults.length} output(s)`;
    } catch (error) {
      this.processingNote = `the emulator refused ?image_process (${(error as Error).message}): processing rows skipped`;
    }
    log(this.processingNote);
    await this.emulator.call('reset');
  }

  private contenderEnv(): NodeJS.ProcessEnv {
    const { url, secretId, secretKey } = this.emulator.ready;
    return {
      BENCH_EMULATOR_URL: url,
      BENCH_SECRET_ID: secretId,
      BENCH_SECRET_KEY: secretKey,
      BENCH_BUCKET: BUCKET,
      BENCH_REGION: REGION,
      BENCH_TMP_DIR: this.workDir,
      BENCH_IMAGES: JSON.stringify([this.images.bigPath, this.images.smallPath]),
    };
  }

  private startContender(c: Contender): Promise<BenchChild<{ port?: number }>> {
    return BenchChild.start(c.id, c.script, {
      args: c.args,
      nodeArgs: ['--expose-gc'],
      env: this.contenderEnv(),
      timeoutMs: 60_000,
    });
  }

  /** `count` uploads of `image`, `concurrency` at once: over HTTP from here, or inside D. */
  private async uploads(
    c: Contender,
    child: BenchChild<{ port?: number }>,
    image: 'big' | 'small',
    count: number,
    concurrency: number,
  ): Promise<OperationRun & { generatorCpuSeconds?: number }> {
    const deadlineMs = this.settings.deadlineMs;
    if (c.http) {
      return postUploads({
        port: child.ready.port!,
        path: '/upload',
        upload: this.images[c.raw ? (`${image}Raw` as const) : image],
        count,
        concurrency,
        deadlineMs,
      });
    }
    const arg = image === 'big' ? this.images.bigPath : this.images.smallPath;
    return child.call<OperationRun>('upload', { arg, count, concurrency, deadlineMs }, deadlineMs + 10_000);
  }

  /**
   * Warm-up (JIT, connection pools): small uploads only, so no large buffer is left around before the idle RSS
   * is read.
   */
  private async warmUp(c: Contender, child: BenchChild<{ port?: number }>, count: number): Promise<void> {
    const run = await this.uploads(c, child, 'small', count, 8);
    this.fail(c.id, 'warm-up', run);
  }

  /** Starts a contender process, warms it up, runs `body`, and always stops it and empties the emulator. */
  private async withContender(
    c: Contender,
    body: (child: BenchChild<{ port?: number }>) => Promise<void>,
  ): Promise<void> {
    const child = await this.startContender(c);
    try {
      await this.warmUp(c, child, this.settings.warmupCount);
      await body(child);
    } finally {
      await child.stop();
      await this.emulator.call('reset');
    }
  }

  /**
   * Peak RSS growth of a contender process receiving `concurrency` large uploads at once: GC, idle RSS, peak
   * reset (clear_refs), the batch, VmHWM.
   */
  private async memoryBatch(
    c: Contender,
    child: BenchChild<{ port?: number }>,
    concurrency: number,
  ): Promise<void> {
    await this.emulator.call('reset');
    await child.call('gc');
    const idle = residentBytes(child.pid);
    const profile = this.profileDir && c.id === 'A';
    if (profile) await child.call('profileStart');
    resetPeakResident(child.pid);
    const cpu0 = cpuSeconds(child.pid);
    const t0 = performance.now();
    const run = await this.uploads(c, child, 'big', concurrency, concurrency);
    const wallMs = performance.now() - t0;
    const requests = await this.emulator.call<number>('requests');
    const growth = peakResidentBytes(child.pid) - idle;
    const cpu = cpuSeconds(child.pid) - cpu0;
    if (profile) {
      await child.call('profileStop', {
        arg: join(this.profileDir!, `big-${concurrency}-${Date.now()}.cpuprofile`),
      });
    }
    this.fail(c.id, `${concurrency} x big`, run);
    const tag = `mem${concurrency}`;
    this.record(`${tag}.growth`, c.id, growth / MiB);
    this.record(`${tag}.idle`, c.id, idle / MiB);
    this.record(`${tag}.wall`, c.id, wallMs / 1000);
    this.record(`${tag}.cpu`, c.id, (cpu * 1000) / concurrency);
    this.record(`${tag}.outputs`, c.id, median(run.outputs));
    this.record(`${tag}.done`, c.id, run.latenciesMs.length);
    this.record('big.requests', c.id, requests / concurrency);
    let live = '';
    if (concurrency === this.settings.memoryConcurrency[0]) {
      // The same batch again, sampling the Buffer bytes still reachable (its forced GCs would have lowered
      // the RSS figure above): what the contender holds, apart from garbage V8 has not collected yet.
      await this.emulator.call('reset');
      await child.call('liveStart');
      this.fail(
        c.id,
        `${concurrency} x big (sampled)`,
        await this.uploads(c, child, 'big', concurrency, concurrency),
      );
      const peak = await child.call<number>('liveStop');
      this.record(`${tag}.live`, c.id, peak / MiB);
      live = `, live Buffers ${(peak / MiB).toFixed(1)} MiB`;
    }
    log(
      `${c.id} ${concurrency} x ${(this.settings.bigBytes / MiB).toFixed(0)} MiB: +${(growth / MiB).toFixed(1)} MiB ` +
        `peak RSS (idle ${(idle / MiB).toFixed(0)} MiB), ${(wallMs / 1000).toFixed(2)} s, ` +
        `${((cpu * 1000) / concurrency).toFixed(0)} ms CPU/upload${live}`,
    );
  }

  /**
   * A's CPU per large upload when the bytes never cross it: per upload, a ticket (`POST /direct/ticket`), the PUT
   * from here straight to the emulator (the "browser"), and the confirm (`POST /direct/confirm`), `concurrency` at
   * once. Only the app's CPU is counted, as for the proxied figure it is set against.
   */
  private async directBatch(
    c: Contender,
    child: BenchChild<{ port?: number }>,
    concurrency: number,
  ): Promise<void> {
    if (c.id !== 'A') return;
    await this.emulator.call('reset');
    const bytes = this.images.bigRaw.body;
    const app = `http://127.0.0.1:${child.ready.port!}`;
    const postJson = async (path: string, body: unknown) => {
      const res = await request(app + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.body.json()) as Record<string, unknown>;
      if (res.statusCode >= 300) throw new Error(`${path}: ${res.statusCode} ${JSON.stringify(json)}`);
      return json;
    };
    const run = { failures: 0, firstError: undefined as string | undefined, done: 0 };
    const cpu0 = cpuSeconds(child.pid);
    const t0 = performance.now();
    await runPool(concurrency, concurrency, async () => {
      try {
        const ticket = await postJson('/direct/ticket', { contentType: 'image/jpeg', size: bytes.length });
        const put = await request(ticket.url as string, {
          method: 'PUT',
          headers: ticket.headers as Record<string, string>,
          body: bytes,
        });
        await put.body.dump();
        if (put.statusCode !== 200) throw new Error(`PUT to storage: ${put.statusCode}`);
        await postJson('/direct/confirm', { token: ticket.token });
        run.done++;
      } catch (error) {
        run.failures++;
        run.firstError ??= (error as Error).message;
      }
    });
    const wallMs = performance.now() - t0;
    const cpu = cpuSeconds(child.pid) - cpu0;
    this.fail(c.id, `${concurrency} x big direct`, run);
    this.record(`mem${concurrency}.direct`, c.id, (cpu * 1000) / concurrency);
    log(
      `${c.id} ${concurrency} x ${(this.settings.bigBytes / MiB).toFixed(0)} MiB direct (ticket + confirm): ` +
        `${(wallMs / 1000).toFixed(2)} s, ${((cpu * 1000) / concurrency).toFixed(0)} ms app CPU/upload`,
    );
  }

  /** Throughput, latency and CPU per upload for small uploads at a fixed count and concurrency. */
  private async smallBatch(c: Contender, child: BenchChild<{ port?: number }>, warm: boolean): Promise<void> {
    const s = this.settings;
    await this.emulator.call('reset');
    if (warm) {
      // A last warm-up at the measured concurrency (the JIT settles over the first few hundred requests).
      const run = await this.uploads(c, child, 'small', s.smallWarmupCount, s.smallConcurrency);
      this.fail(c.id, 'warm-up', run);
      await this.emulator.call('reset');
    }
    const profile = this.profileDir && c.id === 'A';
    if (profile) await child.call('profileStart');
    const emu0 = cpuSeconds(this.emulator.pid);
    const cpu0 = cpuSeconds(child.pid);
    const t0 = performance.now();
    const run = await this.uploads(c, child, 'small', s.smallCount, s.smallConcurrency);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(child.pid) - cpu0;
    const emu = cpuSeconds(this.emulator.pid) - emu0;
    if (profile) {
      await child.call('profileStop', { arg: join(this.profileDir!, `small-${Date.now()}.cpuprofile`) });
    }
    this.fail(c.id, `${s.smallCount} x small`, run);
    const ok = run.latenciesMs.length;
    this.record('small.rate', c.id, ok / wallS);
    this.record('small.p50', c.id, percentile(run.latenciesMs, 50));
    this.record('small.p99', c.id, percentile(run.latenciesMs, 99));
    this.record('small.cpu', c.id, (cpu * 1000) / Math.max(1, ok));
    this.record('small.emu', c.id, (100 * emu) / wallS);
    this.record('small.outputs', c.id, median(run.outputs));
    if (run.generatorCpuSeconds !== undefined) {
      this.record('small.generator', c.id, (100 * run.generatorCpuSeconds) / wallS);
    }
    log(
      `${c.id} ${s.smallCount} x 200 KB @${s.smallConcurrency}: ${(ok / wallS).toFixed(1)}/s, p50 ` +
        `${percentile(run.latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(run.latenciesMs, 99).toFixed(1)} ms, ` +
        `${((cpu * 1000) / Math.max(1, ok)).toFixed(1)} ms CPU/upload, emulator ${((100 * emu) / wallS).toFixed(0)} %`,
    );
  }

  /**
   * The 200 KB batch again while `trickleCount` clients trickle 16 MiB uploads at about 256 KiB/s each (slow
   * clients holding large uploads open): p99 and failed requests (503 or other) of the small ones.
   */
  private async trickleBatch(c: Contender, child: BenchChild<{ port?: number }>): Promise<void> {
    const s = this.settings;
    if (!c.http) return;
    await this.emulator.call('reset');
    const upload = this.images[c.raw ? 'bigRaw' : 'big'];
    const trickle = trickleUploads({
      port: child.ready.port!,
      path: '/upload',
      upload,
      count: s.trickleCount,
      bytesPerSecond: s.trickleBytesPerSecond,
    });
    let run: OperationRun;
    try {
      // Let the slow ones get going (their uploads start and take whatever they take) first.
      await new Promise((r) => setTimeout(r, 1000));
      run = await this.uploads(c, child, 'small', s.smallCount, s.smallConcurrency);
    } finally {
      trickle.stop();
    }
    const refused = trickle.statuses.filter((status) => status === 503).length;
    this.fail(c.id, `${s.smallCount} x small while ${s.trickleCount} trickle`, run);
    this.record('trickle.p99', c.id, percentile(run.latenciesMs, 99));
    this.record('trickle.failed', c.id, run.failures + refused);
    log(
      `${c.id} ${s.smallCount} x 200 KB while ${s.trickleCount} x ${(upload.body.length / MiB).toFixed(0)} MiB ` +
        `trickle: p99 ${percentile(run.latenciesMs, 99).toFixed(1)} ms, ${run.failures} failed, ` +
        `${refused} slow ones answered 503`,
    );
  }

  /** Cloud processing of one stored 200 KB image: calls/s, p50 and CPU per call, measured in the contender. */
  private async processBatch(
    c: Contender,
    child: BenchChild<{ port?: number }>,
    warm: boolean,
  ): Promise<void> {
    const s = this.settings;
    if (!c.processing || !this.processingLive) return;
    await this.emulator.call('reset');
    await this.client.putObject(PROCESS_SOURCE_KEY, this.images.smallBytes, { contentType: 'image/jpeg' });
    const call = (count: number, concurrency: number) =>
      child.call<OperationRun>(
        'process',
        { arg: PROCESS_SOURCE_KEY, count, concurrency, deadlineMs: s.deadlineMs },
        s.deadlineMs + 10_000,
      );
    if (warm) {
      this.fail(c.id, 'processing warm-up', await call(2 * s.processConcurrency, s.processConcurrency));
    }
    const cpu0 = cpuSeconds(child.pid);
    const t0 = performance.now();
    const run = await call(s.processCount, s.processConcurrency);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(child.pid) - cpu0;
    this.fail(c.id, `${s.processCount} x processing`, run);
    const ok = run.latenciesMs.length;
    this.record('proc.rate', c.id, ok / wallS);
    this.record('proc.p50', c.id, percentile(run.latenciesMs, 50));
    this.record('proc.cpu', c.id, (cpu * 1000) / Math.max(1, ok));
    this.record('proc.outputs', c.id, median(run.outputs));
    log(
      `${c.id} ${s.processCount} x processing @${s.processConcurrency}: ${(ok / wallS).toFixed(1)}/s, p50 ` +
        `${percentile(run.latenciesMs, 50).toFixed(1)} ms, ${((cpu * 1000) / Math.max(1, ok)).toFixed(1)} ms CPU/call`,
    );
  }

  async run(): Promise<void> {
    const s = this.settings;
    const contenders = CONTENDERS.filter((c) => s.contenders.includes(c.id));
    const memory = s.only.includes('memory');
    const work = s.only.includes('work');
    for (let rep = 1; rep <= s.repetitions; rep++) {
      log(`repetition ${rep} of ${s.repetitions}`);
      if (memory && s.freshProcesses) {
        // A fresh process per memory batch: its idle and peak owe nothing to an earlier batch.
        for (const concurrency of s.memoryConcurrency) {
          for (const c of contenders) {
            await this.withContender(c, async (child) => {
              await this.memoryBatch(c, child, concurrency);
              if (concurrency === s.memoryConcurrency[0]) await this.directBatch(c, child, concurrency);
            });
          }
        }
      }
      if (!work && (s.freshProcesses || !memory)) continue;
      // One process per contender, all started and warmed up, then batches in rounds A B C D A B C D ...
      // so that whatever else the machine does hits every contender alike.
      const children = new Map<ContenderId, BenchChild<{ port?: number }>>();
      try {
        for (const c of contenders) {
          const child = await this.startContender(c);
          children.set(c.id, child);
          await this.warmUp(c, child, s.warmupCount);
        }
        if (memory && !s.freshProcesses) {
          for (const concurrency of s.memoryConcurrency) {
            for (const c of contenders) {
              await this.memoryBatch(c, children.get(c.id)!, concurrency);
              if (concurrency === s.memoryConcurrency[0])
                await this.directBatch(c, children.get(c.id)!, concurrency);
            }
          }
        }
        if (work) {
          for (let round = 0; round < s.rounds; round++) {
            for (const c of contenders) await this.smallBatch(c, children.get(c.id)!, round === 0);
          }
          for (const c of contenders) await this.trickleBatch(c, children.get(c.id)!);
          for (let round = 0; round < s.rounds; round++) {
            for (const c of contenders) await this.processBatch(c, children.get(c.id)!, round === 0);
          }
        }
      } finally {
        for (const child of children.values()) await child.stop();
        await this.emulator.call('reset');
      }
    }
    if (!s.only.includes('client')) return;
    const { url, secretId, secretKey } = this.emulator.ready;
    this.clientMemory = await measureClientMemory(
      { url, secretId, secretKey, bucket: BUCKET, region: REGION, reset: () => this.emulator.call('reset') },
      { streams: [1, 8], bytes: s.clientMemoryBytes, repetitions: s.repetitions, oneProcess: s.quick, log },
    );
  }

  async close(): Promise<void> {
    await this.client?.close();
    await this.emulator?.stop();
  }

  /** The failures seen, one line each (empty when every request succeeded). */
  failureLines(): string[] {
    const lines = Object.entries(this.failures).flatMap(([id, list]) => list!.map((l) => `${id}: ${l}`));
    if (this.clientMemory.some((r) => r.failures)) lines.push('CiClient memory run: uploads failed');
    return lines;
  }

  private value(figure: string, id: ContenderId): number | undefined {
    const values = this.samples.get(figure)?.[id];
    return values?.length ? median(values) : undefined;
  }

  /** The one markdown table: figures (medians), ratios of A to each other, and the issue's targets. */
  table(): string {
    const s = this.settings;
    const big = `${(s.bigBytes / MiB).toFixed(0)} MiB`;
    const small = `${(s.smallCount / 1).toFixed(0)} x 200 KB @ ${s.smallConcurrency}`;
    const m1 = s.memoryConcurrency[0]!;
    const scale = s.memoryConcurrency.slice(1);
    type Target = {
      versus: ContenderId | 'budget' | 'own p99' | 'count' | 'proxied';
      limit: number;
      atMost: boolean;
    };
    type Row = { label: string; figure: string; digits: number; targets?: Target[] };
    const budgetMiB = CI_CLIENT_DEFAULTS.upload.maxBufferedBytes / MiB;
    const rows: Row[] = [
      ...s.memoryConcurrency.map((m) => ({
        label: `Peak RSS growth, ${m} x ${big} (MiB)`,
        figure: `mem${m}.growth`,
        digits: 1,
        targets:
          m >= 32
            ? [{ versus: 'budget' as const, limit: budgetMiB + BUDGET_OVERHEAD_MIB, atMost: true }]
            : undefined,
      })),
      { label: `Peak live Buffers, ${m1} x ${big}, sampled run (MiB)`, figure: `mem${m1}.live`, digits: 1 },
      { label: 'Idle RSS after warm-up, before the batch (MiB)', figure: `mem${m1}.idle`, digits: 0 },
      ...s.memoryConcurrency.map((m) => ({
        label: `Wall time, ${m} x ${big} (s)`,
        figure: `mem${m}.wall`,
        digits: 2,
        targets: [{ versus: 'B' as const, limit: 1, atMost: true }],
      })),
      ...scale.map((m) => ({ label: `Uploads completed, ${m} x ${big}`, figure: `mem${m}.done`, digits: 0 })),
      {
        label: `Requests sent to COS/CI per ${big} upload`,
        figure: 'big.requests',
        digits: 1,
        targets: [{ versus: 'count' as const, limit: 4, atMost: true }],
      },
      ...s.memoryConcurrency.map((m) => ({
        label: `CPU per ${big} upload, ${m} at once (ms)`,
        figure: `mem${m}.cpu`,
        digits: 0,
        targets: [
          { versus: 'B' as const, limit: 0.9, atMost: true },
          { versus: 'E' as const, limit: 2, atMost: true },
        ],
      })),
      {
        label: `CPU per ${big} upload, ${m1} at once, direct: ticket + confirm, bytes not through the app (ms)`,
        figure: `mem${m1}.direct`,
        digits: 0,
        targets: [{ versus: 'proxied', limit: 1, atMost: true }],
      },
      {
        label: `Uploads/s, ${small}`,
        figure: 'small.rate',
        digits: 1,
      },
      { label: 'Latency p50, 200 KB (ms)', figure: 'small.p50', digits: 1 },
      { label: 'Latency p99, 200 KB (ms)', figure: 'small.p99', digits: 1 },
      {
        label: `200 KB p99 while ${s.trickleCount} slow ${big} uploads trickle (ms)`,
        figure: 'trickle.p99',
        digits: 1,
        targets: [{ versus: 'own p99' as const, limit: 2, atMost: true }],
      },
      {
        label: `Failed requests (503 or other) while ${s.trickleCount} slow ${big} uploads trickle`,
        figure: 'trickle.failed',
        digits: 0,
      },
      {
        label: 'CPU per 200 KB upload (ms)',
        figure: 'small.cpu',
        digits: 2,
        targets: [{ versus: 'E', limit: 2, atMost: true }],
      },
      { label: 'Emulator CPU during the 200 KB run (% of one core)', figure: 'small.emu', digits: 0 },
      {
        label: 'Load generator CPU during the 200 KB run (% of one core)',
        figure: 'small.generator',
        digits: 0,
      },
      { label: `Thumbnails per upload in the answer (200 KB / ${big})`, figure: 'outputs', digits: 0 },
    ];
    if (this.processingLive) {
      rows.push(
        {
          label: `Cloud processing calls/s, ${s.processCount} @ ${s.processConcurrency}`,
          figure: 'proc.rate',
          digits: 1,
        },
        { label: 'Cloud processing p50 (ms)', figure: 'proc.p50', digits: 1 },
        { label: 'CPU per cloud processing call (ms)', figure: 'proc.cpu', digits: 2 },
      );
    }
    const ids: ContenderId[] = ['A', 'B', 'C', 'D', 'E', 'AF'];
    const versus: ContenderId[] = ['B', 'C', 'D', 'E'];
    const header =
      `| Median | ${ids.map((id) => CONTENDERS.find((c) => c.id === id)!.title).join(' | ')} | ` +
      `${versus.map((v) => `A/${v}`).join(' | ')} | AF/A | Target (issue 22) |\n` +
      `| --- | ${ids.map(() => '---:').join(' | ')} | ${versus.map(() => '---:').join(' | ')} | ---: | --- |`;
    const blanks = versus.map(() => '').join(' | ');
    const lines = rows.map((row) => {
      if (row.figure === 'outputs') {
        const cells = ids.map((id) => {
          const a = this.value('small.outputs', id);
          const b = this.value(`mem${m1}.outputs`, id);
          return a === undefined && b === undefined ? '—' : `${a ?? '—'} / ${b ?? '—'}`;
        });
        return `| ${row.label} | ${cells.join(' | ')} | ${blanks} | | 1 with processing live |`;
      }
      const values = ids.map((id) => this.value(row.figure, id));
      const cells = values.map((v) => (v === undefined ? '—' : v.toFixed(row.digits)));
      const a = values[0];
      const of = (id: ContenderId) => values[ids.indexOf(id)];
      const ratio = (x: number | undefined, y: number | undefined) =>
        x === undefined || y === undefined || y === 0 ? '—' : `${(x / y).toFixed(2)}`;
      const ratios = [...versus.map((v) => ratio(a, of(v))), ratio(of('AF'), a)];
      const targets = (row.targets ?? []).map((t) => this.targetText(t, row.figure, of));
      return `| ${row.label} | ${cells.join(' | ')} | ${ratios.join(' | ')} | ${targets.join('; ')} |`;
    });
    const memory = clientMemoryLines(this.clientMemory, ids.length + versus.length);
    return [header, ...lines, ...memory].join('\n');
  }

  /** One target of issue 22 on one row: what it asks, and met or missed. */
  private targetText(
    t: { versus: ContenderId | 'budget' | 'own p99' | 'count' | 'proxied'; limit: number; atMost: boolean },
    figure: string,
    of: (id: ContenderId) => number | undefined,
  ): string {
    const budgetMiB = CI_CLIENT_DEFAULTS.upload.maxBufferedBytes / MiB;
    const check = (measured: number | undefined) =>
      measured === undefined || Number.isNaN(measured)
        ? 'n/a'
        : (t.atMost ? measured <= t.limit : measured >= t.limit)
          ? '**met**'
          : '**missed**';
    const a = of('A');
    if (t.versus === 'budget') {
      const floor = of('E');
      const measured = a !== undefined && floor !== undefined ? a - floor : undefined;
      return `A - E <= budget ${budgetMiB} + ${BUDGET_OVERHEAD_MIB} MiB: ${check(measured)}`;
    }
    if (t.versus === 'count') return `A <= ${t.limit}: ${check(a)}`;
    if (t.versus === 'proxied') {
      // The direct figure against A's own proxied one (issue 20): the share of the app's CPU left.
      const proxied = this.value(`mem${this.settings.memoryConcurrency[0]}.cpu`, 'A');
      return a === undefined || !proxied
        ? 'direct/proxied: n/a'
        : `direct/proxied (A): ${(a / proxied).toFixed(2)}`;
    }
    if (t.versus === 'own p99') {
      // Each of A and A on Fastify against its own p99 without the slow uploads.
      return (['A', 'AF'] as const)
        .map((id) => {
          const own = this.value('small.p99', id);
          const value = this.value(figure, id);
          const measured = value !== undefined && own ? value / own : undefined;
          return `${id} <= ${t.limit} x own p99: ${check(measured)} (${measured?.toFixed(2) ?? '—'})`;
        })
        .join('; ');
    }
    const other = of(t.versus);
    const measured = a !== undefined && other ? a / other : undefined;
    return `A/${t.versus} ${t.atMost ? '<=' : '>='} ${t.limit}: ${check(measured)}`;
  }

  /** The lines above the table: when, where, and with what. */
  header(): string {
    const s = this.settings;
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(' ');
    const batches = s.repetitions * s.rounds;
    return [
      `# Benchmarks: this module against what users write instead${s.quick ? ' (quick run)' : ''}`,
      '',
      `Run ${this.startedAt.toISOString()} on Node ${process.version}, ${availableParallelism()} CPUs (${cpu}); ` +
        `load average ${load(this.loadAtStart)} at the start, ${load(loadavg())} at the end. Medians of ` +
        `${s.repetitions} batch(es) per contender for memory (a ${s.freshProcesses ? 'fresh' : 'shared'} process ` +
        `each), ${batches} for 200 KB uploads and processing (rounds A B C D A B C D ...), every contender in its ` +
        `own process, one emulator process for all (${this.processingNote}). Rule \`${THUMBNAIL_RULE}\`.`,
      '',
    ].join('\n');
  }

  /** Where A's CPU went, per kind of batch (large uploads at each concurrency, 200 KB uploads). */
  profileReport(): string {
    if (!this.profileDir) return '';
    const files = readdirSync(this.profileDir).filter((f) => f.endsWith('.cpuprofile'));
    const kinds = [...new Set(files.map((f) => f.replace(/-\d+\.cpuprofile$/, '')))];
    return kinds
      .map((kind) => {
        const paths = files.filter((f) => f.startsWith(`${kind}-`)).map((f) => join(this.profileDir!, f));
        return `## A, ${kind} batches\n\n${summarizeCpuProfiles(paths, REPO_ROOT)}`;
      })
      .join('\n\n');
  }
}

const NOTES = `
Notes. Peak RSS growth: VmHWM of the app process minus its RSS after warm-up and GC (the peak is reset with
/proc/<pid>/clear_refs just before the batch). Peak live Buffers: the same batch again in the same process,
with two forced GCs every 10 ms and the Buffer bytes still reachable after them (what the contender really
holds; the RSS figure also counts garbage V8 has not collected yet). CPU: utime + stime of the app process over the batch (D: the
SDK script, which also generates its own load). Latency: from the request's start to the last byte of the
answer, measured by an undici client in the bench process (D: inside the script, around each SDK call, so D
has no inbound hop at all). Emulator CPU share: its process's CPU over the batch's wall time (100 % = one
core); it processes every thumbnail with sharp, for all contenders alike, and on 2 cores it is what bounds the
200 KB throughput of everyone. Idle RSS includes what bench/run-ts.js costs (swc compiles every TypeScript
file at start-up; A compiles lib/ too), so compare growth, not idle figures. CiClient rows: a fresh process per
measure, uploading to the emulator; "live Buffers" is the peak of Buffer memory still reachable after two
forced GCs, sampled every 10 ms (what the client holds); RSS growth also counts garbage V8 has not collected.
`;

/** Temporary directories to remove however the run ends (an interrupt skips `finally` blocks). */
const temporary = new Set<string>();

function cleanUp(): void {
  killAllChildren();
  for (const path of temporary) rmSync(path, { recursive: true, force: true });
  temporary.clear();
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const workDir = mkdtempSync(join(tmpdir(), 'nestjs-tencent-ci-bench-'));
  temporary.add(workDir);
  const bench = new Bench(settings, workDir);
  const started = performance.now();
  try {
    await bench.prepare();
    await bench.run();
    await bench.close();
    const output = `${bench.header()}\n${bench.table()}\n`;
    process.stdout.write(output);
    const failures = bench.failureLines();
    if (failures.length) {
      process.stdout.write(`\nFailed requests:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
      process.exitCode = 1;
    }
    if (settings.profile) {
      process.stdout.write(`\n${bench.profileReport()}\n`);
    } else if (
      !settings.quick &&
      !failures.length &&
      settings.only.length === 3 &&
      settings.contenders.join(',') === ALL_CONTENDERS
    ) {
      writeFileSync(join(REPO_ROOT, 'bench', 'results.md'), `${output}${NOTES}`);
      log('wrote bench/results.md');
    }
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    cleanUp();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}
process.once('exit', cleanUp);

main().catch((error: unknown) => {
  console.error(error);
  cleanUp();
  process.exitCode = 1;
});

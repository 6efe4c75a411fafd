import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import { serveParent, type ChildCommand } from './child-process';
import { sampleLiveBuffers } from './live-buffers';
import { runPool } from './stats';

/** Environment a contender child reads: where the emulator is and which key pair it accepts. */
export interface ContenderEnv {
  emulatorUrl: string;
  secretId: string;
  secretKey: string;
  bucket: string;
  region: string;
  /** Directory for temporary files (contender C). */
  tmpDir: string;
}

/** Reads {@link ContenderEnv} from `BENCH_*` variables set by the bench. */
export function contenderEnv(): ContenderEnv {
  const get = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run this through bench/main.bench.ts`);
    return value;
  };
  return {
    emulatorUrl: get('BENCH_EMULATOR_URL'),
    secretId: get('BENCH_SECRET_ID'),
    secretKey: get('BENCH_SECRET_KEY'),
    bucket: get('BENCH_BUCKET'),
    region: get('BENCH_REGION'),
    tmpDir: get('BENCH_TMP_DIR'),
  };
}

/** What a run of operations inside a contender process measured. */
export interface OperationRun {
  /** Latency of each successful operation, in ms. */
  latenciesMs: number[];
  /** Outputs (thumbnails) each successful operation reported. */
  outputs: number[];
  failures: number;
  firstError?: string;
  wallMs: number;
}

/** One operation: resolves with the number of outputs CI reported. */
export type Operation = (index: number) => Promise<number>;

/** Runs `count` operations, `concurrency` at once, each bounded by the deadline. */
export async function measureOperations(
  count: number,
  concurrency: number,
  deadlineMs: number,
  operation: Operation,
): Promise<OperationRun> {
  const run: OperationRun = { latenciesMs: [], outputs: [], failures: 0, wallMs: 0 };
  const deadline = performance.now() + deadlineMs;
  const started = performance.now();
  await runPool(count, concurrency, async (index) => {
    if (performance.now() > deadline) {
      run.failures++;
      run.firstError ??= `deadline of ${deadlineMs} ms passed`;
      return;
    }
    const t0 = performance.now();
    try {
      const outputs = await operation(index);
      run.latenciesMs.push(performance.now() - t0);
      run.outputs.push(outputs);
    } catch (error) {
      run.failures++;
      run.firstError ??= error instanceof Error ? error.message : JSON.stringify(error);
    }
  });
  run.wallMs = performance.now() - started;
  return run;
}

/** Operations a contender offers besides its HTTP route. */
export interface ContenderOperations {
  /** Uploads the image at `imagePath` once (contender D, which has no HTTP route). */
  upload?: (imagePath: string) => Operation | Promise<Operation>;
  /** Processes the stored object `key` once (cloud data processing). */
  process?: (key: string) => Operation | Promise<Operation>;
}

/** Posts one inspector command and resolves with its result. */
function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

let profiler: Session | undefined;
let stopLiveSampler: (() => number) | undefined;

/**
 * Serves a contender child: tells the bench it is ready (with `port` when it listens), and runs `gc`,
 * `upload` and `process` commands, each a bounded batch measured in this process, `liveStart` / `liveStop`
 * (peak of the Buffer bytes still reachable, see {@link sampleLiveBuffers}), and `profileStart` /
 * `profileStop` (a V8 CPU profile of just what runs in between, written where `arg` says: the same
 * `.cpuprofile` format `--cpu-prof` writes, without the start-up).
 */
export function serveContender(
  info: { port?: number },
  operations: ContenderOperations,
  onExit: () => Promise<void> | void,
): void {
  const batch = (make?: (arg: string) => Operation | Promise<Operation>) => async (command: ChildCommand) => {
    if (!make) throw new Error(`this contender does not offer "${command.cmd}"`);
    const op = await make(String(command.arg));
    return measureOperations(
      Number(command.count),
      Number(command.concurrency),
      Number(command.deadlineMs),
      op,
    );
  };
  serveParent(
    info,
    {
      gc: async () => {
        const gc = (globalThis as { gc?: () => void }).gc;
        if (!gc) throw new Error('start contenders with --expose-gc');
        gc();
        // Let finalizers release external memory (Buffers) before the bench reads the idle RSS.
        await new Promise((r) => setTimeout(r, 100));
        gc();
        return true;
      },
      /** `process.memoryUsage()` (call `gc` first): heap and external bytes, to tell a leak from RSS slack. */
      memory: async () => process.memoryUsage(),
      profileStart: async () => {
        profiler = new Session();
        profiler.connect();
        await post(profiler, 'Profiler.enable');
        await post(profiler, 'Profiler.setSamplingInterval', { interval: 500 });
        await post(profiler, 'Profiler.start');
        return true;
      },
      profileStop: async (command) => {
        if (!profiler) throw new Error('profileStart first');
        const { profile } = await post<{ profile: object }>(profiler, 'Profiler.stop');
        profiler.disconnect();
        profiler = undefined;
        writeFileSync(String(command.arg), JSON.stringify(profile));
        return true;
      },
      liveStart: () => {
        stopLiveSampler = sampleLiveBuffers();
        return true;
      },
      liveStop: () => {
        if (!stopLiveSampler) throw new Error('liveStart first');
        const peak = stopLiveSampler();
        stopLiveSampler = undefined;
        return peak;
      },
      upload: batch(operations.upload),
      process: batch(operations.process),
    },
    onExit,
  );
}

/** Outputs in an answer: `imageInfo.processResults` (this module) or `UploadResult.ProcessResults.Object` (SDK). */
export function countOutputs(body: unknown): number {
  const b = body as {
    imageInfo?: { processResults?: unknown[] };
    UploadResult?: { ProcessResults?: { Object?: unknown } };
  };
  if (b?.imageInfo?.processResults) return b.imageInfo.processResults.length;
  const objects = b?.UploadResult?.ProcessResults?.Object;
  if (objects === undefined || objects === '') return 0;
  return Array.isArray(objects) ? objects.length : 1;
}

/** The thumbnail rule every contender applies (A builds it with the rule builder). */
export const THUMBNAIL_RULE = 'imageMogr2/thumbnail/200x/format/webp';

/** The `Pic-Operations` header an SDK user writes for one thumbnail next to the original. */
export function sdkPicOperations(fileid: string): string {
  return JSON.stringify({ is_pic_info: 1, rules: [{ fileid, rule: THUMBNAIL_RULE }] });
}

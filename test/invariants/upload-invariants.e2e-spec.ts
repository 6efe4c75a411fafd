/**
 * Invariants instead of examples (fast-check): random sequences of uploads and cloud processing through the shared
 * upload pipeline, on both protocols, with and without rules writing to another bucket, insertOnly on and off,
 * conflicts with objects the module did not write, the client's retries, an emulator fault at any step, and a
 * shutdown while the last operation is in flight. Sentinel objects sit in every bucket at every key an operation
 * could name. After each sequence settles:
 * - no sentinel was deleted or changed;
 * - every reported success exists, the original with the bytes sent;
 * - nothing a failed request created remains after the second look;
 * - no multipart upload is left open.
 * A fixed seed and few runs here; `npm run test:invariants` runs many more (INVARIANT_RUNS, INVARIANT_SEED).
 */
import fc from 'fast-check';
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { largeJpeg, photoJpeg } from '../support/images';
import { invariantSequence } from './invariant-model';
import { runInvariantSequence, type InvariantWorld } from './invariant-runner';

const RUNS = Number(process.env.INVARIANT_RUNS ?? 6);
const SEED = Number(process.env.INVARIANT_SEED ?? 1919);
const MAX_OPS = Number(process.env.INVARIANT_MAX_OPS ?? 3);

describe('upload invariants (fast-check, emulator faults)', () => {
  let emulator: CiEmulator;
  let world: InvariantWorld;

  beforeAll(async () => {
    emulator = await startCiEmulator({
      port: 0,
      buckets: ['invsource-1250000000', 'invother-1250000000'],
      region: 'ap-guangzhou',
    });
    world = {
      source: 'invsource-1250000000',
      other: 'invother-1250000000',
      connection: {
        bucket: 'invsource-1250000000',
        region: emulator.region,
        endpoint: emulator.url,
        credentials: emulator.credentials[0]!,
      },
      faults: emulator.faults,
      prefix: 'inv/',
      images: { small: await photoJpeg(96, 64), large: await largeJpeg(1.2) },
    };
  });
  afterAll(() => emulator.close());

  it(`holds over ${RUNS} random sequences (seed ${SEED})`, async () => {
    let run = 0;
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(invariantSequence(true, true, MAX_OPS), async (sequence) => {
        await emulator.reset();
        const outcome = await runInvariantSequence(world, sequence, run++);
        steps += outcome.steps;
        expect(outcome.violations).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(run).toBeGreaterThanOrEqual(RUNS);
    if (process.env.INVARIANT_REPORT) {
      process.stdout.write(`invariants: ${run} sequences, ${steps} steps, seed ${SEED}\n`);
    }
  }, 600_000);
});

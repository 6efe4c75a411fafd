/**
 * Counterexamples the invariant property found (shrunk), kept as regression tests. Each names the seed and path
 * that found it.
 */
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { largeJpeg, photoJpeg } from '../support/images';
import type { InvariantSequence } from './invariant-model';
import { runInvariantSequence, type InvariantWorld } from './invariant-runner';

const COUNTEREXAMPLES: [string, InvariantSequence][] = [
  [
    // seed 1919, path 5:1:2:0:0:2:4:2: a shutdown aborted the upload while its PUT was being served (the emulator
    // stored it, the answer was broken): the abort was not treated as an unknown outcome, the original and its
    // output stayed.
    'shutdown aborts a files-v2 upload whose request was served',
    {
      ops: [
        {
          kind: 'upload',
          protocol: 'files-v2',
          size: 'small',
          outputs: ['source'],
          insertOnly: false,
          collide: false,
          fault: { operation: 'FilesV2', action: { type: 'malformed-xml' } },
        },
      ],
      shutdownDuringLast: true,
    },
  ],
  [
    // seed 1919 (60 runs, after the first fix): a shutdown aborted the retry of a cloud processing (its first attempt
    // got a 500) while it was being served; CiService.process did not count the abort as an unknown outcome, the
    // output stayed. Kept deterministic here: the answer is held (latency), so the shutdown always comes while the
    // request is being served.
    'shutdown aborts a cos-v5 process being served',
    {
      ops: [
        {
          kind: 'process',
          protocol: 'cos-v5',
          size: 'small',
          outputs: ['source'],
          insertOnly: false,
          collide: false,
          fault: { operation: 'ImageProcess', action: { type: 'latency', ms: 700 } },
        },
      ],
      shutdownDuringLast: true,
    },
  ],
  [
    // seed 1919 (100 runs, after the fix above), as shrunk: the first attempt of a cloud processing got a 500, the
    // shutdown came during the retry; the shutdown ran the second look at once, before the emulator committed the
    // output of the request it was still serving. Shutdown now runs a second look at its own time when that falls
    // within the shutdown deadline (lib/upload/upload.tracker.spec.ts holds that rule; this sequence depends on
    // timing and is kept as found).
    'shutdown during the retry of a cos-v5 process, the second look not run early',
    {
      ops: [
        {
          kind: 'process',
          protocol: 'cos-v5',
          size: 'small',
          outputs: ['source'],
          insertOnly: false,
          collide: false,
          fault: { operation: 'ImageProcess', action: { type: 'error', status: 500, code: 'InternalError' } },
        },
      ],
      shutdownDuringLast: true,
    },
  ],
];

describe('invariant counterexamples', () => {
  let emulator: CiEmulator;
  let world: InvariantWorld;
  let run = 0;

  beforeAll(async () => {
    emulator = await startCiEmulator({
      port: 0,
      buckets: ['regsource-1250000000', 'regother-1250000000'],
      region: 'ap-guangzhou',
    });
    world = {
      source: 'regsource-1250000000',
      other: 'regother-1250000000',
      connection: {
        bucket: 'regsource-1250000000',
        region: emulator.region,
        endpoint: emulator.url,
        credentials: emulator.credentials[0]!,
      },
      faults: emulator.faults,
      prefix: 'reg/',
      images: { small: await photoJpeg(96, 64), large: await largeJpeg(1.2) },
    };
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it.each(COUNTEREXAMPLES)('%s', async (_name, sequence) => {
    expect((await runInvariantSequence(world, sequence, run++)).violations).toEqual([]);
  });
});

import { performance } from 'node:perf_hooks';

/**
 * Samples the Buffer memory this process still holds: two full GCs, then `process.memoryUsage().arrayBuffers`
 * over its value at start, every `intervalMs` or 4 x the time the GCs took, whichever is longer (so sampling
 * never takes more than a fifth of the process). After one GC the backing stores of dead Buffers are still
 * being swept (and counted); the second GC finishes that sweep. Needs `--expose-gc`. Returns a function that
 * stops sampling and gives the peak in bytes.
 */
export function sampleLiveBuffers(intervalMs = 10): () => number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start this process with --expose-gc');
  const fullGc = () => {
    gc();
    gc();
  };
  fullGc();
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  let timer: NodeJS.Timeout;
  const sample = () => {
    const started = performance.now();
    fullGc();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    timer = setTimeout(sample, Math.max(intervalMs, 4 * (performance.now() - started)));
  };
  timer = setTimeout(sample, intervalMs);
  return () => {
    clearTimeout(timer);
    return peak;
  };
}

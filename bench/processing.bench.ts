/**
 * The emulator's image processing against sharp called directly, on the same 12 MP JPEG, interleaved.
 * Run: node bench/run-ts.js bench/processing.bench.ts [runs=5]
 * Fails (exit code 1) when the emulator's median is over 1.5x sharp's.
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { parseRule } from '../lib/core/rules';
import { configureSharpConcurrency, executeRule } from '../emulator/processing';
import { photoJpeg } from '../emulator/processing/test-images';

const MAX_RATIO = 1.5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  configureSharpConcurrency();
  const jpeg = await photoJpeg(4000, 3000, 85);
  const rule = parseRule('imageMogr2/thumbnail/400x');
  const emulator = () => executeRule(jpeg, rule);
  const direct = () => sharp(jpeg).resize(400).jpeg().toBuffer();

  // Warm-up: first calls load codecs and fill libvips' caches.
  await emulator();
  await direct();

  const times = { emulator: [] as number[], direct: [] as number[] };
  for (let i = 0; i < runs; i++) {
    times.emulator.push(await time(emulator));
    times.direct.push(await time(direct));
  }
  const ms = { emulator: median(times.emulator), direct: median(times.direct) };
  const ratio = ms.emulator / ms.direct;
  const round = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
  console.log(
    `source: 4000x3000 JPEG, ${(jpeg.length / 1024 / 1024).toFixed(2)} MiB; rule imageMogr2/thumbnail/400x; ${runs} runs each, interleaved; libvips threads ${sharp.concurrency()}`,
  );
  console.log(`executeRule            median ${ms.emulator.toFixed(1)} ms  [${round(times.emulator)}]`);
  console.log(`sharp().resize(400)    median ${ms.direct.toFixed(1)} ms  [${round(times.direct)}]`);
  console.log(`ratio ${ratio.toFixed(2)} (limit ${MAX_RATIO}): ${ratio <= MAX_RATIO ? 'OK' : 'TOO SLOW'}`);
  if (ratio > MAX_RATIO) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

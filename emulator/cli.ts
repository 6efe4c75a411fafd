#!/usr/bin/env node
import { isSharpLoadError, MISSING_SHARP_MESSAGE } from './errors/missing-sharp';
import type * as RunCliModule from './cli/run-cli';

/** Loads sharp first, so that a missing optional peer is one line naming the package, not a stack trace. */
async function main(): Promise<number> {
  let runCli: typeof RunCliModule.runCli;
  try {
    await import('sharp');
    // Loaded only now: a static import would load sharp before this check could report it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ runCli } = require('./cli/run-cli') as typeof RunCliModule);
  } catch (error) {
    if (!isSharpLoadError(error)) throw error;
    process.stderr.write(`${MISSING_SHARP_MESSAGE}\n`);
    return 1;
  }
  const run = await runCli(process.argv.slice(2), process.env, {
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
  });
  return run.done;
}

main().then(
  (code) => {
    // Let stdout drain and the loop empty; force the exit only if something still holds it open.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`ci-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

#!/usr/bin/env node
import { runCli } from './cli/run-cli';

runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  signals: process,
})
  .then((run) => run.done)
  .then(
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

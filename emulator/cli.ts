#!/usr/bin/env node
import { runCli } from './cli/run-cli';

runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  signals: process,
})
  .then((run) => run.done)
  .then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`ci-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );

import { type CiEmulator, startCiEmulator } from '../server/ci-emulator';
import { EMULATOR_DEV_CREDENTIALS } from '../server/emulator.options';
import { DEFAULT_PROCESSING_LIMITS } from '../processing/processing-limits';
import { formatByteSize } from '../util/byte-size';
import { CLI_USAGE, type CliCommand, CliUsageError, parseCliOptions } from './cli-options';
import { connectionSnippet } from './connection-snippet';
import { isSharpLoadError, MISSING_SHARP_MESSAGE } from '../errors/missing-sharp';

type Signal = 'SIGINT' | 'SIGTERM';

/** Where the CLI writes, and where its stop signals come from (the process, or a stand-in in tests). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Source of SIGINT and SIGTERM; the emulator stops on either. */
  signals?: {
    once(event: Signal, listener: () => void): unknown;
    off(event: Signal, listener: () => void): unknown;
  };
}

/** A CLI run: the emulator it started, and how it ends. */
export interface CliRun {
  /** The running emulator; `undefined` after `--help` or when it could not start. */
  readonly emulator?: CiEmulator;
  /** Resolves with the exit code when the run is over (0 after a stop, 1 when it could not start, 2 on usage). */
  readonly done: Promise<number>;
  /** Stops the emulator, as SIGINT or SIGTERM does; resolves with the exit code. */
  stop(): Promise<number>;
}

function finished(code: number): CliRun {
  const done = Promise.resolve(code);
  return { done, stop: () => done };
}

/**
 * Runs `ci-emulator`: parses flags and `CI_EMULATOR_*` variables, starts the emulator, prints where it
 * listens and with which keys, and stops cleanly on SIGINT/SIGTERM from `io.signals`.
 *
 * @example
 * const run = await runCli(['--port', '0'], process.env, { stdout: process.stdout, stderr: process.stderr, signals: process });
 * process.exitCode = await run.done;
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<CliRun> {
  let command: CliCommand;
  try {
    command = parseCliOptions(argv, env);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr.write(`ci-emulator: ${error.message}\n\n${CLI_USAGE}`);
    return finished(2);
  }
  if (command.kind === 'help') {
    io.stdout.write(CLI_USAGE);
    return finished(0);
  }

  const { options, quiet } = command;
  let emulator: CiEmulator;
  try {
    emulator = await startCiEmulator({
      ...options,
      logger: {
        log: (message) => {
          if (!quiet) io.stdout.write(`${message}\n`);
        },
        error: (message) => io.stderr.write(`${message}\n`),
      },
    });
  } catch (error) {
    if (isSharpLoadError(error)) {
      io.stderr.write(`${MISSING_SHARP_MESSAGE}\n`);
      return finished(1);
    }
    io.stderr.write(`ci-emulator: could not start: ${(error as Error).message}\n`);
    return finished(1);
  }

  const credential = options.credentials?.[0] ?? EMULATOR_DEV_CREDENTIALS;
  const isDevKey = credential.secretKey === EMULATOR_DEV_CREDENTIALS.secretKey;
  io.stdout.write(
    [
      `CI emulator listening on ${emulator.url}`,
      `  region      ${emulator.region}`,
      `  app id      ${emulator.appId}`,
      `  buckets     ${emulator.buckets.join(', ')}`,
      ...(options.bucketAcl === 'public-read'
        ? [
            `  access      public-read: open ${emulator.url}/${emulator.buckets[0]}/ to list, ` +
              `${emulator.url}/${emulator.buckets[0]}/<key> to see an object or a variant`,
          ]
        : []),
      `  storage     ${options.dataDir ? `on disk in ${options.dataDir}` : 'in memory'}`,
      `  max object  ${formatByteSize(options.maxObjectSize ?? 5 * 1024 ** 3)}`,
      `  processing  Pic-Operations with real pixels; sources up to ${formatByteSize(options.maxProcessSourceBytes ?? DEFAULT_PROCESSING_LIMITS.maxSourceBytes)}`,
      ...(Object.keys(emulator.styles).length
        ? [`  styles      ${Object.keys(emulator.styles).join(', ')}`]
        : []),
      ...(emulator.faults.list().length ? [`  faults      ${emulator.faults.list().length} injected`] : []),
      `  secret id   ${credential.secretId}`,
      // A key the user chose is theirs to know: never print it.
      `  secret key  ${isDevKey ? `${credential.secretKey} (development default)` : '(as configured, not shown)'}`,
      ...(credential.securityToken ? ['  token       required (x-cos-security-token, not shown)'] : []),
      connectionSnippet({
        url: emulator.url,
        bucket: emulator.buckets[0]!,
        region: emulator.region,
        secretId: credential.secretId,
        secretKey: isDevKey ? credential.secretKey : undefined,
        securityToken: Boolean(credential.securityToken),
      }),
      'Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  let stopping: Promise<number> | undefined;
  const onSignal = () => void stop();
  const stop = (): Promise<number> => {
    stopping ??= (async () => {
      io.signals?.off('SIGINT', onSignal);
      io.signals?.off('SIGTERM', onSignal);
      await emulator.close();
      io.stdout.write('CI emulator stopped.\n');
      resolveDone(0);
      return 0;
    })();
    return stopping;
  };
  io.signals?.once('SIGINT', onSignal);
  io.signals?.once('SIGTERM', onSignal);
  return { emulator, done, stop };
}

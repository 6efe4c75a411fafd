import { parseArgs } from 'node:util';
import type { CiEmulatorOptions } from '../emulator.options';
import { parseByteSize } from '../util/byte-size';

/** A command line the CLI cannot run: it prints the message and the usage, and exits with 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** What the command line asks for. */
export type CliCommand = { kind: 'help' } | { kind: 'run'; options: CiEmulatorOptions; quiet: boolean };

/** The usage text of `ci-emulator --help`. */
export const CLI_USAGE = `Usage: ci-emulator [options]

A local Tencent COS + CI emulator. Every option can also be set by the environment variable shown.

  --port N                 TCP port; 0 picks a free one (default 0)             CI_EMULATOR_PORT
  --host HOST              interface to listen on (default 127.0.0.1)           CI_EMULATOR_HOST
  --secret-id ID           SecretId accepted (default: the development key)     CI_EMULATOR_SECRET_ID
  --secret-key KEY         its SecretKey                                         CI_EMULATOR_SECRET_KEY
  --security-token TOKEN   make it a temporary key that must send this token    CI_EMULATOR_SECURITY_TOKEN
  --app-id APPID           APPID bucket names end with (default 1250000000)     CI_EMULATOR_APP_ID
  --bucket NAME-APPID      bucket created at start; repeatable                  CI_EMULATOR_BUCKET (comma-separated)
                           (default examplebucket-1250000000)
  --region REGION          region of the buckets (default ap-guangzhou)         CI_EMULATOR_REGION
  --data-dir DIR           keep objects on disk in DIR (default: in memory)     CI_EMULATOR_DATA_DIR
  --max-object-size SIZE   largest object, e.g. 20mb (default 5gb)              CI_EMULATOR_MAX_OBJECT_SIZE
  --min-part-size SIZE     smallest multipart part but the last (default 1mb)   CI_EMULATOR_MIN_PART_SIZE
  --quiet                  do not print a line per request                      CI_EMULATOR_QUIET
  -h, --help               print this help
`;

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function size(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseByteSize(value, flag);
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

/**
 * Reads the command line, then the `CI_EMULATOR_*` environment for what the flags leave out, into emulator
 * options. Throws {@link CliUsageError} on unknown flags or bad values.
 *
 * @example
 * parseCliOptions(['--port', '0', '--bucket', 'photos-1250000000'], process.env)
 */
export function parseCliOptions(argv: readonly string[], env: Env): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'secret-id': { type: 'string' },
        'secret-key': { type: 'string' },
        'security-token': { type: 'string' },
        'app-id': { type: 'string' },
        bucket: { type: 'string', multiple: true },
        region: { type: 'string' },
        'data-dir': { type: 'string' },
        'max-object-size': { type: 'string' },
        'min-part-size': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };

  const options: CiEmulatorOptions = {};
  const port = nonEmpty(values.port ?? env.CI_EMULATOR_PORT);
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) {
      throw new CliUsageError(`--port must be a port number from 0 to 65535, got "${port}"`);
    }
    options.port = Number(port);
  }
  options.host = nonEmpty(values.host ?? env.CI_EMULATOR_HOST);
  options.appId = nonEmpty(values['app-id'] ?? env.CI_EMULATOR_APP_ID);
  options.region = nonEmpty(values.region ?? env.CI_EMULATOR_REGION);
  options.dataDir = nonEmpty(values['data-dir'] ?? env.CI_EMULATOR_DATA_DIR);

  const buckets = values.bucket ?? (env.CI_EMULATOR_BUCKET ?? env.CI_EMULATOR_BUCKETS ?? '').split(/[\s,]+/);
  const named = buckets.map((b) => b.trim()).filter(Boolean);
  if (named.length) options.buckets = named;

  const secretId = nonEmpty(values['secret-id'] ?? env.CI_EMULATOR_SECRET_ID);
  const secretKey = nonEmpty(values['secret-key'] ?? env.CI_EMULATOR_SECRET_KEY);
  const securityToken = nonEmpty(values['security-token'] ?? env.CI_EMULATOR_SECURITY_TOKEN);
  if ((secretId === undefined) !== (secretKey === undefined)) {
    throw new CliUsageError('--secret-id and --secret-key go together: give both or neither');
  }
  if (secretId !== undefined && secretKey !== undefined) {
    options.credentials = [{ secretId, secretKey, ...(securityToken ? { securityToken } : {}) }];
  } else if (securityToken !== undefined) {
    throw new CliUsageError('--security-token needs --secret-id and --secret-key');
  }

  options.maxObjectSize = size(
    nonEmpty(values['max-object-size'] ?? env.CI_EMULATOR_MAX_OBJECT_SIZE),
    '--max-object-size',
  );
  options.minPartSize = size(
    nonEmpty(values['min-part-size'] ?? env.CI_EMULATOR_MIN_PART_SIZE),
    '--min-part-size',
  );
  const quiet = values.quiet ?? /^(1|true|yes)$/i.test(env.CI_EMULATOR_QUIET ?? '');
  return { kind: 'run', options, quiet };
}

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CiEmulatorOptions } from '../server/emulator.options';
import { parseFaultSpec } from '../faults/fault-spec.parser';
import type { CiFaultSpec } from '../faults/fault.types';
import { resolveStyles } from '../processing/ci-styles';
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
  --public-read            make those buckets public-read: list and read them   CI_EMULATOR_PUBLIC_READ
                           (and processed variants) without a signature
  --region REGION          region of the buckets (default ap-guangzhou)         CI_EMULATOR_REGION
  --data-dir DIR           keep objects on disk in DIR (default: in memory)     CI_EMULATOR_DATA_DIR
  --max-object-size SIZE   largest object, e.g. 20mb (default 5gb)              CI_EMULATOR_MAX_OBJECT_SIZE
  --min-part-size SIZE     smallest multipart part but the last (default 1mb)   CI_EMULATOR_MIN_PART_SIZE
  --style NAME=RULE        a style for style/NAME rules; repeatable             CI_EMULATOR_STYLE (;-separated)
  --styles-file FILE       styles from a JSON file { "name": "rule" }           CI_EMULATOR_STYLES_FILE
                           (--style entries win over the file's)
  --max-pixels N           largest image processed, in pixels (default 100000000) CI_EMULATOR_MAX_PIXELS
  --max-side N             longest side processed, in pixels (default 30000)     CI_EMULATOR_MAX_SIDE
  --max-frames N           most frames of an animated image (default 300)       CI_EMULATOR_MAX_FRAMES
  --max-process-source-size SIZE
                           largest source processed (default 20mb, at most 32mb) CI_EMULATOR_MAX_PROCESS_SOURCE_SIZE
  --fault JSON             inject a fault, e.g. '{"match":{"operation":"PutObject"},
                           "action":{"type":"error","status":503,"code":"SlowDown"}}'; repeatable
                                                                                CI_EMULATOR_FAULTS (a JSON array)
  --quiet                  do not print a line per request                      CI_EMULATOR_QUIET
  -h, --help               print this help
`;

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new CliUsageError(`${flag} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}

/** Reads `NAME=RULE` entries (split at the first `=`) into styles. */
function styleEntries(entries: readonly string[], flag: string): Record<string, string> {
  const styles: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new CliUsageError(`${flag} takes NAME=RULE, got "${entry}"`);
    styles[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  return styles;
}

function stylesFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(
      `--styles-file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`--styles-file ${path} is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliUsageError(`--styles-file ${path} must hold a JSON object { "name": "rule" }`);
  }
  for (const [name, rule] of Object.entries(value)) {
    if (typeof rule !== 'string')
      throw new CliUsageError(`--styles-file ${path}: style "${name}" must be a string`);
  }
  return value as Record<string, string>;
}

function faults(texts: readonly string[], flag: string): CiFaultSpec[] {
  const specs: CiFaultSpec[] = [];
  for (const text of texts) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CliUsageError(`${flag} must be JSON (${(error as Error).message})`);
    }
    for (const spec of Array.isArray(value) ? value : [value]) {
      try {
        specs.push(parseFaultSpec(spec, flag));
      } catch (error) {
        throw new CliUsageError((error as Error).message);
      }
    }
  }
  return specs;
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
        style: { type: 'string', multiple: true },
        'styles-file': { type: 'string' },
        'max-pixels': { type: 'string' },
        'max-side': { type: 'string' },
        'max-frames': { type: 'string' },
        'max-process-source-size': { type: 'string' },
        fault: { type: 'string', multiple: true },
        quiet: { type: 'boolean' },
        'public-read': { type: 'boolean' },
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
  if (values['public-read'] ?? /^(1|true|yes)$/i.test(env.CI_EMULATOR_PUBLIC_READ ?? '')) {
    options.bucketAcl = 'public-read';
  }

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

  const file = nonEmpty(values['styles-file'] ?? env.CI_EMULATOR_STYLES_FILE);
  const entries =
    values.style ??
    (env.CI_EMULATOR_STYLE ?? '')
      .split(';')
      .map((e) => e.trim())
      .filter(Boolean);
  const styles = { ...(file ? stylesFile(file) : {}), ...styleEntries(entries, '--style') };
  if (Object.keys(styles).length) {
    try {
      options.styles = resolveStyles(styles);
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
  }
  options.maxPixels = count(nonEmpty(values['max-pixels'] ?? env.CI_EMULATOR_MAX_PIXELS), '--max-pixels');
  options.maxSide = count(nonEmpty(values['max-side'] ?? env.CI_EMULATOR_MAX_SIDE), '--max-side');
  options.maxFrames = count(nonEmpty(values['max-frames'] ?? env.CI_EMULATOR_MAX_FRAMES), '--max-frames');
  options.maxProcessSourceBytes = size(
    nonEmpty(values['max-process-source-size'] ?? env.CI_EMULATOR_MAX_PROCESS_SOURCE_SIZE),
    '--max-process-source-size',
  );
  const faultTexts =
    values.fault ?? (nonEmpty(env.CI_EMULATOR_FAULTS) ? [env.CI_EMULATOR_FAULTS as string] : []);
  const specs = faults(faultTexts, '--fault');
  if (specs.length) options.faults = specs;

  const quiet = values.quiet ?? /^(1|true|yes)$/i.test(env.CI_EMULATOR_QUIET ?? '');
  return { kind: 'run', options, quiet };
}

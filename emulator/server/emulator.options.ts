import type { CosCredential } from '../auth/verify-cos-signature';
import { parseFaultSpec } from '../faults/fault-spec.parser';
import type { CiFaultSpec } from '../faults/fault.types';
import { resolveStyles } from '../processing/ci-styles';
import { type ProcessingLimits, resolveProcessingLimits } from '../processing/processing-limits';
import { checkBucketName } from '../storage/bucket-name';

/** A key pair the emulator accepts; with `securityToken`, a temporary (STS) key that must send its token. */
export type CiEmulatorCredential = CosCredential;

/** Where the emulator writes what it has to say (per-request lines, unexpected errors). `console` fits. */
export interface CiEmulatorLogger {
  log(message: string): void;
  error(message: string): void;
}

/** Options of `startCiEmulator`. Every field is optional. */
export interface CiEmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Accepted key pairs. Default: one pair, {@link EMULATOR_DEV_CREDENTIALS}. */
  credentials?: CiEmulatorCredential[];
  /** APPID every bucket name ends with. Default `1250000000`. */
  appId?: string;
  /** Buckets (`name-appid`) created at start. Default `['examplebucket-1250000000']`. */
  buckets?: string[];
  /**
   * Canned ACL of those buckets: `public-read` lets anyone list them and read their objects (and processed
   * variants) without a signature, as such a COS bucket does, e.g. to browse them locally. Default `private`.
   */
  bucketAcl?: 'private' | 'public-read';
  /** The region the buckets live in. Default `ap-guangzhou`. */
  region?: string;
  /** Keep objects on disk in this directory (they survive a restart). Default: in memory. */
  dataDir?: string;
  /** Largest object (and part) in bytes: larger bodies get 400 `EntityTooLarge`. Default 5 GiB. */
  maxObjectSize?: number;
  /** Smallest size of every part but the last at CompleteMultipartUpload (400 `EntityTooSmall`). Default 1 MiB, as COS. */
  minPartSize?: number;
  /** Log one line per request and unexpected errors here. Default: silent. */
  logger?: CiEmulatorLogger;
  /**
   * Styles for `style/<name>` rules, by name: `{ thumb: 'imageMogr2/thumbnail/200x' }`. Checked at start (a rule
   * that does not parse is refused). `emulator.setStyle` adds more at run time. Default none.
   */
  styles?: Record<string, string>;
  /** Most pixels of an image to process (width × height × frames): over it, 400 `ImageResolutionExceed`. Default 100 000 000. */
  maxPixels?: number;
  /** Longest side of an image to process, in pixels (400 `ImageResolutionExceed`). Default 30000. */
  maxSide?: number;
  /** Most frames of an animated image to process (400 `ImageResolutionExceed`). Default 300. */
  maxFrames?: number;
  /** Largest source CI processes, in bytes (400 `ImageTooLarge`). Default 20 MiB, at most 32 MiB. */
  maxProcessSourceBytes?: number;
  /** Faults injected from the start (see `emulator.faults`). Default none. */
  faults?: CiFaultSpec[];
  /**
   * CORS of a bucket without a CORS configuration of its own (one set with PUT Bucket cors is always enforced):
   * `open` (default, for local development) lets every origin read every answer and passes every preflight;
   * `none` answers as COS does: preflights 403 `AccessForbidden`, no CORS headers.
   */
  defaultCors?: 'open' | 'none';
}

/** {@link CiEmulatorOptions} with every default applied and checked. */
export interface ResolvedCiEmulatorOptions {
  port: number;
  host: string;
  credentials: CiEmulatorCredential[];
  appId: string;
  buckets: string[];
  bucketAcl: 'private' | 'public-read';
  region: string;
  dataDir?: string;
  maxObjectSize: number;
  minPartSize: number;
  logger?: CiEmulatorLogger;
  styles: Record<string, string>;
  limits: ProcessingLimits;
  faults: CiFaultSpec[];
  defaultCors: 'open' | 'none';
}

/**
 * The fixed development key pair the emulator accepts when none is configured. Public on purpose: it only
 * opens the local emulator, never a Tencent account.
 */
export const EMULATOR_DEV_CREDENTIALS: Readonly<CiEmulatorCredential> = Object.freeze({
  secretId: 'AKIDCIEMULATORDEVELOPMENT0000000',
  secretKey: 'ci-emulator-development-secret-key',
});

/** Default settings of the emulator. */
export const EMULATOR_DEFAULTS = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  appId: '1250000000',
  region: 'ap-guangzhou',
  bucket: 'examplebucket-1250000000',
  maxObjectSize: 5 * 1024 ** 3,
  minPartSize: 1024 * 1024,
});

function defaultCorsOf(value: string | undefined): 'open' | 'none' {
  if (value === undefined || value === 'open' || value === 'none') return value ?? 'open';
  throw new TypeError(`defaultCors must be "open" or "none", got ${JSON.stringify(value)}`);
}

function positiveInteger(value: number, field: string, allowZero = false): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new TypeError(
      `${field} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}`,
    );
  }
  return value;
}

/** Applies defaults and checks options; throws a `TypeError` naming the field at fault. */
export function resolveEmulatorOptions(options: CiEmulatorOptions = {}): ResolvedCiEmulatorOptions {
  const port = options.port ?? EMULATOR_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  const appId = options.appId ?? EMULATOR_DEFAULTS.appId;
  if (!/^\d+$/.test(appId)) throw new TypeError(`appId must be digits, got "${appId}"`);
  const region = options.region ?? EMULATOR_DEFAULTS.region;
  if (!/^[a-z0-9-]+$/.test(region))
    throw new TypeError(`region must look like ap-guangzhou, got "${region}"`);
  const buckets = [...new Set(options.buckets ?? [EMULATOR_DEFAULTS.bucket])];
  for (const bucket of buckets) checkBucketName(bucket, appId);

  const credentials = (options.credentials ?? [EMULATOR_DEV_CREDENTIALS]).map((c) => ({ ...c }));
  if (credentials.length === 0) throw new TypeError('credentials must hold at least one key pair');
  const seen = new Set<string>();
  credentials.forEach((c, i) => {
    if (!c.secretId || typeof c.secretId !== 'string')
      throw new TypeError(`credentials[${i}].secretId is required`);
    if (!c.secretKey || typeof c.secretKey !== 'string')
      throw new TypeError(`credentials[${i}].secretKey is required`);
    if (seen.has(c.secretId)) throw new TypeError(`credentials[${i}].secretId appears twice`);
    seen.add(c.secretId);
  });

  const bucketAcl = options.bucketAcl ?? 'private';
  if (bucketAcl !== 'private' && bucketAcl !== 'public-read') {
    throw new TypeError(`bucketAcl must be private or public-read, got "${String(bucketAcl)}"`);
  }

  return {
    port,
    host: options.host ?? EMULATOR_DEFAULTS.host,
    credentials,
    appId,
    buckets,
    bucketAcl,
    region,
    dataDir: options.dataDir,
    maxObjectSize: positiveInteger(options.maxObjectSize ?? EMULATOR_DEFAULTS.maxObjectSize, 'maxObjectSize'),
    minPartSize: positiveInteger(options.minPartSize ?? EMULATOR_DEFAULTS.minPartSize, 'minPartSize', true),
    logger: options.logger,
    styles: resolveStyles(options.styles ?? {}),
    limits: resolveLimits(options),
    faults: (options.faults ?? []).map((fault, i) => parseFaultSpec(fault, `faults[${i}]`)),
    defaultCors: defaultCorsOf(options.defaultCors),
  };
}

function resolveLimits(options: CiEmulatorOptions): ProcessingLimits {
  try {
    return resolveProcessingLimits({
      maxPixels: options.maxPixels,
      maxSide: options.maxSide,
      maxFrames: options.maxFrames,
      maxSourceBytes: options.maxProcessSourceBytes,
    });
  } catch (error) {
    // The engine names its own field; say which option it is.
    const message = (error as Error).message.replace(/\bmaxSourceBytes\b/, 'maxProcessSourceBytes');
    throw new TypeError(message.replace(/^processing limit /, ''));
  }
}

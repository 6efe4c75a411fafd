import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import COS from 'cos-nodejs-sdk-v5';
import {
  type CiEmulator,
  type CiEmulatorOptions,
  EMULATOR_DEV_CREDENTIALS,
  startCiEmulator,
  storeOnlyPicProcessor,
} from '../../../emulator';
import { CiClient, type CiClientOptions } from '../../../lib/client';
import { createCosAuthorization } from '../../../lib/protocol/cos-v5/sign';

/** The bucket every emulator test uses (the emulator's default). */
export const BUCKET = 'examplebucket-1250000000';
/** The emulator's default region. */
export const REGION = 'ap-guangzhou';
/** The virtual host of {@link BUCKET}, as the SDK addresses it. */
export const VIRTUAL_HOST = `${BUCKET}.cos.${REGION}.myqcloud.com`;

/** A temporary directory, removed by the returned function. */
export function temporaryDirectory(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

// The SDK caches upload ids on disk (ConfCwd): keep that out of the user's home directory.
const sdkConfDir = temporaryDirectory('ci-emulator-sdk-conf-');
afterAll(() => sdkConfDir.remove());

/** Waits for the SDK's delayed write of its upload-id cache (400 ms after sliceUploadFile) before cleanup. */
export function sdkCacheWritten(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 450));
}

/**
 * The official SDK pointed at the emulator as a user would: `Proxy` is the emulator's URL, so the SDK sends
 * absolute-form requests for `<bucket>.cos.<region>.myqcloud.com` to it.
 */
export function sdkFor(emulator: Pick<CiEmulator, 'url'>, options: Partial<COS.COSOptions> = {}): COS {
  return new COS({
    SecretId: EMULATOR_DEV_CREDENTIALS.secretId,
    SecretKey: EMULATOR_DEV_CREDENTIALS.secretKey,
    Protocol: 'http:',
    Proxy: emulator.url,
    ConfCwd: sdkConfDir.path,
    ...options,
  });
}

/** The error object the SDK rejects with (`err.code`, `err.statusCode`, `err.error.Message`). */
export interface SdkError {
  code?: string;
  statusCode?: number;
  message?: string;
  error?: { Code?: string; Message?: string; RequestId?: string; Resource?: string };
  headers?: IncomingHttpHeaders;
}

/** Runs an SDK call that must fail and returns its error. */
export async function sdkFailure(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('the SDK call succeeded; it was expected to fail');
}

/** An HTTP answer read whole. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One HTTP request to the emulator with node:http (the path may be absolute-form). */
export function rawRequest(
  emulator: CiEmulator,
  options: { method: string; path: string; headers?: OutgoingHttpHeaders; body?: Buffer | string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: emulator.port,
        method: options.method,
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Headers of a request signed with `createCosAuthorization` over every header given (plus `host`), for a
 * virtual-hosted request to {@link BUCKET} unless `host` says otherwise.
 */
export function signedHeaders(options: {
  method: string;
  pathname: string;
  query?: Record<string, string>;
  headers?: Record<string, string | number>;
  host?: string;
  keyTime?: string;
  secretId?: string;
  secretKey?: string;
}): Record<string, string | number> {
  const headers = { host: options.host ?? VIRTUAL_HOST, ...options.headers };
  const authorization = createCosAuthorization({
    secretId: options.secretId ?? EMULATOR_DEV_CREDENTIALS.secretId,
    secretKey: options.secretKey ?? EMULATOR_DEV_CREDENTIALS.secretKey,
    method: options.method,
    pathname: options.pathname,
    query: options.query,
    headers,
    keyTime: options.keyTime,
  });
  return { ...headers, authorization };
}

/** The text of an XML element (first occurrence), or `undefined`. */
export function xmlField(xml: string, element: string): string | undefined {
  const match = new RegExp(`<${element}>([\\s\\S]*?)</${element}>`).exec(xml);
  return match?.[1];
}

/** Resolves with the next request record the emulator logs that matches `predicate`. */
export function nextRequest(
  emulator: CiEmulator,
  predicate: (record: CiEmulator['requests'][number]) => boolean,
): Promise<CiEmulator['requests'][number]> {
  return new Promise((resolve) => {
    const listener = (record: CiEmulator['requests'][number]) => {
      if (!predicate(record)) return;
      emulator.off('request', listener);
      resolve(record);
    };
    emulator.on('request', listener);
  });
}

/** This project's `CiClient` pointed at the emulator (path-style, {@link BUCKET}); close it after use. */
export function ciClientFor(
  emulator: Pick<CiEmulator, 'url'>,
  options: Partial<CiClientOptions> = {},
): CiClient {
  return new CiClient({
    bucket: BUCKET,
    region: REGION,
    credentials: EMULATOR_DEV_CREDENTIALS,
    endpoint: emulator.url,
    ...options,
  });
}

/** The emulator and SDK of a {@link useStoreOnlyEmulator} suite (read them inside tests). */
export interface StoreOnlySuite {
  readonly emulator: CiEmulator;
  readonly cos: COS;
  /** The `dataDir` (disk) or a scratch directory (memory), removed after the suite. */
  readonly dir: string;
}

/**
 * Starts a store-only emulator for the suite (in memory, or on disk in a temporary directory) with the SDK
 * pointed at it, resets it before each test and closes it after the suite.
 */
export function useStoreOnlyEmulator(onDisk: boolean, options: CiEmulatorOptions = {}): StoreOnlySuite {
  const dir = temporaryDirectory('ci-emulator-suite-');
  const suite = { dir: dir.path } as { emulator: CiEmulator; cos: COS; dir: string };
  beforeAll(async () => {
    suite.emulator = await startCiEmulator(
      { ...options, ...(onDisk ? { dataDir: dir.path } : {}) },
      { picProcessor: storeOnlyPicProcessor },
    );
    suite.cos = sdkFor(suite.emulator);
  });
  afterAll(async () => {
    await suite.emulator?.close();
    dir.remove();
  });
  beforeEach(() => suite.emulator.reset());
  return suite;
}

import type { Dispatcher } from 'undici';

/** Which wire protocol a client speaks. */
export type CiProtocol = 'cos-v5' | 'files-v2';

/** A permanent or temporary (STS) key pair. */
export interface CiCredentials {
  /** SecretId (`AKID...`). */
  secretId: string;
  /** SecretKey. Never logged, never put in an error. */
  secretKey: string;
  /** STS session token, sent as `x-cos-security-token`. */
  securityToken?: string;
  /** When temporary credentials expire (Date or epoch ms); the provider is asked again 60 s before. */
  expiresAt?: Date | number;
}

/** Returns credentials, e.g. from STS; called again before `expiresAt`. */
export type CiCredentialsProvider = () => CiCredentials | Promise<CiCredentials>;

/** Retry policy for requests without a streaming body. */
export interface CiRetryOptions {
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** First backoff in ms; doubles each retry, with full jitter. Default 100. */
  minDelayMs?: number;
  /** Backoff ceiling in ms. Default 2000. */
  maxDelayMs?: number;
}

/** Timeouts in milliseconds. */
export interface CiTimeoutOptions {
  /** TCP/TLS connect. Default 10 000. */
  connectMs?: number;
  /** From the end of the request to the response headers (CI processes before answering). Default 60 000. */
  headersMs?: number;
  /** Between two chunks of the response body. Default 30 000. */
  bodyMs?: number;
}

/** How `upload()` splits a stream. */
export interface CiUploadTuning {
  /** Streams of unknown size up to this size are buffered and sent as one PUT. Default 2 MiB. */
  multipartThreshold?: number;
  /**
   * Part size of a multipart upload (COS minimum 1 MiB). Default: chosen per upload, from its size when known
   * (at most 10 000 parts) and from the budget otherwise (`maxBufferedBytes / 8`, between 1 and 8 MiB: 2 MiB).
   */
  partSize?: number;
  /** Parts in flight at once per upload. Default 3. */
  partConcurrency?: number;
}

/** How the uploads of one client split streams and share buffer memory. */
export interface CiUploadClientTuning extends CiUploadTuning {
  /**
   * Buffer memory shared by the uploads of the client that must be held (streams of unknown size; a known size
   * is piped and holds nothing), in bytes: an upload reserves a part before reading bytes into it and gives it
   * back once the part is acknowledged. When it is full, uploads wait and stop reading from their clients (TCP
   * backpressure). At least one part. Default 16 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * How long an upload may wait for buffer memory before it fails with `CiBusyError` (HTTP 503), nothing
   * stored. Default 30000 ms.
   */
  budgetWaitMs?: number;
  /**
   * The slowest a source may send while an upload waits for it: measured over each `sourceRateWindowMs`, counting
   * only the time spent waiting for the source (not for CI). A source below it, or one that stops sending, is
   * cut: the upload fails with `CiSlowSourceError` (HTTP 408), what it holds is released and nothing is stored.
   * `0` turns the check off. Default 4096 (4 KiB/s).
   */
  minSourceBytesPerSecond?: number;
  /** The window of `minSourceBytesPerSecond`, in ms. Default 10000 (a cut comes within two windows, well inside `budgetWaitMs`). */
  sourceRateWindowMs?: number;
}

/** Options of {@link CiClient}. */
export interface CiClientOptions {
  /** Wire protocol. Default `'cos-v5'` (the current COS XML API); `'files-v2'` is the seed's JSON API. */
  protocol?: CiProtocol;
  /** APPID of the account (`1250000000`). Default: the suffix of `bucket`. */
  appId?: string;
  /** Bucket as `<name>-<appid>`. */
  bucket: string;
  /**
   * Region, long (`ap-chengdu`, COS v5) or short (`cd`, the seed's files-v2 codes: `bj`, `sh`, `gz`, `cd`, `cq`, `tj`,
   * `hk`, `sgp`, `ca`, `ger`); each API gets the form it uses.
   */
  region: string;
  /** Static credentials or a provider (STS). */
  credentials: CiCredentials | CiCredentialsProvider;
  /**
   * Origin override of the XML API (`http://127.0.0.1:9000` for the emulator, a custom domain, accelerate). With
   * path addressing (an endpoint whose host names no bucket: the emulator, a proxy) it serves the files-v2 API
   * too. Default `https://<bucket>.cos.<region>.myqcloud.com`.
   */
  endpoint?: string;
  /**
   * Origin of the files-v2 API alone (a proxy, a private endpoint). Default: `endpoint` with path addressing,
   * else the seed's `https://<short region>.image.myqcloud.com` (a bucket's custom or accelerated domain serves
   * only the XML API).
   */
  filesV2Endpoint?: string;
  /**
   * `'virtual-host'` sends to `<bucket>.<...>`; `'path'` sends `/<bucket>/<key>` to an endpoint whose host names no
   * bucket. Default: `'path'` when `endpoint` is an IP address or `localhost`, else `'virtual-host'`.
   */
  addressing?: 'virtual-host' | 'path';
  /** Origin of the STS API for `issueTemporaryCredentials` (the emulator's URL in development). Default `https://sts.tencentcloudapi.com`. */
  stsEndpoint?: string;
  /** Timeouts. */
  timeouts?: CiTimeoutOptions;
  /** Retries for requests without a streaming body. */
  retry?: CiRetryOptions;
  /** Upload splitting and the buffer budget shared by every upload. */
  upload?: CiUploadClientTuning;
  /** Connections in the pool. Default 16. */
  connections?: number;
  /** Signature validity in seconds. Default 900. */
  signatureTtlSeconds?: number;
  /** Use this undici dispatcher instead of creating a Pool (it is then not closed by `close()`). */
  dispatcher?: Dispatcher;
  /** Clock in ms, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * A public or CDN domain (`https://img.example.com`) for plain object URLs: `getObjectUrl` then answers unsigned
   * URLs on it unless `signed: true` is asked. Default: none (URLs are signed, on the COS origin).
   */
  publicDomain?: string;
  /**
   * Refuse to overwrite existing objects on upload (files-v2 `insertOnly=1`, cos-v5 `x-cos-forbid-overwrite`) and,
   * with files-v2, on processing. Default: `true` for files-v2 (the seed: "no overwrite by default"), `false` for
   * cos-v5 (COS overwrites by default). A call's own `insertOnly` wins.
   */
  insertOnly?: boolean;
  /** The separator between a key and a style name in style URLs (`a.jpg!thumb`), as set in the CI console. Default `!`. */
  styleSeparator?: CiStyleSeparator;
}

/** The style separators CI's console offers. */
export type CiStyleSeparator = '!' | '-' | '_' | '/';

/** The style separators CI's console offers, in this list's order. */
export const CI_STYLE_SEPARATORS: readonly CiStyleSeparator[] = ['!', '-', '_', '/'];

/** Resolved defaults of {@link CiClientOptions}. */
export const CI_CLIENT_DEFAULTS = {
  protocol: 'cos-v5' as CiProtocol,
  timeouts: { connectMs: 10_000, headersMs: 60_000, bodyMs: 30_000 },
  retry: { retries: 3, minDelayMs: 100, maxDelayMs: 2_000 },
  upload: {
    multipartThreshold: 2 * 1024 * 1024,
    partSize: undefined as number | undefined,
    partConcurrency: 3,
    maxBufferedBytes: 16 * 1024 * 1024,
    budgetWaitMs: 30_000,
    minSourceBytesPerSecond: 4096,
    sourceRateWindowMs: 10_000,
  },
  connections: 16,
  signatureTtlSeconds: 900,
  styleSeparator: '!' as CiStyleSeparator,
} as const;

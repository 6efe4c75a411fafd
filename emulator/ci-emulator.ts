import { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CosDispatcher } from './cos.dispatcher';
import {
  checkBucketName,
  type CiEmulatorCredential,
  type CiEmulatorOptions,
  resolveEmulatorOptions,
  type ResolvedCiEmulatorOptions,
} from './emulator.options';
import { cosErrors } from './errors/cos-errors';
import { CosHttpError } from './errors/cos-http.error';
import { renderErrorEnvelope } from './errors/error-envelope';
import type { EmulatorEnvironment } from './handlers/handler.types';
import { corsHeaders } from './http/cors';
import { Exchange, newRequestId } from './http/exchange';
import { discardBody } from './http/request-body';
import { type PicProcessor, storeOnlyPicProcessor } from './processing/pic-processor';
import { DiskObjectStore } from './storage/disk.store';
import { MemoryObjectStore } from './storage/memory.store';
import type { ObjectStore } from './storage/object-store';

/** How many requests {@link CiEmulator.requests} remembers; older ones are dropped. */
export const REQUEST_LOG_LIMIT = 10_000;

/** An object as the emulator stores it. */
export interface EmulatorObjectInfo {
  key: string;
  size: number;
  /** Quoted, as COS answers it. */
  etag: string;
  contentType: string;
  lastModified: Date;
}

/** An open multipart upload and its parts. */
export interface EmulatorUploadInfo {
  key: string;
  uploadId: string;
  initiated: Date;
  parts: Array<{ partNumber: number; size: number; etag: string }>;
}

/** One served request, as the request log keeps it. */
export interface EmulatorRequestRecord {
  /** Its `x-cos-request-id`. */
  requestId: string;
  method: string;
  /** COS operation (`PutObject`, `UploadPart`, ...), `OptionsObject` for a preflight, `Unknown` if unrouted. */
  operation: string;
  bucket?: string;
  key?: string;
  /** Status answered (or meant to be answered, when the client left first). */
  status: number;
  /** COS error code of an error answer (`NoSuchKey`, `IncompleteBody`, ...). */
  errorCode?: string;
  durationMs: number;
  time: Date;
}

/** A running emulator. */
export interface CiEmulator {
  /** `http://127.0.0.1:PORT`: give it to clients as endpoint, or to the official SDK as `Proxy`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly region: string;
  readonly appId: string;
  /** Served requests, oldest first (the last {@link REQUEST_LOG_LIMIT}); `reset()` clears it. */
  readonly requests: readonly EmulatorRequestRecord[];
  /** Bucket names: the configured ones in their order, then others (created since, found in `dataDir`) sorted. */
  readonly buckets: readonly string[];
  /** The key pairs the emulator accepts (hand the first to a client). */
  readonly credentials: readonly CiEmulatorCredential[];
  /** Objects of a bucket whose key starts with `prefix`, sorted by key. */
  listObjects(bucket: string, prefix?: string): EmulatorObjectInfo[];
  /** The bytes of an object, or `undefined` when there is none. */
  getObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** Open multipart uploads of a bucket, with their parts. */
  listMultipartUploads(bucket: string): EmulatorUploadInfo[];
  /** Creates a bucket (`name-appid`); nothing happens when it exists. */
  createBucket(name: string): Promise<void>;
  /** Drops every object, upload and extra bucket, recreates the configured buckets, clears the request log. */
  reset(): Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  /** Calls `listener` after each request is served. */
  on(event: 'request', listener: (record: EmulatorRequestRecord) => void): this;
  off(event: 'request', listener: (record: EmulatorRequestRecord) => void): this;
}

/** Parts a later stage or a test may swap: the Pic-Operations processor and the clock signatures are checked against. */
export interface CiEmulatorExtensions {
  /** Default: store uploads and answer results without outputs; `?image_process` answers 501. */
  picProcessor?: PicProcessor;
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number;
}

const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE']);

function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** The emulator: a `node:http` server in front of the COS dispatcher and a store. */
class CiEmulatorServer extends EventEmitter implements CiEmulator {
  readonly requests: EmulatorRequestRecord[] = [];
  url = '';
  port = 0;
  private readonly dispatcher: CosDispatcher;
  private readonly inflight = new WeakMap<Duplex, Exchange>();
  private closing?: Promise<void>;

  constructor(
    private readonly options: ResolvedCiEmulatorOptions,
    private readonly store: ObjectStore,
    private readonly server: Server,
    extensions: CiEmulatorExtensions,
  ) {
    super();
    const env: EmulatorEnvironment = {
      region: options.region,
      appId: options.appId,
      maxObjectSize: options.maxObjectSize,
      minPartSize: options.minPartSize,
      store,
      picProcessor: extensions.picProcessor ?? storeOnlyPicProcessor,
      credentials: new Map(options.credentials.map((c) => [c.secretId, c])),
    };
    this.dispatcher = new CosDispatcher(
      env,
      (error, exchange) => this.reportUnexpected(error, exchange),
      extensions.clock,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handle(req, res, false));
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.handle(req, res, true));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
      this.onClientError(error, socket),
    );
  }

  get host(): string {
    return this.options.host;
  }

  get region(): string {
    return this.options.region;
  }

  get appId(): string {
    return this.options.appId;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${displayHost(this.options.host)}:${this.port}`;
  }

  get buckets(): string[] {
    const configured = this.options.buckets;
    const others = this.store.listBuckets().filter((b) => !configured.includes(b.name));
    return [...configured, ...others.map((b) => b.name)];
  }

  get credentials(): CiEmulatorCredential[] {
    return this.options.credentials.map((c) => ({ ...c }));
  }

  listObjects(bucket: string, prefix?: string): EmulatorObjectInfo[] {
    return this.store.listObjects(bucket, prefix).map((m) => ({
      key: m.key,
      size: m.size,
      etag: m.etag,
      contentType: m.contentType,
      lastModified: m.lastModified,
    }));
  }

  async getObject(bucket: string, key: string): Promise<Buffer | undefined> {
    const reader = await this.store.openObject(bucket, key);
    if (!reader) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of reader.stream()) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  listMultipartUploads(bucket: string): EmulatorUploadInfo[] {
    return this.store.listMultipartUploads(bucket).map((u) => ({
      key: u.key,
      uploadId: u.uploadId,
      initiated: u.initiated,
      parts: this.store
        .listParts(bucket, u.uploadId)
        .map((p) => ({ partNumber: p.partNumber, size: p.size, etag: p.etag })),
    }));
  }

  async createBucket(name: string): Promise<void> {
    checkBucketName(name, this.options.appId);
    await this.store.createBucket(name);
  }

  async reset(): Promise<void> {
    await this.store.reset(this.options.buckets);
    this.requests.length = 0;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      await this.store.close();
    })();
    return this.closing;
  }

  private handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    const exchange = new Exchange(req, res, expectsContinue);
    const socket = req.socket;
    this.inflight.set(socket, exchange);
    // Every request speaks the COS XML API for now; another API (files-v2) gets its own dispatcher here.
    this.dispatcher
      .dispatch(exchange)
      .catch((error: unknown) => {
        this.reportUnexpected(error, exchange);
        res.destroy();
      })
      .finally(() => {
        if (this.inflight.get(socket) === exchange) this.inflight.delete(socket);
        // An early answer (an error before the body was read) leaves the body unread: drain it.
        if (!req.complete) discardBody(req, res);
        this.record(exchange);
      });
  }

  /** A request the HTTP parser rejected; a client that half-closes inside the body lands here. */
  private onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const exchange = this.inflight.get(socket);
    if (CLIENT_GONE.has(error.code ?? '') || !socket.writable || exchange?.res.headersSent) {
      socket.destroy();
      return;
    }
    let answer: CosHttpError;
    if (exchange && !exchange.req.complete && error.code === 'HPE_INVALID_EOF_STATE') {
      answer = cosErrors.incompleteBody();
    } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      answer = new CosHttpError(
        400,
        'RequestTimeout',
        'The request was not received within the time allowed.',
      );
    } else {
      answer = new CosHttpError(
        400,
        'InvalidRequest',
        `The request is not valid HTTP (${error.code ?? 'parse error'}).`,
      );
    }
    const requestId = exchange?.requestId ?? newRequestId();
    if (exchange) {
      exchange.detached = true;
      exchange.status = answer.status;
      exchange.errorCode = answer.code;
    }
    const body = Buffer.from(
      renderErrorEnvelope(answer, {
        resource: (exchange?.req.url ?? '/').replace(/\?.*$/, ''),
        requestId,
        traceId: exchange?.traceId ?? requestId,
      }),
    );
    const headers = {
      'Content-Type': 'application/xml',
      'Content-Length': body.length,
      'x-cos-request-id': requestId,
      Server: 'tencent-cos',
      Connection: 'close',
      ...corsHeaders(),
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${String(value)}\r\n`)
      .join('');
    const statusLine = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}`;
    socket.end(Buffer.concat([Buffer.from(`${statusLine}\r\n${head}\r\n`), body]));
  }

  private record(exchange: Exchange): void {
    const record: EmulatorRequestRecord = {
      requestId: exchange.requestId,
      method: exchange.req.method ?? 'GET',
      operation: exchange.operation,
      bucket: exchange.bucket,
      key: exchange.key,
      status: exchange.status ?? exchange.res.statusCode,
      errorCode: exchange.errorCode,
      durationMs: Date.now() - exchange.startedAt,
      time: new Date(exchange.startedAt),
    };
    this.requests.push(record);
    if (this.requests.length > REQUEST_LOG_LIMIT) this.requests.shift();
    const where = record.bucket ? ` ${record.bucket}/${record.key ?? ''}` : '';
    const code = record.errorCode ? ` ${record.errorCode}` : '';
    this.options.logger?.log(
      `${record.method} ${record.operation}${where} -> ${record.status}${code} (${record.durationMs} ms)`,
    );
    this.emit('request', record);
  }

  private reportUnexpected(error: unknown, exchange: Exchange): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.options.logger?.error(
      `Unexpected error in ${exchange.req.method ?? 'GET'} ${exchange.operation} (request ${exchange.requestId}): ${detail}`,
    );
  }
}

/**
 * Starts the local COS emulator and resolves once it listens.
 *
 * @example
 * const emu = await startCiEmulator({ buckets: ['photos-1250000000'] });
 * const { secretId, secretKey } = EMULATOR_DEV_CREDENTIALS;
 * const cos = new COS({ SecretId: secretId, SecretKey: secretKey, Protocol: 'http:', Proxy: emu.url });
 * await cos.putObject({ Bucket: 'photos-1250000000', Region: emu.region, Key: 'a.jpg', Body: bytes });
 * await emu.close();
 */
export async function startCiEmulator(
  options: CiEmulatorOptions = {},
  extensions: CiEmulatorExtensions = {},
): Promise<CiEmulator> {
  const resolved = resolveEmulatorOptions(options);
  const store: ObjectStore = resolved.dataDir
    ? new DiskObjectStore(resolved.dataDir)
    : new MemoryObjectStore();
  await store.open();
  for (const bucket of resolved.buckets) await store.createBucket(bucket);
  const emulator = new CiEmulatorServer(resolved, store, createServer(), extensions);
  try {
    await emulator.listen();
  } catch (error) {
    await store.close();
    throw error;
  }
  return emulator;
}

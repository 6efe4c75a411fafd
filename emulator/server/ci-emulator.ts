import { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ApiDispatcher, CosDispatcher } from '../dispatchers/cos.dispatcher';
import {
  type CiEmulatorCredential,
  type CiEmulatorOptions,
  resolveEmulatorOptions,
  type ResolvedCiEmulatorOptions,
} from './emulator.options';
import { cosErrors } from '../errors/cos-errors';
import { CosHttpError } from '../errors/cos-http.error';
import { renderErrorEnvelope } from '../errors/error-envelope';
import { FaultRegistry, ProcessingDelays, serveFaultAdmin } from '../faults';
import type { CiEmulatorFaults } from '../faults/fault.types';
import { FilesV2Dispatcher } from '../dispatchers/files-v2.dispatcher';
import { cosRoutes } from '../handlers';
import type { CosHandler, EmulatorEnvironment } from '../handlers/handler.types';
import { Exchange, newRequestId } from '../http/exchange';
import { discardBody } from '../http/request-body';
import { createCiPicProcessor } from '../processing/ci-pic-processor';
import type { PicProcessor } from '../processing/pic-processor';
import { createWatermarkLoader } from '../processing/watermark-source';
import { RequestClassifier } from './classify-request';
import { CosRouter } from '../routing/cos-router';
import { EmulatorInspection, type EmulatorObjectInfo, type EmulatorUploadInfo } from './inspection';
import {
  type AppliedFault,
  authenticateStage,
  authorizeStage,
  corsStage,
  dispatchStage,
  faultStage,
  type PipelineStage,
  runPipeline,
} from './pipeline';
import { type EmulatorRequestRecord, RequestLog } from './request-log';
import { DiskObjectStore } from '../storage/disk.store';
import { MemoryObjectStore } from '../storage/memory.store';
import { createConfiguredBuckets } from '../storage/configured-buckets';
import type { ObjectStore } from '../storage/object-store';
import type { CosCredential } from '../auth/verify-cos-signature';
import { postObjectRoutes } from '../handlers/post-object.handlers';
import { serveSts } from '../sts/sts.endpoint';

export { REQUEST_LOG_LIMIT, type EmulatorRequestRecord } from './request-log';
export type { EmulatorObjectInfo, EmulatorUploadInfo } from './inspection';

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
  /** Objects, uploads, the request log, styles and reset, as one object (the methods below delegate to it). */
  readonly inspection: EmulatorInspection;
  /** The key pairs the emulator accepts (hand the first to a client). */
  readonly credentials: readonly CiEmulatorCredential[];
  /** Fault injection: `faults.add({ match, times, action })`, `faults.clear()`. */
  readonly faults: CiEmulatorFaults;
  /** Styles `style/<name>` rules may use (a copy): the configured ones and those set since. */
  readonly styles: Readonly<Record<string, string>>;
  /** Adds or replaces a style; throws a `TypeError` when the name or the rule is not valid. */
  setStyle(name: string, rule: string): void;
  /** Removes a style; false when there was none. */
  deleteStyle(name: string): boolean;
  /** Objects of a bucket whose key starts with `prefix`, sorted by key. */
  listObjects(bucket: string, prefix?: string): EmulatorObjectInfo[];
  /** The bytes of an object, or `undefined` when there is none. */
  getObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** Open multipart uploads of a bucket, or of every bucket when none is named, with their parts. */
  listMultipartUploads(bucket?: string): EmulatorUploadInfo[];
  /** Creates a bucket (`name-appid`); nothing happens when it exists. */
  createBucket(name: string): Promise<void>;
  /**
   * Drops every object, upload and extra bucket, recreates the configured buckets, clears the request log,
   * removes every fault and puts the styles back to the configured ones.
   */
  reset(): Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  /** Calls `listener` after each request is served. */
  on(event: 'request', listener: (record: EmulatorRequestRecord) => void): this;
  off(event: 'request', listener: (record: EmulatorRequestRecord) => void): this;
}

/** Parts a test may swap: the Pic-Operations processor and the clock signatures are checked against. */
export interface CiEmulatorExtensions {
  /**
   * Default: CI processing with real pixels (`createCiPicProcessor` with the emulator's styles, limits and
   * watermark loader). `storeOnlyPicProcessor` stores uploads without processing them.
   */
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

/**
 * The emulator: a `node:http` server whose every request is classified once by the front door, then runs the
 * pipeline's named stages (`server/pipeline.ts`): CORS, authenticate, authorize, faults, dispatch; the request log
 * records it as it ends.
 */
class CiEmulatorServer extends EventEmitter implements CiEmulator {
  readonly faults = new FaultRegistry();
  readonly inspection: EmulatorInspection;
  url = '';
  port = 0;
  private readonly log: RequestLog;
  private readonly classifier: RequestClassifier<CosHandler>;
  private readonly cos: CosDispatcher;
  private readonly filesV2: FilesV2Dispatcher;
  private readonly inflight = new WeakMap<Duplex, Exchange>();
  private readonly appliedFaults = new WeakMap<Exchange, AppliedFault>();
  private readonly processingDelays = new ProcessingDelays();
  /** The stages after the front door, in order. */
  private readonly stages: readonly PipelineStage[];
  private closing?: Promise<void>;
  /** The keys the COS API accepts: the configured ones, then the temporary ones STS issued. */
  private readonly credentialMap: Map<string, CosCredential>;
  private readonly clock: () => number;

  constructor(
    private readonly options: ResolvedCiEmulatorOptions,
    private readonly store: ObjectStore,
    private readonly server: Server,
    extensions: CiEmulatorExtensions,
  ) {
    super();
    this.credentialMap = new Map(options.credentials.map((c) => [c.secretId, c]));
    this.clock = extensions.clock ?? Date.now;
    // The live style table: mutated in place, so the processors holding it see `setStyle` at once.
    const styleTable: Record<string, string> = { ...options.styles };
    this.log = new RequestLog(this, options.logger);
    const picProcessor = this.processingDelays.wrap(
      extensions.picProcessor ??
        createCiPicProcessor({
          store,
          styles: styleTable,
          limits: options.limits,
          loadWatermark: createWatermarkLoader({
            store,
            region: options.region,
            isOwnHost: (authority) => this.isOwnHost(authority),
          }),
        }),
    );
    const env: EmulatorEnvironment = {
      region: options.region,
      appId: options.appId,
      maxObjectSize: options.maxObjectSize,
      minPartSize: options.minPartSize,
      store,
      picProcessor,
      credentials: this.credentialMap,
    };
    const reportUnexpected = (error: unknown, exchange: Exchange) => this.reportUnexpected(error, exchange);
    this.classifier = new RequestClassifier(
      new CosRouter<CosHandler>().addAll(cosRoutes).addAll(postObjectRoutes(this.clock)),
      (authority) => this.isOwnHost(authority),
      {
        region: options.region,
        hasBucket: (bucket) => store.hasBucket(bucket),
        hasObject: (bucket, key) => store.headObject(bucket, key) !== undefined,
        hasStyle: picProcessor.hasStyle?.bind(picProcessor),
      },
    );
    this.cos = new CosDispatcher(env, reportUnexpected, extensions.clock);
    // The seed's files-v2 API (POST /files/v2/...) over the same store, styles and processing limits.
    this.filesV2 = new FilesV2Dispatcher({
      picProcessor,
      appId: options.appId,
      store,
      credentials: options.credentials,
      maxObjectSize: options.maxObjectSize,
      emulatorUrl: () => this.url,
      clock: extensions.clock,
      reportUnexpected,
    });
    this.inspection = new EmulatorInspection({
      store,
      log: this.log,
      appId: options.appId,
      configuredBuckets: options.buckets,
      configuredBucketAcl: options.bucketAcl,
      configuredStyles: options.styles,
      styleTable,
      onReset: () => {
        this.filesV2.reset();
        this.faults.clear();
      },
    });
    this.stages = [
      corsStage(store, options.defaultCors),
      authenticateStage,
      authorizeStage,
      faultStage(this.faults, this.processingDelays, this.appliedFaults),
      dispatchStage(reportUnexpected),
    ];
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

  get requests(): readonly EmulatorRequestRecord[] {
    return this.inspection.requests;
  }

  get buckets(): string[] {
    const configured = this.options.buckets;
    const others = this.store.listBuckets().filter((b) => !configured.includes(b.name));
    return [...configured, ...others.map((b) => b.name)];
  }

  get credentials(): CiEmulatorCredential[] {
    return this.options.credentials.map((c) => ({ ...c }));
  }

  get styles(): Record<string, string> {
    return this.inspection.styles;
  }

  setStyle(name: string, rule: string): void {
    this.inspection.setStyle(name, rule);
  }

  deleteStyle(name: string): boolean {
    return this.inspection.deleteStyle(name);
  }

  listObjects(bucket: string, prefix?: string): EmulatorObjectInfo[] {
    return this.inspection.listObjects(bucket, prefix);
  }

  getObject(bucket: string, key: string): Promise<Buffer | undefined> {
    return this.inspection.getObject(bucket, key);
  }

  listMultipartUploads(bucket?: string): EmulatorUploadInfo[] {
    return this.inspection.listMultipartUploads(bucket);
  }

  createBucket(name: string): Promise<void> {
    return this.inspection.createBucket(name);
  }

  reset(): Promise<void> {
    return this.inspection.reset();
  }

  /**
   * True for an authority (`host[:port]`) that addresses the emulator itself rather than a bucket: its port,
   * and an IP address, `localhost` or the configured host.
   */
  isOwnHost(authority: string | undefined): boolean {
    const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(authority ?? '');
    if (!match || Number(match[2] ?? 80) !== this.port) return false;
    const hostname = match[1].toLowerCase();
    return (
      hostname === 'localhost' ||
      hostname === this.options.host.toLowerCase() ||
      isIP(hostname.replace(/^\[|\]$/g, '')) !== 0
    );
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.processingDelays.close();
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      await this.store.close();
    })();
    return this.closing;
  }

  /**
   * One request: the front door classifies it once (API, operation, bucket and its existence, key, files-v2
   * address, style, resource); the fault admin endpoint is served apart; every other request runs the stages.
   */
  private handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    const request = this.classifier.classify(req);
    if (request.api === 'admin') {
      void serveFaultAdmin(req, res, this.faults, (authority) => this.isOwnHost(authority));
      return;
    }
    if (request.api === 'sts') {
      const sts = { permanent: this.options.credentials, issued: this.credentialMap, clock: this.clock };
      serveSts(req, res, sts).catch(() => res.destroy());
      return;
    }
    const exchange = new Exchange(req, res, expectsContinue, request);
    const socket = req.socket;
    this.inflight.set(socket, exchange);
    const finish = () => {
      if (this.inflight.get(socket) === exchange) this.inflight.delete(socket);
      // An early answer (an error before the body was read) leaves the body unread: drain it.
      if (!req.complete) discardBody(req, res);
      this.log.record(exchange, this.appliedFaults.get(exchange));
    };
    const api: ApiDispatcher = request.api === 'files-v2' ? this.filesV2 : this.cos;
    runPipeline(this.stages, { request, exchange, api, finish });
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
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${String(value)}\r\n`)
      .join('');
    const statusLine = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}`;
    socket.end(Buffer.concat([Buffer.from(`${statusLine}\r\n${head}\r\n`), body]));
  }

  private reportUnexpected(error: unknown, exchange: Exchange): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.options.logger?.error(
      `Unexpected error in ${exchange.req.method ?? 'GET'} ${exchange.operation} (request ${exchange.requestId}): ${detail}`,
    );
  }
}

/**
 * Starts the local COS + CI emulator and resolves once it listens. `Pic-Operations` requests are processed
 * with real pixels by default.
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
  await createConfiguredBuckets(store, resolved.buckets, resolved.bucketAcl);
  const emulator = new CiEmulatorServer(resolved, store, createServer(), extensions);
  for (const fault of resolved.faults) emulator.faults.add(fault);
  try {
    await emulator.listen();
  } catch (error) {
    await store.close();
    throw error;
  }
  return emulator;
}

import type { IncomingMessage } from 'node:http';
import { verifyFilesV2Signature, filesV2FileId } from '../../lib/protocol/files-v2';
import type { ApiDispatcher, Caller } from './api-dispatcher';
import { isDisconnect } from '../http/disconnect';
import { isSharpLoadError, missingSharpError } from '../errors/missing-sharp';
import type { Exchange } from '../http/exchange';
import type { PicProcessor } from '../processing/pic-processor';
import { isCiProcessingError } from '../processing/processing.error';
import type { ObjectStore } from '../storage/object-store';
import { FilesV2LinkBuilder, sendFilesV2Error } from '../files-v2/envelope';
import {
  FILES_V2_CODES,
  FilesV2Error,
  filesV2Errors,
  isFilesV2Error,
  picProcessorError,
  processingError,
  signatureError,
} from '../files-v2/files-v2.errors';
import { FilesV2Operations } from '../files-v2/files-v2.operations';
import type { FilesV2Address } from '../files-v2/files-v2.path';
import type { ClassifiedRequest } from '../routing/classified-request';
import { SLICE_SESSION_TTL_MS, SliceSessions } from '../files-v2/slice-sessions';

/** Options of {@link FilesV2Dispatcher}. */
export interface FilesV2DispatcherOptions {
  /** APPID of the emulator's buckets. */
  appId: string;
  /** The store the XML API serves too: a file uploaded here is an object there, and the other way round. */
  store: ObjectStore;
  /** Key pairs whose signatures are accepted (a `securityToken` is ignored: v4 signatures carry none). */
  credentials: ReadonlyArray<{ secretId: string; secretKey: string }>;
  /** Largest file in bytes. */
  maxObjectSize: number;
  /** The emulator's URL (`http://127.0.0.1:PORT`), for `source_url` and `url`; read when an answer is built. */
  emulatorUrl: () => string;
  /** Milliseconds since the epoch, for signature expiry. Default `Date.now`. */
  clock?: () => number;
  /**
   * The processing port, the same the XML API uses (the emulator passes its `extensions.picProcessor`, default
   * `createCiPicProcessor`): `Pic-Operations` is validated and run through it.
   */
  picProcessor: PicProcessor;
  /** Slice sessions idle longer than this are dropped. Default 24 h. */
  sliceSessionTtlMs?: number;
  /** Told about unexpected errors (a bug, a disk failure) before the client gets -5000. */
  reportUnexpected?: (error: unknown, exchange: Exchange) => void;
}

/**
 * The seed's files-v2 API (`POST /files/v2/<appid>/<bucket>/<key>`, multipart forms, multi-effect signature, JSON
 * envelope) over the emulator's store, with CI processing through the emulator's `PicProcessor` port. Checks, in
 * order: the method (POST), the path, the signature (HMAC, expiry, APPID and bucket of the path, `f` when set), the
 * bucket; then reads the form and runs its `op` ({@link FilesV2Operations}), which has the port validate
 * `Pic-Operations` before the file's bytes are read.
 *
 * @example
 * const filesV2 = new FilesV2Dispatcher({ appId, store, credentials, maxObjectSize, emulatorUrl: () => url, picProcessor });
 * filesV2.authenticate(exchange); // throws the error to answer
 * await filesV2.serve(exchange);
 */
export class FilesV2Dispatcher implements ApiDispatcher {
  private readonly operations: FilesV2Operations;
  private readonly secretKeys: ReadonlyMap<string, string>;
  private readonly clock: () => number;
  private readonly sessions: SliceSessions;

  constructor(private readonly options: FilesV2DispatcherOptions) {
    this.clock = options.clock ?? Date.now;
    this.secretKeys = new Map(options.credentials.map((c) => [c.secretId, c.secretKey]));
    this.sessions = new SliceSessions(
      options.store,
      this.clock,
      options.sliceSessionTtlMs ?? SLICE_SESSION_TTL_MS,
    );
    this.operations = new FilesV2Operations({
      store: options.store,
      links: new FilesV2LinkBuilder(options.appId, options.emulatorUrl),
      maxObjectSize: options.maxObjectSize,
      sessions: this.sessions,
      picProcessor: options.picProcessor,
    });
  }

  /** Open slice sessions (for tests and the request log). */
  get openSliceSessions(): number {
    return this.sessions.size;
  }

  /** Forgets every open slice session (the emulator's `reset`, which drops their uploads). */
  reset(): void {
    this.sessions.clear();
  }

  /**
   * The auth stage: the method (POST), the path, the signature (HMAC, expiry, APPID and bucket of the path, `f`
   * when set) and the bucket; throws the files-v2 error to answer.
   */
  authenticate(exchange: Exchange): Caller {
    if ((exchange.req.method ?? 'GET').toUpperCase() !== 'POST') {
      throw new FilesV2Error(405, FILES_V2_CODES.methodNotAllowed, 'files-v2 requests are POST');
    }
    const { filesV2: address, error, bucketExists } = filesV2Request(exchange);
    if (!address)
      throw error ?? filesV2Errors.invalidParameter('the path must be /files/v2/<appid>/<bucket>/<key>');
    this.checkSignature(exchange.req, address);
    if (!bucketExists) throw filesV2Errors.noSuchBucket(address.bucket);
    return 'signed';
  }

  /** Every files-v2 request is signed (checked above), and the emulator's key pairs own every bucket. */
  authorize(): void {}

  /** Serves an authenticated request: reads the form, runs its `op`; never rejects. */
  async serve(exchange: Exchange): Promise<void> {
    try {
      const address = filesV2Request(exchange).filesV2;
      if (!address) throw new Error('files-v2: serving a request the auth stage refused');
      const header = exchange.req.headers['pic-operations'];
      const picOperations = Array.isArray(header) ? header.join(', ') : header;
      exchange.continueIfExpected();
      await this.operations.run(exchange, address, picOperations);
    } catch (error) {
      this.fail(exchange, error);
    }
  }

  /** The multi-effect signature, from `Authorization` (PHP, Python) or `?sign=` (JS v4). */
  private checkSignature(req: IncomingMessage, address: FilesV2Address): void {
    const fromQuery = new URL(req.url ?? '/', 'http://x').searchParams.get('sign') ?? undefined;
    const sign = req.headers.authorization ?? fromQuery;
    if (!sign) throw signatureError('MISSING');
    const verdict = verifyFilesV2Signature(sign, {
      secretKeyFor: (secretId) => this.secretKeys.get(secretId),
      now: this.clock,
      expected: {
        appId: address.appId,
        bucket: address.bucketShort,
        fileId: filesV2FileId(address.appId, address.bucketShort, address.key),
      },
    });
    if (!verdict.ok) throw signatureError(verdict.reason);
  }

  /** Answers an error in the JSON envelope; an unexpected one is reported and answered -5000. */
  fail(exchange: Exchange, error: unknown): void {
    let answer: FilesV2Error;
    if (isFilesV2Error(error)) answer = error;
    else if (isCiProcessingError(error)) answer = processingError(error);
    else if (isSharpLoadError(error)) answer = picProcessorError(missingSharpError(error)) as FilesV2Error;
    else {
      if (exchange.canRespond || !isDisconnect(error)) this.options.reportUnexpected?.(error, exchange);
      answer = filesV2Errors.internalError();
    }
    sendFilesV2Error(exchange, answer);
  }
}

function filesV2Request(exchange: Exchange): ClassifiedRequest {
  if (!exchange.request) throw new Error('the front door did not classify this request');
  return exchange.request;
}

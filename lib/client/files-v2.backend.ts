import { Readable } from 'node:stream';
import { CiProtocolError } from '../core/errors';
import {
  createFilesV2Signature,
  filesV2ImageProcessRequest,
  filesV2SliceDataRequest,
  filesV2SliceFinishRequest,
  filesV2SliceInitRequest,
  filesV2UploadRequest,
  parseFilesV2Envelope,
  parseSliceInitResult,
  toFilesV2Result,
  type FilesV2Request,
  type FilesV2Result,
  type FilesV2Target,
} from '../protocol/files-v2';
import type { CiObjectResult } from './ci-client.results';
import type { CredentialsCache } from './credentials';
import type { HttpTransport } from './http-transport';
import { withRetry, type RetryPolicy } from './retry';
import type { MultipartSession, UploadRequestOptions, UploadTarget } from './upload-target';

/** What the files-v2 backend needs. */
export interface FilesV2BackendConfig {
  appId: string;
  /** Full bucket name `<name>-<appid>`. */
  bucket: string;
  credentials: CredentialsCache;
  transport: HttpTransport;
  retry: RetryPolicy;
  signatureTtlSeconds: number;
  now: () => number;
}

/** The seed's JSON API: `POST /files/v2/<appid>/<bucket>/<key>` forms, multi-effect signature, JSON envelope. */
export class FilesV2Backend implements UploadTarget {
  /** v4 slices declare the file size at init. */
  readonly multipartNeedsSize = true;
  /**
   * One `op=upload` request up to 20 MB, the largest image CI processes on upload (the seed: "images with a size
   * of less than 20 MB"); larger known sizes go in slices.
   */
  readonly maxSingleBytes = 20 * 1024 * 1024;
  private readonly shortBucket: string;

  constructor(private readonly config: FilesV2BackendConfig) {
    this.shortBucket = config.bucket.slice(0, config.bucket.lastIndexOf('-'));
  }

  private target(key: string): FilesV2Target {
    return { appId: this.config.appId, bucket: this.shortBucket, key };
  }

  private async authorization(): Promise<string> {
    const c = this.config;
    const credentials = await c.credentials.get();
    return createFilesV2Signature({
      appId: c.appId,
      bucket: this.shortBucket,
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      expiresAt: Math.floor(c.now() / 1000) + c.signatureTtlSeconds,
      now: c.now,
    });
  }

  /** Sends a form built afresh for each attempt (a streamed body cannot be sent twice). */
  private async send(
    build: (authorization: string) => FilesV2Request,
    options: { signal?: AbortSignal; retry?: boolean; piped?: boolean; onFailure?: (err: unknown) => void },
  ): Promise<{ data?: Record<string, unknown>; requestId?: string }> {
    const attempt = async () => {
      const request = build(await this.authorization());
      const res = await this.config.transport.send({
        method: request.method,
        target: request.path,
        headers: request.headers,
        body: request.body,
        signal: options.signal,
        read: 'text',
        piped: options.piped,
      });
      const envelope = parseFilesV2Envelope(res.text, res.statusCode, { method: 'POST', path: request.path });
      return { data: envelope.data, requestId: envelope.requestId };
    };
    const once = () =>
      attempt().catch((err: unknown) => {
        options.onFailure?.(err);
        throw err;
      });
    return options.retry ? withRetry(once, this.config.retry, options.signal) : once();
  }

  private result(
    key: string,
    r: FilesV2Result,
    requestId: string | undefined,
    size?: number,
  ): CiObjectResult {
    return { key, bucket: this.config.bucket, size, requestId, ...r };
  }

  /** `op=upload` with the whole file, exact Content-Length. */
  async putSingle(
    key: string,
    body: readonly Buffer[] | Readable,
    size: number,
    options: UploadRequestOptions,
  ): Promise<CiObjectResult> {
    const piped = body instanceof Readable;
    const { data, requestId } = await this.send(
      (authorization) =>
        filesV2UploadRequest(
          this.target(key),
          { authorization, picOperations: options.picOperations },
          {
            file: piped ? body : Readable.from(body),
            fileLength: size,
            insertOnly: options.insertOnly ?? 0,
          },
        ),
      // A piped body can be sent once only.
      { signal: options.signal, retry: !options.picOperations && !piped, piped },
    );
    return this.result(key, toFilesV2Result(data), requestId, size);
  }

  /** Opens a v4 slice upload: init and finish carry Pic-Operations (the seed's note on multipart). */
  async openMultipart(key: string, options: UploadRequestOptions): Promise<MultipartSession> {
    const fileSize = options.size;
    if (fileSize === undefined)
      throw new CiProtocolError('files-v2 slice upload needs the file size up front');
    const init = await this.send(
      (authorization) =>
        filesV2SliceInitRequest(
          this.target(key),
          { authorization, picOperations: options.picOperations },
          { fileSize, sliceSize: options.partSize ?? 1024 * 1024, insertOnly: options.insertOnly ?? 0 },
        ),
      // As for cos-v5: init and finish are not cut off mid-flight (see CosV5Backend.openMultipart).
      {},
    );
    const started = parseSliceInitResult(init.data);
    if (!started.complete && started.sliceSize !== undefined && started.sliceSize !== options.partSize) {
      // Parts are cut before they are sent: a server that wants another slice size cannot be served.
      throw new CiProtocolError(
        `files-v2 asked for slices of ${started.sliceSize} bytes; this upload sends ${options.partSize}: set upload.partSize`,
      );
    }
    if (started.complete) {
      const done = this.result(key, started.result, init.requestId, fileSize);
      return { uploadPart: async () => {}, complete: async () => done, abort: async () => {} };
    }
    // The server may ask for one slice at a time.
    let chain: Promise<unknown> = Promise.resolve();
    return {
      uploadPart: (_partNumber, offset, chunks, sliceLength, signal) => {
        const send = () =>
          this.send(
            (authorization) =>
              filesV2SliceDataRequest(
                this.target(key),
                { authorization },
                { session: started.session, offset, slice: Readable.from(chunks), sliceLength },
              ),
            { signal: signal ?? options.signal, retry: true },
          ).then(() => undefined);
        if (!started.serialUpload) return send();
        const next = chain.then(send);
        chain = next.catch(() => undefined);
        return next;
      },
      complete: async (totalSize) => {
        const { data, requestId } = await this.send(
          (authorization) =>
            filesV2SliceFinishRequest(
              this.target(key),
              { authorization, picOperations: options.picOperations },
              { session: started.session, fileSize: totalSize },
            ),
          {},
        );
        return this.result(key, toFilesV2Result(data), requestId, totalSize);
      },
      // The v4 API has no abort call: an unfinished slice session expires on the server (24 h on the emulator).
      abort: async () => {},
    };
  }

  /** `op=image_process` on a stored file; retried (no streaming body). */
  async processObject(
    key: string,
    picOperations: string,
    signal?: AbortSignal,
    insertOnly?: 0 | 1,
    onFailure?: (err: unknown) => void,
  ): Promise<CiObjectResult> {
    const { data, requestId } = await this.send(
      (authorization) =>
        filesV2ImageProcessRequest(this.target(key), { authorization, picOperations }, { insertOnly }),
      { signal, retry: true, onFailure },
    );
    return this.result(key, toFilesV2Result(data), requestId);
  }
}

/** Parses a files-v2 JSON error envelope for {@link HttpTransport}. */
export function parseFilesV2ErrorBody(statusCode: number, text: string) {
  try {
    parseFilesV2Envelope(text, statusCode);
    return undefined;
  } catch (err) {
    const e = err as { ciCode?: string; ciMessage?: string; requestId?: string };
    return e.ciCode ? { code: e.ciCode, message: e.ciMessage ?? '', requestId: e.requestId } : undefined;
  }
}

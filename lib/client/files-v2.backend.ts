import { Readable } from 'node:stream';
import { CiProtocolError, CiValidationError, isCiResponseError } from '../core/errors';
import { parsePicOperations, resolveFileId } from '../core/pic-operations';
import {
  createFilesV2Signature,
  filesV2FileId,
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
import type { CiObjectHead, CiObjectResult } from './ci-client.results';
import { carriesMarker, CreateAttempts, newAttemptMarker } from './own-attempt';
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
  /** HEAD of an object of `bucket` (default the backend's) through the XML API (files-v2 has none). */
  head: (key: string, signal?: AbortSignal, bucket?: string) => Promise<CiObjectHead>;
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
    if (credentials.securityToken) throw filesV2TokenError();
    return createFilesV2Signature({
      appId: c.appId,
      bucket: this.shortBucket,
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      expiresAt: Math.floor(c.now() / 1000) + c.signatureTtlSeconds,
      now: c.now,
    });
  }

  /**
   * A signature valid for the one file `key` (`f` bound to it) until `expiresIn` seconds from now: what an upload
   * ticket hands a browser instead of the bucket-wide multi-effect signature.
   */
  async singleFileAuthorization(key: string, expiresIn: number): Promise<string> {
    const c = this.config;
    const credentials = await c.credentials.get();
    return createFilesV2Signature({
      appId: c.appId,
      bucket: this.shortBucket,
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      expiresAt: Math.floor(c.now() / 1000) + expiresIn,
      now: c.now,
      fileId: filesV2FileId(c.appId, this.shortBucket, key),
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

  /**
   * `op=upload` with the whole file, exact Content-Length. Retried without Pic-Operations; under insertOnly every
   * attempt carries one marker in `biz_attr`, so a retry that meets what a lost attempt stored can tell it is its
   * own (through a HEAD of `x-cos-meta-biz-attr`) and answer success.
   */
  async putSingle(
    key: string,
    body: readonly Buffer[] | Readable,
    size: number,
    options: UploadRequestOptions,
  ): Promise<CiObjectResult> {
    const piped = body instanceof Readable;
    // A piped body can be sent once only.
    const retry = !options.picOperations && !piped;
    const insertOnly = options.insertOnly ?? 0;
    const marker = options.marker ?? (retry && insertOnly === 1 ? newAttemptMarker() : undefined);
    const attempts = new CreateAttempts();
    try {
      const { data, requestId } = await this.send(
        (authorization) =>
          filesV2UploadRequest(
            this.target(key),
            { authorization, picOperations: options.picOperations },
            { file: piped ? body : Readable.from(body), fileLength: size, insertOnly, bizAttr: marker },
          ),
        { signal: options.signal, retry, piped, onFailure: attempts.onFailure },
      );
      return this.result(key, toFilesV2Result(data), requestId, size);
    } catch (err) {
      if (!marker || !attempts.mayBeOwnConflict(err)) throw err;
      const head = await this.config.head(key, options.signal).catch(() => undefined);
      if (!head || !carriesMarker(head, marker)) throw err;
      return { key, bucket: this.config.bucket, size, etag: head.etag, imageInfo: { processResults: [] } };
    }
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
          {
            fileSize,
            sliceSize: options.partSize ?? 1024 * 1024,
            insertOnly: options.insertOnly ?? 0,
            bizAttr: options.marker,
          },
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

  /**
   * `op=image_process` on a stored file; retried (no streaming body). Under insertOnly, the outputs are looked up
   * first (HEAD): a retry refused because an output exists is a success when every output is new since then (an
   * attempt whose answer was lost wrote them), and stays the conflict when one was already there.
   */
  async processObject(
    key: string,
    picOperations: string,
    signal?: AbortSignal,
    insertOnly?: 0 | 1,
    onFailure?: (err: unknown) => void,
  ): Promise<CiObjectResult> {
    const outputs = insertOnly === 1 ? this.outputsOf(key, picOperations) : [];
    const before = await Promise.all(outputs.map((o) => this.etagOf(o, signal)));
    const attempts = new CreateAttempts();
    try {
      const { data, requestId } = await this.send(
        (authorization) =>
          filesV2ImageProcessRequest(this.target(key), { authorization, picOperations }, { insertOnly }),
        {
          signal,
          retry: true,
          onFailure: (err) => {
            attempts.onFailure(err);
            onFailure?.(err);
          },
        },
      );
      return this.result(key, toFilesV2Result(data), requestId);
    } catch (err) {
      if (outputs.length === 0 || !attempts.mayBeOwnConflict(err)) throw err;
      const heads = await Promise.all(
        outputs.map((o) => this.config.head(o.key, signal, o.bucket).catch(() => undefined)),
      );
      if (heads.some((h, i) => !h || (before[i] !== undefined && h.etag === before[i]))) throw err;
      const processResults = outputs.map((o, i) => ({ ...o, size: heads[i]!.size, raw: {} }));
      return { key, bucket: this.config.bucket, imageInfo: { processResults } };
    }
  }

  /** The objects the rules of `picOperations` write for the source `key`. */
  private outputsOf(key: string, picOperations: string): { key: string; bucket: string }[] {
    return parsePicOperations(picOperations).rules.map((r) => ({
      key: resolveFileId(key, r.fileid),
      bucket: r.bucket ?? this.config.bucket,
    }));
  }

  /** The ETag of an object now, `undefined` when there is none; a failed HEAD throws (nothing is assumed). */
  private async etagOf(
    o: { key: string; bucket: string },
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    try {
      return (await this.config.head(o.key, signal, o.bucket)).etag ?? '';
    } catch (err) {
      if (isCiResponseError(err) && err.statusCode === 404) return undefined;
      throw err;
    }
  }
}

/**
 * A temporary key on files-v2: the seed's request carries only the multi-effect signature, which has no field for
 * a session token, and no source says how files-v2 carries one; signing without it would drop it silently.
 */
export function filesV2TokenError(): CiValidationError {
  return new CiValidationError(
    'OPTIONS_INVALID',
    'files-v2 cannot carry an STS session token (its multi-effect signature has no field for one): use protocol ' +
      "'cos-v5' with temporary credentials",
    { field: 'credentials.securityToken' },
  );
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

import { Readable } from 'node:stream';
import { CiResponseError, isCiNetworkError, isCiResponseError, isCiTimeoutError } from '../core/errors';
import {
  createObjectUrl,
  createPresignedUrl,
  createPostObjectForm,
  getObjectTaggingRequest,
  listObjectsRequest,
  parseListBucketResult,
  parseTagging,
  putObjectTaggingRequest,
  type CosListedObject,
  type PostObjectFormInput,
  imageMetadataRequest,
  type CiImageMetadataKind,
  abortMultipartUploadRequest,
  completeMultipartUploadRequest,
  deleteObjectRequest,
  formatAuthorization,
  getObjectRequest,
  headObjectRequest,
  imageProcessRequest,
  initiateMultipartUploadRequest,
  listMultipartUploadsRequest,
  parseCompleteMultipartUploadResult,
  parseCosError,
  parseInitiateMultipartUploadResult,
  parseListMultipartUploadsResult,
  parseUploadResult,
  putObjectRequest,
  requestTarget,
  signCosRequest,
  signingPathname,
  unquoteEtag,
  uploadPartRequest,
  type CosCompletedPart,
  type CosMultipartUpload,
  type CosRequest,
} from '../protocol/cos-v5';
import type { CiObjectDownload, CiObjectHead, CiObjectResult } from './ci-client.results';
import type { CredentialsCache } from './credentials';
import { HttpTransport, type TransportBody, type TransportResponse } from './http-transport';
import { CI_ATTEMPT_METADATA, carriesMarker, CreateAttempts, newAttemptMarker } from './own-attempt';
import { withRetry, type RetryPolicy } from './retry';
import type { MultipartSession, UploadRequestOptions, UploadTarget } from './upload-target';

/** What the COS v5 backend needs to address and sign requests. */
export interface CosV5BackendConfig {
  bucket: string;
  region: string;
  /** Host header to send (the endpoint's host, or the bucket's virtual host). */
  host: string;
  /** Set for path-style addressing: the bucket goes first in the path. */
  pathStyle: boolean;
  /** Origin used to build pre-signed URLs and locations (`https://host`). */
  origin: string;
  credentials: CredentialsCache;
  transport: HttpTransport;
  retry: RetryPolicy;
  signatureTtlSeconds: number;
  now: () => number;
}

/** How {@link CosV5Backend.getObjectUrl} builds a URL. */
export interface CosObjectUrlOptions {
  /** Validity in seconds of a signed URL. Default: the signature TTL. */
  expiresIn?: number;
  /** HTTP method of a signed URL. Default `GET`. */
  method?: string;
  /** Download-time processing rule text (decoded). */
  processing?: string;
  /** A style applied by separator. */
  style?: { separator: string; name: string };
  /** `false`: a plain URL, not signed. Default `true`. */
  signed?: boolean;
  /** Headers the request will carry that the signature binds (`content-type`, `pic-operations`). Default: none. */
  headers?: Record<string, string>;
  /** Origin of a plain URL (a CDN domain). Default: the COS origin. */
  origin?: string;
}

interface SendOptions {
  body?: TransportBody;
  signal?: AbortSignal;
  read?: 'text' | 'stream' | 'none';
  /** Idempotent requests without a streaming body are retried; the others are sent once. */
  retry?: boolean;
  /** Told of every failed attempt (before a retry or the final throw). */
  onFailure?: (err: unknown) => void;
}

/** `headers` with the upload's marker as user metadata (`x-cos-meta-ci-attempt`), when there is one. */
function withMarker(headers: Record<string, string> | undefined, marker: string | undefined) {
  return marker ? { ...headers, [`x-cos-meta-${CI_ATTEMPT_METADATA}`]: marker } : headers;
}

function header(res: TransportResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The current COS XML API: PUT Object, multipart, `?image_process`, q-sign signatures. */
export class CosV5Backend implements UploadTarget {
  readonly multipartNeedsSize = false;
  /** COS PUT Object takes up to 5 GB (COS API documentation, "PUT Object"). */
  readonly maxSingleBytes = 5 * 1024 * 1024 * 1024;
  /** Milliseconds added to the local clock, learnt from the server on `RequestTimeTooSkewed`. */
  private clockOffsetMs = 0;

  constructor(private readonly config: CosV5BackendConfig) {}

  /** Sends one request, signed; retries idempotent ones; corrects clock skew once. */
  async send(request: CosRequest, options: SendOptions = {}): Promise<TransportResponse> {
    const attempt = () => this.sendSigned(request, options);
    const once = async () => {
      try {
        return await attempt();
      } catch (err) {
        // A piped body is consumed: the offset is learnt for the next request, this one fails.
        if (this.learnClockSkew(err) && !(options.body instanceof Readable)) return attempt();
        options.onFailure?.(err);
        throw err;
      }
    };
    return options.retry ? withRetry(once, this.config.retry, options.signal) : once();
  }

  private async sendSigned(request: CosRequest, options: SendOptions): Promise<TransportResponse> {
    const c = this.config;
    const credentials = await c.credentials.get();
    const headers: Record<string, string> = { ...request.headers, host: c.host };
    if (credentials.securityToken) headers['x-cos-security-token'] = credentials.securityToken;
    const signature = signCosRequest({
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      method: request.method,
      pathname: signingPathname(request),
      query: request.query,
      headers,
      expiresIn: c.signatureTtlSeconds,
      now: () => c.now() + this.clockOffsetMs,
    });
    headers.authorization = formatAuthorization(credentials.secretId, signature);
    return c.transport.send({
      method: request.method,
      target: requestTarget(request, c.pathStyle ? c.bucket : undefined),
      headers,
      body: options.body ?? request.body,
      signal: options.signal,
      read: options.read ?? 'text',
      piped: options.body instanceof Readable,
    });
  }

  private learnClockSkew(err: unknown): boolean {
    if (!isCiResponseError(err) || err.statusCode !== 403 || !err.serverDate) return false;
    const skewed = err.ciCode === 'RequestTimeTooSkewed' || /request has expired/i.test(err.ciMessage);
    const serverNow = Date.parse(err.serverDate);
    if (!skewed || Number.isNaN(serverNow)) return false;
    this.clockOffsetMs = serverNow - this.config.now();
    return true;
  }

  private location(key: string): string {
    return `${this.config.origin.replace(/^https?:\/\//, '')}/${this.config.pathStyle ? this.config.bucket + '/' : ''}${key}`;
  }

  private result(key: string, res: TransportResponse, size: number | undefined): CiObjectResult {
    const etag = unquoteEtag(header(res, 'etag'));
    const imageInfo = res.text.trim() ? parseUploadResult(res.text) : { processResults: [] };
    return {
      key,
      bucket: this.config.bucket,
      size,
      etag: etag ?? imageInfo.originalInfo?.etag,
      requestId: header(res, 'x-cos-request-id'),
      location: this.location(key),
      imageInfo,
    };
  }

  /** PUT Object with the whole body. */
  async putSingle(
    key: string,
    body: readonly Buffer[] | Readable,
    size: number,
    options: UploadRequestOptions,
  ): Promise<CiObjectResult> {
    // Without Pic-Operations a PUT is idempotent: safe to retry when its body is in memory (a piped body can be
    // sent once only). Under insertOnly a retry may meet what a lost attempt stored: the marker tells that object
    // from someone else's.
    const retry = !options.picOperations && !(body instanceof Readable);
    const marker = options.marker ?? (retry && options.insertOnly === 1 ? newAttemptMarker() : undefined);
    const request = putObjectRequest(key, {
      ...options,
      headers: withMarker(options.headers, marker),
      contentLength: size,
      forbidOverwrite: options.insertOnly === 1,
    });
    const attempts = new CreateAttempts();
    try {
      const res = await this.send(request, {
        body,
        signal: options.signal,
        retry,
        onFailure: attempts.onFailure,
      });
      return this.result(key, res, size);
    } catch (err) {
      if (!marker || !attempts.mayBeOwnConflict(err)) throw err;
      const head = await this.headObject(key, options.signal).catch(() => undefined);
      if (!head || !carriesMarker(head, marker)) throw err;
      return { ...this.ownResult(key, head), size };
    }
  }

  /** The result of an upload whose own earlier attempt stored the object (its answer was lost). */
  private ownResult(key: string, head: CiObjectHead): CiObjectResult {
    return {
      key,
      bucket: this.config.bucket,
      size: head.size,
      etag: head.etag,
      requestId: head.requestId,
      location: this.location(key),
      imageInfo: { processResults: [] },
    };
  }

  /** Initiates a multipart upload whose Complete carries Pic-Operations. */
  async openMultipart(key: string, options: UploadRequestOptions): Promise<MultipartSession> {
    // Initiate and Complete are not cut off by the caller's signal: cut mid-flight, they could leave an upload
    // or an object we never hear of. streamingUpload checks the signal around them instead.
    const started = Date.now();
    // An attempt whose answer was lost (reset, timeout) may have opened an upload all the same: the retry's
    // upload is ours, its predecessors are found by listing and aborted (now, and again when this one ends).
    let lost = false;
    const init = await this.send(
      initiateMultipartUploadRequest(key, {
        ...options,
        headers: withMarker(options.headers, options.marker),
      }),
      {
        retry: true,
        onFailure: (err) => (lost ||= isCiTimeoutError(err) || isCiNetworkError(err)),
      },
    );
    const { uploadId } = parseInitiateMultipartUploadResult(init.text);
    const abortPredecessors = () => (lost ? this.abortUploadsOf(key, started, uploadId) : Promise.resolve());
    await abortPredecessors();
    const parts: CosCompletedPart[] = [];
    return {
      uploadPart: async (partNumber, _offset, chunks, size, signal) => {
        const res = await this.send(uploadPartRequest(key, uploadId, partNumber, size), {
          body: chunks,
          signal: signal ?? options.signal,
          read: 'none',
          retry: true,
        });
        parts.push({ partNumber, etag: unquoteEtag(header(res, 'etag')) ?? '' });
      },
      complete: async (totalSize) => {
        const request = completeMultipartUploadRequest(key, uploadId, parts, {
          picOperations: options.picOperations,
          forbidOverwrite: options.insertOnly === 1,
        });
        await abortPredecessors();
        const res = await this.send(request);
        const done = parseCompleteMultipartUploadResult(res.text);
        return {
          key,
          bucket: this.config.bucket,
          size: totalSize,
          etag: done.etag,
          requestId: header(res, 'x-cos-request-id'),
          location: done.location ?? this.location(key),
          imageInfo: done.imageInfo,
        };
      },
      // Not tied to the caller's signal: the caller may have aborted, and the upload must still be dropped.
      abort: () =>
        Promise.all([this.abortMultipartUpload(key, uploadId), abortPredecessors()]).then(
          () => undefined,
          () => {
            /* best effort: a lifecycle rule or the next abort clears what is left */
          },
        ),
    };
  }

  /**
   * Aborts the multipart uploads of `key` opened since `since` (1 s of slack for clock granularity), except
   * `keep`: those an attempt with a lost answer opened. Best effort, never throws.
   */
  async abortUploadsOf(key: string, since: number, keep?: string): Promise<void> {
    try {
      const uploads = await this.listMultipartUploads(key);
      const ours = uploads.filter(
        (u) =>
          u.key === key && u.uploadId !== keep && (!u.initiated || Date.parse(u.initiated) >= since - 1000),
      );
      await Promise.all(ours.map((u) => this.abortMultipartUpload(u.key, u.uploadId)));
    } catch {
      /* best effort: the caller's unknown-outcome clean-up looks again */
    }
  }

  /** Aborts a multipart upload. */
  async abortMultipartUpload(key: string, uploadId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.send(abortMultipartUploadRequest(key, uploadId), { signal, read: 'none', retry: true });
    } catch (err) {
      if (!(isCiResponseError(err) && err.ciCode === 'NoSuchUpload')) throw err;
    }
  }

  /** Lists open multipart uploads. */
  async listMultipartUploads(prefix?: string, signal?: AbortSignal): Promise<CosMultipartUpload[]> {
    const out: CosMultipartUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const res = await this.send(listMultipartUploadsRequest({ prefix, keyMarker, uploadIdMarker }), {
        signal,
        retry: true,
      });
      const page = parseListMultipartUploadsResult(res.text);
      out.push(...page.uploads);
      if (!page.isTruncated || !page.nextKeyMarker) return out;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
  }

  /** `POST /<key>?image_process`: cloud data processing, retried (no streaming body). */
  async processObject(
    key: string,
    picOperations: string,
    signal?: AbortSignal,
    onFailure?: (err: unknown) => void,
  ): Promise<CiObjectResult> {
    const res = await this.send(imageProcessRequest(key, picOperations), { signal, retry: true, onFailure });
    return { ...this.result(key, res, undefined), etag: undefined };
  }

  /** HEAD Object. */
  /** Every object under `prefix` (GET Bucket, page after page); retried. */
  async *listObjects(prefix: string, signal?: AbortSignal): AsyncGenerator<CosListedObject> {
    let marker: string | undefined;
    for (;;) {
      const res = await this.send(listObjectsRequest({ prefix, marker }), { signal, retry: true });
      const page = parseListBucketResult(res.text);
      yield* page.objects;
      if (!page.isTruncated || !page.nextMarker) return;
      marker = page.nextMarker;
    }
  }

  /** Replaces an object's tags; retried (idempotent). */
  async putObjectTagging(key: string, tags: Record<string, string>, signal?: AbortSignal): Promise<void> {
    await this.send(putObjectTaggingRequest(key, tags), { signal, read: 'none', retry: true });
  }

  /** An object's tags; retried. */
  async getObjectTagging(key: string, signal?: AbortSignal): Promise<Record<string, string>> {
    const res = await this.send(getObjectTaggingRequest(key), { signal, retry: true });
    return parseTagging(res.text);
  }

  async headObject(key: string, signal?: AbortSignal): Promise<CiObjectHead> {
    const res = await this.send(headObjectRequest(key), { signal, read: 'none', retry: true });
    return this.head(key, res);
  }

  private head(key: string, res: TransportResponse): CiObjectHead {
    const lastModified = header(res, 'last-modified');
    return {
      key,
      size: Number(header(res, 'content-length') ?? 0),
      etag: unquoteEtag(header(res, 'etag')),
      contentType: header(res, 'content-type'),
      lastModified: lastModified ? new Date(lastModified) : undefined,
      requestId: header(res, 'x-cos-request-id'),
      cacheControl: header(res, 'cache-control'),
      contentDisposition: header(res, 'content-disposition'),
      metadata: Object.fromEntries(
        Object.keys(res.headers)
          .filter((name) => name.startsWith('x-cos-meta-'))
          .map((name) => [name.slice('x-cos-meta-'.length), header(res, name) ?? '']),
      ),
      storageClass: header(res, 'x-cos-storage-class'),
    };
  }

  /** GET Object as a stream. */
  async getObject(
    key: string,
    options: { range?: string; signal?: AbortSignal } = {},
  ): Promise<CiObjectDownload> {
    const res = await this.send(getObjectRequest(key, options), {
      signal: options.signal,
      read: 'stream',
      retry: true,
    });
    return { ...this.head(key, res), body: res.stream as Readable, statusCode: res.statusCode };
  }

  /**
   * A pre-signed URL (GET by default) valid `expiresIn` seconds; with STS credentials it carries the token. With
   * `processing`, the rule is signed with the URL (as the official SDK signs a `Query` parameter); with `style`, the
   * path is `<key><separator><name>`. `signed: false` gives the plain URL on `origin` (default: the COS origin).
   */
  async getObjectUrl(key: string, options: CosObjectUrlOptions = {}): Promise<string> {
    const c = this.config;
    if (options.signed === false) {
      const origin = options.origin ?? c.origin;
      return createObjectUrl({
        origin,
        key,
        pathStyleBucket: c.pathStyle && origin === c.origin ? c.bucket : undefined,
        style: options.style,
        processing: options.processing,
      });
    }
    const credentials = await c.credentials.get();
    return createPresignedUrl({
      origin: c.origin,
      bucketHost: c.host,
      key,
      pathStyleBucket: c.pathStyle ? c.bucket : undefined,
      style: options.style,
      processing: options.processing,
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      securityToken: credentials.securityToken,
      method: options.method,
      headers: options.headers,
      expiresIn: options.expiresIn ?? c.signatureTtlSeconds,
      now: () => c.now() + this.clockOffsetMs,
    });
  }

  /**
   * A signed POST Object form for `key` (see `createPostObjectForm`) and the URL to post it to: the bucket's
   * root (`/<bucket>/` with path-style addressing).
   */
  async createPostForm(
    key: string,
    input: Pick<PostObjectFormInput, 'fields' | 'contentLengthRange' | 'expiresIn'>,
  ): Promise<{ url: string; fields: Record<string, string> }> {
    const c = this.config;
    const credentials = await c.credentials.get();
    const { fields } = createPostObjectForm({
      ...input,
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      securityToken: credentials.securityToken,
      bucket: c.bucket,
      key,
      now: () => c.now() + this.clockOffsetMs,
    });
    return { url: `${c.origin}${c.pathStyle ? '/' + c.bucket : ''}/`, fields };
  }

  /** `GET /<key>?imageInfo|imageAve|exif`: CI's JSON about a stored image, as text; retried. */
  async imageMetadata(key: string, kind: CiImageMetadataKind, signal?: AbortSignal): Promise<string> {
    const res = await this.send(imageMetadataRequest(key, kind), { signal, retry: true });
    return res.text;
  }

  /** DELETE Object; deleting a missing key succeeds, as on COS. */
  async deleteObject(key: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.send(deleteObjectRequest(key), { signal, read: 'none', retry: true });
    } catch (err) {
      if (!(err instanceof CiResponseError && err.ciCode === 'NoSuchKey')) throw err;
    }
  }
}

/** Parses a COS XML `<Error>` body for {@link HttpTransport}. */
export function parseCosErrorBody(_statusCode: number, text: string) {
  return parseCosError(text);
}

import type { Readable } from 'node:stream';
import type { CiObjectResult } from './ci-client.results';

/** Options of one upload, as the protocol backends receive them. */
export interface UploadRequestOptions {
  /** `Pic-Operations` header value. */
  picOperations?: string;
  /** MIME type to store. */
  contentType?: string;
  /** Extra `x-cos-*` headers. */
  headers?: Record<string, string>;
  /** files-v2 `insertOnly` (1 refuses to overwrite). */
  insertOnly?: 0 | 1;
  /** Total size, when the caller knows it (a Buffer, a file). */
  size?: number;
  /** Size of the parts the upload will send (declared up front by files-v2 slices). */
  partSize?: number;
  /**
   * A value unique to this upload, stored with the object (cos-v5 `x-cos-meta-ci-attempt`, files-v2 `biz_attr`) so
   * that the object can later be told from someone else's at the same key.
   */
  marker?: string;
  signal?: AbortSignal;
}

/** An open multipart (cos-v5) or slice (files-v2) upload. */
export interface MultipartSession {
  /** Sends one part; `partNumber` is 1-based, `offset` the byte offset of the part in the object. */
  uploadPart(
    partNumber: number,
    offset: number,
    chunks: readonly Buffer[],
    size: number,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Completes the upload (Pic-Operations rides here) and returns the typed result. */
  complete(totalSize: number): Promise<CiObjectResult>;
  /** Abandons the upload so no part stays behind. Never throws. */
  abort(): Promise<void>;
}

/** What a protocol must offer for the streaming upload of `upload()`. */
export interface UploadTarget {
  /** True when a multipart upload must declare the total size up front (files-v2 slices). */
  readonly multipartNeedsSize: boolean;
  /** The largest object one request may carry (a known size up to it is piped into one request). */
  readonly maxSingleBytes: number;
  /**
   * One request with the whole body and an exact Content-Length: chunks in memory (retried when safe), or a
   * stream of exactly `size` bytes (sent once, over the transport's pool for long requests).
   */
  putSingle(
    key: string,
    body: readonly Buffer[] | Readable,
    size: number,
    options: UploadRequestOptions,
  ): Promise<CiObjectResult>;
  /** Opens a multipart upload (files-v2 needs `options.size`, see `multipartNeedsSize`). */
  openMultipart(key: string, options: UploadRequestOptions): Promise<MultipartSession>;
}

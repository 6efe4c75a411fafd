import type { Readable } from 'node:stream';
import type { CiImageInfo } from '../core/result';
import type { CiRuleInput } from '../core/rules';

/** The typed result of an upload or a processing request, the same for both protocols. */
export interface CiObjectResult {
  /** Object key of the source, without a leading slash. */
  key: string;
  /** Bucket as `<name>-<appid>`. */
  bucket: string;
  /** Bytes stored, when known. */
  size?: number;
  /** ETag of the stored object, quotes stripped (cos-v5). */
  etag?: string;
  /** Request id of the request that produced this result (`x-cos-request-id` / `request_id`). */
  requestId?: string;
  /** Location without scheme (cos-v5). */
  location?: string;
  /** CI's processing result; `processResults` is empty when no rule was given. */
  imageInfo: CiImageInfo;
  /** Time CI spent, in ms (files-v2). */
  timecost?: number;
  /** CDN link (files-v2). */
  accessUrl?: string;
  /** Direct COS link (files-v2). */
  sourceUrl?: string;
  /** `/<appid>/<bucket>/<key>` (files-v2). */
  resourcePath?: string;
  /** API URL of the file (files-v2). */
  url?: string;
}

/** Metadata of a stored object. */
export interface CiObjectHead {
  key: string;
  size: number;
  etag?: string;
  contentType?: string;
  lastModified?: Date;
  requestId?: string;
  /** `Cache-Control` stored with the object. */
  cacheControl?: string;
  /** `Content-Disposition` stored with the object. */
  contentDisposition?: string;
  /** User metadata (`x-cos-meta-*`), names lower-case without the prefix. */
  metadata: Record<string, string>;
  /** Storage class (`x-cos-storage-class`; COS omits it for STANDARD). */
  storageClass?: string;
}

/** A downloaded object: the body is a stream that must be consumed or destroyed. */
export interface CiObjectDownload extends CiObjectHead {
  body: Readable;
  statusCode: number;
}

/** Per-call options shared by every method. */
export interface CiCallOptions {
  /** Aborts the request (and, for uploads, the multipart upload). */
  signal?: AbortSignal;
}

/** What a processing URL applies: a rule (any form, pipes included), or a console style by name. */
export type CiUrlProcess = CiRuleInput | { style: string };

/** Options of `CiClient.getObjectUrl`. */
export interface CiObjectUrlOptions {
  /**
   * Download-time processing: a rule (`imageMogr2().thumbnail({ width: 200 })`, `'imageView2/2/w/400'`, a pipe)
   * becomes the query (`<url>?imageMogr2/thumbnail/200x`); `{ style }` becomes `<key><separator><style>`.
   */
  process?: CiUrlProcess;
  /** Validity of a signed URL in seconds. Default: the client's signature TTL (900). */
  expiresIn?: number;
  /** HTTP method of a signed URL. Default `GET`. */
  method?: string;
  /**
   * Sign the URL (private buckets). Default `true`, or `false` when the client has a `publicDomain` (then the plain
   * URL is on that domain). A signed URL always points at the COS origin: a CDN domain does not check COS signatures.
   */
  signed?: boolean;
}

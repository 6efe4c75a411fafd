import type { CiImageInfo } from '../../core/result';

/** The typed result of one uploaded file, on `req.ciResult` / `req.ciResults` and on `@UploadedFile()`. */
export interface CiUploadResult {
  /** Form field the file came in. */
  fieldname: string;
  /** Object key of the stored original. */
  key: string;
  /** Bucket as `<name>-<appid>`. */
  bucket: string;
  /** Bytes received and stored. */
  size: number;
  /** ETag of the original, quotes stripped. */
  etag?: string;
  /** Sniffed MIME type (from the bytes, not the client). */
  mimetype: string;
  /** The client's file name, informative only. */
  originalName: string;
  /** CI request id of the request that stored and processed the file. */
  requestId?: string;
  /** Time CI spent in ms (files-v2). */
  timecost?: number;
  /** Location without scheme (cos-v5). */
  location?: string;
  /** CDN link (files-v2). */
  accessUrl?: string;
  /** Direct COS link (files-v2). */
  sourceUrl?: string;
  /** `/<appid>/<bucket>/<key>` (files-v2). */
  resourcePath?: string;
  /** API URL (files-v2). */
  url?: string;
  /** CI's processing result: `originalInfo` and one `processResults` entry per rule. */
  imageInfo: CiImageInfo;
}

/** `req.ciResults`: files by field name, each an array in arrival order. */
export type CiUploadResults = Record<string, CiUploadResult[]>;

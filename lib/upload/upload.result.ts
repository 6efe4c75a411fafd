import type { CiObjectResult } from '../client';

/** The typed result of one uploaded file, on `req.ciResult` / `req.ciResults` and on `@UploadedFile()`. */
export interface CiUploadResult extends CiObjectResult {
  /** Form field the file came in (`''` for `CiService.upload`). */
  fieldname: string;
  /** Bytes received and stored. */
  size: number;
  /** Sniffed MIME type (from the bytes, not the client). */
  mimetype: string;
  /** The client's file name (UTF-8), informative only. */
  originalName: string;
}

/** `req.ciResults`: files by field name, each an array in arrival order. */
export type CiUploadResults = Record<string, CiUploadResult[]>;

/** The upload result as `@UploadedFile()` sees it: `buffer` holds the first bytes only (non-enumerable). */
export type CiUploadedFile = CiUploadResult & { readonly buffer?: Buffer };

/** What an upload knows of its file besides what storage answered. */
export interface CiUploadedFileFacts {
  fieldname: string;
  mimetype: string;
  originalName: string;
}

/**
 * The one builder of a {@link CiUploadResult}: storage's typed answer plus the file's facts. Proxied uploads
 * (`CiUploader.upload`) and confirmed direct uploads (`CiDirectUploads.confirm`) both return through it.
 */
export function toCiUploadResult(stored: CiObjectResult, file: CiUploadedFileFacts): CiUploadResult {
  return {
    ...stored,
    fieldname: file.fieldname,
    size: stored.size ?? 0,
    mimetype: file.mimetype,
    originalName: file.originalName,
  };
}

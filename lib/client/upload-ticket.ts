/**
 * How a browser or app sends one file straight to storage: `put`, a pre-signed COS PUT (processing on upload, the
 * `Pic-Operations` header signed); `post`, a COS POST Object form with a policy (COS documents no `Pic-Operations`
 * for it: processing runs at confirm time); `files-v2`, the seed's form upload with a signature bound to one file.
 */
export type CiUploadTicketKind = 'put' | 'post' | 'files-v2';

/** What a client sends, exactly: method, URL, headers and (for forms) the fields before the file part. */
export interface CiSignedUpload {
  kind: CiUploadTicketKind;
  method: 'PUT' | 'POST';
  url: string;
  /** Headers to send as they are (`put`: the signed ones; `files-v2`: `Authorization` and `Pic-Operations`). */
  headers: Record<string, string>;
  /** Form fields to send, in this order, before the file part (`post`, `files-v2`). */
  fields?: Record<string, string>;
  /** Name of the file part of a form (`file` for POST Object, `filecontent` for files-v2). */
  fileField?: string;
  /** When the signature stops working, ms since the epoch. */
  expiresAt: number;
}

/** Options of `CiClient.signUpload`. */
export interface CiSignUploadOptions {
  kind: CiUploadTicketKind;
  /** Content type the object is stored with; signed (`put`) or bound by the policy (`post`). */
  contentType: string;
  /** Exact size in bytes: signed as `content-length` (`put`, where it is the only size bound COS offers). */
  size?: number;
  /** Largest accepted size (`post`: the policy's `content-length-range`). */
  maxSize: number;
  /** The `Pic-Operations` to run on upload (`put`, `files-v2`); ignored by `post`. */
  picOperations?: string;
  /** Object headers to store, signed or bound (`x-cos-acl`, `x-cos-meta-*`, `cache-control`, ...). */
  headers?: Record<string, string>;
  /** Validity in seconds. */
  expiresIn: number;
  /** files-v2: refuse to overwrite (`insertOnly=1`). */
  insertOnly?: 0 | 1;
}

/** POST Object form field names of the wire headers an upload may store (COS POST Object "Form fields"). */
export function postFieldName(header: string): string {
  const lower = header.toLowerCase();
  if (lower === 'x-cos-acl') return 'acl';
  const standard: Record<string, string> = {
    'cache-control': 'Cache-Control',
    'content-disposition': 'Content-Disposition',
    'content-encoding': 'Content-Encoding',
    'content-type': 'Content-Type',
    expires: 'Expires',
  };
  return standard[lower] ?? lower;
}

import { encodeKeyPath, cosEncode } from './encode';

/** HTTP methods the COS v5 API uses here. */
export type CosMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

/**
 * One COS v5 request, before addressing and signing: which object, which sub-resource, which headers.
 * Header names are lower case; a query value of `''` is a parameter with no value (`?uploads`).
 */
export interface CosRequest {
  /** HTTP method. */
  method: CosMethod;
  /** Object key without a leading slash; `''` for a bucket-level request. */
  key: string;
  /** Query parameters (all signed). */
  query: Record<string, string>;
  /** Headers (all signed), lower-case names; `host` and `authorization` are added when the request is sent. */
  headers: Record<string, string>;
  /** A small in-memory body (Complete's XML); streamed bodies are passed to the client separately. */
  body?: string;
}

/** Options shared by requests that create an object. */
export interface CosWriteOptions {
  /** MIME type of the object. */
  contentType?: string;
  /** The `Pic-Operations` header value (see `buildPicOperations`). */
  picOperations?: string;
  /** Extra `x-cos-*` headers (metadata, ACL, storage class). */
  headers?: Record<string, string>;
  /** Send `x-cos-forbid-overwrite: true`: COS refuses to replace an existing object. */
  forbidOverwrite?: boolean;
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function writeHeaders(options: CosWriteOptions): Record<string, string> {
  const headers = lowerKeys(options.headers);
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.picOperations) headers['pic-operations'] = options.picOperations;
  if (options.forbidOverwrite) headers['x-cos-forbid-overwrite'] = 'true';
  return headers;
}

/** PUT Object: a single request carrying the whole body, with an exact `Content-Length`. */
export function putObjectRequest(
  key: string,
  options: CosWriteOptions & { contentLength: number; contentMd5?: string },
): CosRequest {
  const headers = writeHeaders(options);
  headers['content-length'] = String(options.contentLength);
  if (options.contentMd5) headers['content-md5'] = options.contentMd5;
  return { method: 'PUT', key, query: {}, headers };
}

/** Initiate Multipart Upload (`POST /<key>?uploads`). */
export function initiateMultipartUploadRequest(key: string, options: CosWriteOptions = {}): CosRequest {
  const headers = writeHeaders({ ...options, picOperations: undefined });
  return { method: 'POST', key, query: { uploads: '' }, headers };
}

/** Upload Part (`PUT /<key>?partNumber=N&uploadId=ID`). */
export function uploadPartRequest(
  key: string,
  uploadId: string,
  partNumber: number,
  contentLength: number,
  contentMd5?: string,
): CosRequest {
  const headers: Record<string, string> = { 'content-length': String(contentLength) };
  if (contentMd5) headers['content-md5'] = contentMd5;
  return { method: 'PUT', key, query: { partNumber: String(partNumber), uploadId }, headers };
}

/** One uploaded part, as Complete lists it. */
export interface CosCompletedPart {
  partNumber: number;
  etag: string;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Complete Multipart Upload (`POST /<key>?uploadId=ID`). `Pic-Operations` rides here: CI processes the
 * assembled object on Complete (protocol.md 1.3).
 */
export function completeMultipartUploadRequest(
  key: string,
  uploadId: string,
  parts: readonly CosCompletedPart[],
  options: { picOperations?: string; forbidOverwrite?: boolean } = {},
): CosRequest {
  const body =
    '<CompleteMultipartUpload>' +
    [...parts]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${escapeXml(p.etag)}"</ETag></Part>`)
      .join('') +
    '</CompleteMultipartUpload>';
  const headers: Record<string, string> = {
    'content-type': 'application/xml',
    'content-length': String(Buffer.byteLength(body)),
  };
  if (options.picOperations) headers['pic-operations'] = options.picOperations;
  if (options.forbidOverwrite) headers['x-cos-forbid-overwrite'] = 'true';
  return { method: 'POST', key, query: { uploadId }, headers, body };
}

/** Abort Multipart Upload (`DELETE /<key>?uploadId=ID`). */
export function abortMultipartUploadRequest(key: string, uploadId: string): CosRequest {
  return { method: 'DELETE', key, query: { uploadId }, headers: {} };
}

/** List Multipart Uploads (`GET /?uploads`). */
export function listMultipartUploadsRequest(
  options: { prefix?: string; keyMarker?: string; uploadIdMarker?: string; maxUploads?: number } = {},
): CosRequest {
  const query: Record<string, string> = { uploads: '' };
  if (options.prefix !== undefined) query.prefix = options.prefix;
  if (options.keyMarker !== undefined) query['key-marker'] = options.keyMarker;
  if (options.uploadIdMarker !== undefined) query['upload-id-marker'] = options.uploadIdMarker;
  if (options.maxUploads !== undefined) query['max-uploads'] = String(options.maxUploads);
  return { method: 'GET', key: '', query, headers: {} };
}

/** GET Bucket (List Objects, `GET /?prefix=...&marker=...`): one page of the bucket's objects, keys in order. */
export function listObjectsRequest(
  options: { prefix?: string; marker?: string; maxKeys?: number } = {},
): CosRequest {
  const query: Record<string, string> = {};
  if (options.prefix !== undefined) query.prefix = options.prefix;
  if (options.marker !== undefined) query.marker = options.marker;
  if (options.maxKeys !== undefined) query['max-keys'] = String(options.maxKeys);
  return { method: 'GET', key: '', query, headers: {} };
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * PUT Object tagging (`PUT /<key>?tagging`): replaces the object's tags with `tags`
 * (`<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>`, https://cloud.tencent.com/document/product/436/42997).
 */
export function putObjectTaggingRequest(key: string, tags: Record<string, string>): CosRequest {
  const body =
    '<Tagging><TagSet>' +
    Object.entries(tags)
      .map(([k, v]) => `<Tag><Key>${xmlText(k)}</Key><Value>${xmlText(v)}</Value></Tag>`)
      .join('') +
    '</TagSet></Tagging>';
  return { method: 'PUT', key, query: { tagging: '' }, headers: { 'content-type': 'application/xml' }, body };
}

/** GET Object tagging (`GET /<key>?tagging`). */
export function getObjectTaggingRequest(key: string): CosRequest {
  return { method: 'GET', key, query: { tagging: '' }, headers: {} };
}

/** Cloud data processing (`POST /<key>?image_process` with `Pic-Operations`, empty body). */
export function imageProcessRequest(key: string, picOperations: string): CosRequest {
  return {
    method: 'POST',
    key,
    query: { image_process: '' },
    headers: { 'pic-operations': picOperations, 'content-length': '0' },
  };
}

/** GET Object, optionally a byte range (`bytes=0-99`). */
export function getObjectRequest(key: string, options: { range?: string } = {}): CosRequest {
  return { method: 'GET', key, query: {}, headers: options.range ? { range: options.range } : {} };
}

/** The download-time metadata APIs of CI: `?imageInfo`, `?imageAve`, `?exif`. */
export type CiImageMetadataKind = 'imageInfo' | 'imageAve' | 'exif';

/** GET `/<key>?imageInfo` (or `?imageAve`, `?exif`): CI's JSON about a stored image. */
export function imageMetadataRequest(key: string, kind: CiImageMetadataKind): CosRequest {
  return { method: 'GET', key, query: { [kind]: '' }, headers: {} };
}

/** HEAD Object. */
export function headObjectRequest(key: string): CosRequest {
  return { method: 'HEAD', key, query: {}, headers: {} };
}

/** DELETE Object. */
export function deleteObjectRequest(key: string): CosRequest {
  return { method: 'DELETE', key, query: {}, headers: {} };
}

/** The query string of a request (`?uploads&prefix=a%2Fb`), encoded as the SDKs send it. */
export function encodeQuery(query: Record<string, string>): string {
  const parts = Object.entries(query).map(([k, v]) =>
    v === '' ? cosEncode(k) : `${cosEncode(k)}=${cosEncode(v)}`,
  );
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * The request target (path and query) to send. With `pathStyleBucket`, the bucket is the first path segment
 * (`/<bucket>/<key>`), for endpoints whose host names no bucket; the signature still covers `/<key>`.
 */
export function requestTarget(request: CosRequest, pathStyleBucket?: string): string {
  const keyPath = request.key ? encodeKeyPath(request.key) : '/';
  const path = pathStyleBucket ? `/${cosEncode(pathStyleBucket)}${keyPath === '/' ? '/' : keyPath}` : keyPath;
  return path + encodeQuery(request.query);
}

/** The decoded pathname a request is signed with (`/<key>`). */
export function signingPathname(request: CosRequest): string {
  return '/' + request.key;
}

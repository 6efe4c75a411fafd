import { XMLParser } from 'fast-xml-parser';
import { CiProtocolError } from '../../core/errors';
import type { CiImageInfo, CiOriginalInfo, CiProcessResult } from '../../core/result';

// Values stay strings (parseTagValue: false): a key or ETag such as "0123" or "1e5" must not become a number.
// Numbers are converted field by field below, where the protocol says a field is numeric.
const parser = new XMLParser({
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (_name, jpath) => ARRAY_PATHS.has(String(jpath)),
});

const ARRAY_PATHS = new Set([
  'UploadResult.ProcessResults.Object',
  'CompleteMultipartUploadResult.ProcessResults.Object',
  'ListMultipartUploadsResult.Upload',
  'ListMultipartUploadsResult.CommonPrefixes',
  'ListPartsResult.Part',
  'ListBucketResult.Contents',
  'ListBucketResult.CommonPrefixes',
]);

type XmlNode = { [name: string]: XmlValue };
type XmlValue = string | XmlNode | XmlValue[] | undefined;

/** Parses an XML document into plain objects (strings only), throwing {@link CiProtocolError} when malformed. */
export function parseXml(xml: string): XmlNode {
  try {
    // No validation pass (it doubles the cost): the callers check the root element they expect, and a
    // document without it is refused as malformed.
    const doc = parser.parse(xml) as unknown;
    if (!doc || typeof doc !== 'object') throw new Error('empty document');
    return doc as XmlNode;
  } catch (cause) {
    throw new CiProtocolError(`CI answered with malformed XML (${(cause as Error).message})`, { cause });
  }
}

function node(value: XmlValue): XmlNode | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function text(value: XmlValue): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: XmlValue): number {
  const n = Number(text(value));
  return Number.isFinite(n) ? n : 0;
}

function list(value: XmlValue): XmlNode[] {
  if (value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map((v) => node(v)).filter((v): v is XmlNode => !!v);
}

/** Strips the double quotes COS keeps around ETags. */
export function unquoteEtag(etag: string | undefined): string | undefined {
  return etag === undefined ? undefined : etag.replace(/^"+|"+$/g, '').replace(/^&quot;|&quot;$/g, '');
}

function stripSlash(key: string): string {
  return key.startsWith('/') ? key.slice(1) : key;
}

function imageFields(
  image: XmlNode | undefined,
): Omit<CiOriginalInfo, 'key' | 'location' | 'etag'> | undefined {
  if (!image) return undefined;
  return {
    format: text(image.Format) ?? '',
    width: num(image.Width),
    height: num(image.Height),
    ave: text(image.Ave) ?? '',
    orientation: num(image.Orientation) || 1,
    quality: num(image.Quality),
  };
}

function processResults(results: XmlValue): CiProcessResult[] {
  return list(node(results)?.Object).map((o) => ({
    key: stripSlash(text(o.Key) ?? ''),
    format: text(o.Format) ?? '',
    width: num(o.Width),
    height: num(o.Height),
    size: num(o.Size),
    quality: num(o.Quality),
    etag: unquoteEtag(text(o.ETag)),
    location: text(o.Location),
  }));
}

/** `<UploadResult>` of a Pic-Operations PUT or `?image_process` (protocol.md 1.2), typed. */
export function parseUploadResult(xml: string): CiImageInfo {
  const root = node(parseXml(xml).UploadResult);
  if (!root) throw new CiProtocolError('CI answered without an <UploadResult> element');
  const original = node(root.OriginalInfo);
  const image = imageFields(node(original?.ImageInfo));
  const info: CiImageInfo = { processResults: processResults(root.ProcessResults) };
  if (original && image) {
    info.originalInfo = {
      ...image,
      key: original.Key !== undefined ? stripSlash(text(original.Key) ?? '') : undefined,
      location: text(original.Location),
      etag: unquoteEtag(text(original.ETag)),
    };
  }
  return info;
}

/** `<CompleteMultipartUploadResult>`, with `ImageInfo`/`ProcessResults` beside `Location`/`Key`/`ETag` (1.3). */
export interface CosCompleteResult {
  location?: string;
  bucket?: string;
  key: string;
  etag?: string;
  imageInfo: CiImageInfo;
}

/** Parses `<CompleteMultipartUploadResult>`, rebuilding the same `CiImageInfo` as a PUT gives. */
export function parseCompleteMultipartUploadResult(xml: string): CosCompleteResult {
  const root = node(parseXml(xml).CompleteMultipartUploadResult);
  if (!root) throw new CiProtocolError('CI answered without a <CompleteMultipartUploadResult> element');
  const key = stripSlash(text(root.Key) ?? '');
  const location = text(root.Location);
  const etag = unquoteEtag(text(root.ETag));
  const image = imageFields(node(root.ImageInfo));
  const imageInfo: CiImageInfo = { processResults: processResults(root.ProcessResults) };
  if (image) imageInfo.originalInfo = { ...image, key, location, etag };
  return { location, bucket: text(root.Bucket), key, etag, imageInfo };
}

/** Parses `<InitiateMultipartUploadResult>` and returns the upload id. */
export function parseInitiateMultipartUploadResult(xml: string): {
  bucket?: string;
  key: string;
  uploadId: string;
} {
  const root = node(parseXml(xml).InitiateMultipartUploadResult);
  const uploadId = text(root?.UploadId);
  if (!root || !uploadId)
    throw new CiProtocolError('CI answered Initiate Multipart Upload without an UploadId');
  return { bucket: text(root.Bucket), key: stripSlash(text(root.Key) ?? ''), uploadId };
}

/** One open multipart upload. */
export interface CosMultipartUpload {
  key: string;
  uploadId: string;
  initiated?: string;
}

/** Parses `<ListMultipartUploadsResult>`. */
export function parseListMultipartUploadsResult(xml: string): {
  uploads: CosMultipartUpload[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
} {
  const root = node(parseXml(xml).ListMultipartUploadsResult);
  if (!root) throw new CiProtocolError('CI answered without a <ListMultipartUploadsResult> element');
  return {
    uploads: list(root.Upload).map((u) => ({
      key: text(u.Key) ?? '',
      uploadId: text(u.UploadId) ?? '',
      initiated: text(u.Initiated),
    })),
    isTruncated: text(root.IsTruncated) === 'true',
    nextKeyMarker: text(root.NextKeyMarker) || undefined,
    nextUploadIdMarker: text(root.NextUploadIdMarker) || undefined,
  };
}

/** The fields of a COS `<Error>` envelope. */
export interface CosErrorBody {
  code: string;
  message: string;
  resource?: string;
  requestId?: string;
  traceId?: string;
}

/** Parses a COS `<Error>` envelope; `undefined` when the body is not one (empty, HTML, truncated). */
export function parseCosError(xml: string): CosErrorBody | undefined {
  if (!xml.includes('<Error')) return undefined;
  try {
    const root = node(parseXml(xml).Error);
    if (!root) return undefined;
    return {
      code: text(root.Code) ?? '',
      message: text(root.Message) ?? '',
      resource: text(root.Resource),
      requestId: text(root.RequestId),
      traceId: text(root.TraceId),
    };
  } catch {
    return undefined;
  }
}

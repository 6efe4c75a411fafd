import { XMLParser } from 'fast-xml-parser';
import { CiProtocolError } from '../../core/errors';
import {
  assignDefined,
  bucketOfLocation,
  rawFieldsOf,
  normalizeCiFormat,
  type CiImageInfo,
  type CiOriginalInfo,
  type CiProcessResult,
  type CiRawFields,
} from '../../core/result';

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
  'Tagging.TagSet.Tag',
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

function num(value: XmlValue): number | undefined {
  const t = text(value);
  if (t === undefined || t.trim() === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
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

const IMAGE_INFO_FIELDS = ['Format', 'Width', 'Height', 'Ave', 'Orientation', 'Quality', 'FrameCount'];
const ORIGINAL_FIELDS = ['Key', 'Location', 'ETag', 'ImageInfo'];
const OBJECT_FIELDS = [
  'Key',
  'Bucket',
  'Location',
  'Format',
  'Width',
  'Height',
  'Size',
  'Quality',
  'ETag',
  'FrameCount',
  'Md5',
  'WatermarkStatus',
];

/** `OriginalInfo` (or the Complete root): where the original is, its `ImageInfo` when sent, the rest in `raw`. */
function originalInfo(
  where: { key?: string; location?: string; etag?: string },
  image: XmlNode | undefined,
  extra: CiRawFields,
): CiOriginalInfo {
  const info: CiOriginalInfo = { raw: { ...extra, ...rawFieldsOf(image, IMAGE_INFO_FIELDS) } };
  return assignDefined(info, {
    format: normalizeCiFormat(text(image?.Format)),
    width: num(image?.Width),
    height: num(image?.Height),
    ave: text(image?.Ave),
    orientation: num(image?.Orientation),
    quality: num(image?.Quality),
    frameCount: num(image?.FrameCount),
    ...where,
  });
}

function processResults(results: XmlValue): CiProcessResult[] {
  return list(node(results)?.Object).map((o) => {
    const location = text(o.Location);
    return assignDefined<CiProcessResult>(
      { key: stripSlash(text(o.Key) ?? ''), raw: rawFieldsOf(o, OBJECT_FIELDS) },
      {
        bucket: text(o.Bucket) ?? bucketOfLocation(location),
        format: normalizeCiFormat(text(o.Format)),
        width: num(o.Width),
        height: num(o.Height),
        size: num(o.Size),
        quality: num(o.Quality),
        frameCount: num(o.FrameCount),
        md5: text(o.Md5),
        watermarkStatus: num(o.WatermarkStatus),
        etag: unquoteEtag(text(o.ETag)),
        location,
      },
    );
  });
}

/**
 * `<UploadResult>` of a Pic-Operations PUT or `?image_process` (protocol.md 1.2), typed: known fields typed
 * (formats upper case, absent values `undefined`), every other element in `raw`.
 */
export function parseUploadResult(xml: string): CiImageInfo {
  const root = node(parseXml(xml).UploadResult);
  if (!root) throw new CiProtocolError('CI answered without an <UploadResult> element');
  const original = node(root.OriginalInfo);
  const info: CiImageInfo = { processResults: processResults(root.ProcessResults) };
  if (original) {
    const key = text(original.Key);
    info.originalInfo = originalInfo(
      {
        key: key === undefined ? undefined : stripSlash(key),
        location: text(original.Location),
        etag: unquoteEtag(text(original.ETag)),
      },
      node(original.ImageInfo),
      rawFieldsOf(original, ORIGINAL_FIELDS),
    );
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
  const imageInfo: CiImageInfo = {
    processResults: processResults(root.ProcessResults),
    // The Complete root is where the original is: its key, location and ETag are kept even without ImageInfo.
    originalInfo: originalInfo({ key, location, etag }, node(root.ImageInfo), {}),
  };
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

/** One object of a `<ListBucketResult>`. */
export interface CosListedObject {
  key: string;
  lastModified?: Date;
  size?: number;
  etag?: string;
}

/** Parses `<ListBucketResult>` (GET Bucket): the objects of the page and where the next page starts. */
export function parseListBucketResult(xml: string): {
  objects: CosListedObject[];
  isTruncated: boolean;
  nextMarker?: string;
} {
  const root = node(parseXml(xml).ListBucketResult);
  if (!root) throw new CiProtocolError('COS answered without a <ListBucketResult> element');
  const objects = list(root.Contents).map((o) => {
    const modified = text(o.LastModified);
    return {
      key: text(o.Key) ?? '',
      lastModified: modified ? new Date(modified) : undefined,
      size: num(o.Size),
      etag: unquoteEtag(text(o.ETag)),
    };
  });
  const isTruncated = text(root.IsTruncated) === 'true';
  // COS sends NextMarker when truncated; without it the last key of the page is where the next one starts.
  const nextMarker = text(root.NextMarker) || (isTruncated ? objects[objects.length - 1]?.key : undefined);
  return { objects, isTruncated, nextMarker };
}

/** Parses `<Tagging>` (GET Object tagging) into `{ key: value }`. */
export function parseTagging(xml: string): Record<string, string> {
  const root = node(parseXml(xml).Tagging);
  if (!root) throw new CiProtocolError('COS answered without a <Tagging> element');
  return Object.fromEntries(
    list(node(root.TagSet)?.Tag).map((t) => [text(t.Key) ?? '', text(t.Value) ?? '']),
  );
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

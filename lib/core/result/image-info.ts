/**
 * Fields of a CI answer that this model does not name, as received: XML element name → text (or nested object,
 * or an array when repeated); JSON key → value. A field CI adds tomorrow reaches the caller here today.
 */
export type CiRawFields = Record<string, unknown>;

/**
 * Information about the source image. With `is_pic_info: 1` the image fields are set; with 0, only where the
 * original is (`key`, `location`, `etag`, cos-v5). A field CI did not send is `undefined`.
 */
export interface CiOriginalInfo {
  /** Image format, upper case as CI documents it (`JPEG`, `PNG`, `WEBP`, `GIF`), the same for both protocols. */
  format?: string;
  /** Width in pixels. */
  width?: number;
  /** Height in pixels. */
  height?: number;
  /** Average colour, `0xRRGGBB`. */
  ave?: string;
  /** EXIF orientation as CI sent it (0 stays 0). */
  orientation?: number;
  /** Quality (JPEG estimate; 100 otherwise). */
  quality?: number;
  /** Frames of an animated image, when CI says. */
  frameCount?: number;
  /** Object key of the source (cos-v5). */
  key?: string;
  /** Location of the source, without scheme (cos-v5). */
  location?: string;
  /** ETag of the source, quotes stripped (cos-v5). */
  etag?: string;
  /** Every other field CI sent in `OriginalInfo`/`ImageInfo` (`original_info`). */
  raw: CiRawFields;
}

/** One processed output: one per rule. A field CI did not send is `undefined`. */
export interface CiProcessResult {
  /** Object key of the output (the resolved `fileid`; files-v2: from `resource_path`). */
  key: string;
  /** files-v2 `file_id` as CI sent it: the rule's own `fileid` in the seed's sample (`test1.png`), not the key. */
  fileId?: string;
  /** Bucket the output was written to (`<name>-<appid>`), from the answer or its location / resource path. */
  bucket?: string;
  /** Output format, upper case as CI documents it (`JPEG`, `PNG`, `WEBP`), the same for both protocols. */
  format?: string;
  /** Width in pixels. */
  width?: number;
  /** Height in pixels. */
  height?: number;
  /** Size in bytes. */
  size?: number;
  /** Quality. */
  quality?: number;
  /** Frames of an animated output, when CI says. */
  frameCount?: number;
  /** MD5 of the output, when CI says. */
  md5?: string;
  /** Blind-watermark extraction result (`WatermarkStatus`), when CI says. */
  watermarkStatus?: number;
  /** ETag, quotes stripped (cos-v5). */
  etag?: string;
  /** Location without scheme (cos-v5). */
  location?: string;
  /** CDN link (files-v2). */
  accessUrl?: string;
  /** Direct COS link (files-v2). */
  sourceUrl?: string;
  /** `/<appid>/<bucket>/<key>` (files-v2). */
  resourcePath?: string;
  /** API URL of the file (files-v2). */
  url?: string;
  /** `vid` (files-v2, as in the seed's example answer). */
  vid?: string;
  /** Every other field CI sent for this output (`QRcodeInfo`, `CodeStatus`, ...). */
  raw: CiRawFields;
}

/** The typed `image_info` / `UploadResult` of a Pic-Operations request, the same for both protocols. */
export interface CiImageInfo {
  /** The source: its image fields when `is_pic_info` was 1, its key/location/etag (cos-v5) either way. */
  originalInfo?: CiOriginalInfo;
  /** One entry per rule, in rule order. Always an array. */
  processResults: CiProcessResult[];
}

/** CI's documented case for a format name (`jpeg` → `JPEG`); `undefined` stays `undefined`. */
export function normalizeCiFormat(format: string | undefined): string | undefined {
  return format === undefined || format === '' ? undefined : format.toUpperCase();
}

/**
 * The `<name>-<appid>` bucket a `Location` names, if it names one: virtual-hosted
 * (`<bucket>.cos.<region>.myqcloud.com/<key>`, or `<bucket>.<any host>/<key>`) or path-style
 * (`<host>/<bucket>/<key>`, as an emulator or a path-style endpoint answers).
 */
export function bucketOfLocation(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const bucket = '[a-z0-9][a-z0-9-]*-\\d+';
  return (
    new RegExp(`^(${bucket})\\.[^/]+/`).exec(location)?.[1] ??
    new RegExp(`^[^/]+/(${bucket})/`).exec(location)?.[1]
  );
}

/** The `<name>-<appid>` bucket of a files-v2 `resource_path` (`/<appid>/<bucket>/<key>`). */
export function bucketOfResourcePath(path: string | undefined): string | undefined {
  const m = path ? /^\/(\d+)\/([^/]+)\//.exec(path) : null;
  if (!m) return undefined;
  return m[2].endsWith(`-${m[1]}`) ? m[2] : `${m[2]}-${m[1]}`;
}

/** The object key of a files-v2 `resource_path` (`/<appid>/<bucket>/<key>`), or `undefined` when it is not one. */
export function keyOfResourcePath(path: string | undefined): string | undefined {
  const m = path ? /^\/[^/]+\/[^/]+\/(.+)$/.exec(path) : null;
  return m?.[1];
}

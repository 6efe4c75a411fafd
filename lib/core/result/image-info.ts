/** Information about the source image, as CI reports it when `is_pic_info` is 1. */
export interface CiOriginalInfo {
  /** Image format as CI names it (`JPEG`, `PNG`, `png`: the case varies on the wire). */
  format: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Average colour, `0xRRGGBB`. */
  ave: string;
  /** EXIF orientation (1 when absent). */
  orientation: number;
  /** Quality (JPEG estimate; 100 otherwise). */
  quality: number;
  /** Object key of the source (cos-v5). */
  key?: string;
  /** Location of the source, without scheme (cos-v5). */
  location?: string;
  /** ETag of the source, quotes stripped (cos-v5). */
  etag?: string;
}

/** One processed output: one per rule. */
export interface CiProcessResult {
  /** Object key of the output (the resolved `fileid`). */
  key: string;
  /** Output format. */
  format: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Size in bytes. */
  size: number;
  /** Quality. */
  quality: number;
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
}

/** The typed `image_info` / `UploadResult` of a Pic-Operations request, the same for both protocols. */
export interface CiImageInfo {
  /** Present when `is_pic_info` was 1. */
  originalInfo?: CiOriginalInfo;
  /** One entry per rule, in rule order. Always an array. */
  processResults: CiProcessResult[];
}

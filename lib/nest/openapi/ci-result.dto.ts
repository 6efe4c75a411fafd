import type { CiImageInfo, CiOriginalInfo, CiProcessResult, CiRawFields } from '../../core/result/image-info';
import type { CiUploadResult } from '../../upload/upload.result';

// The schemas are given the way the @nestjs/swagger CLI plugin writes them (a static
// `_OPENAPI_METADATA_FACTORY`), so these classes need no @nestjs/swagger at run time: it stays an optional peer.
// Each `type` is written as `{ type: () => X }` so the function is named `type`: that is how @nestjs/swagger
// tells a lazy type from a class.
type Property = {
  required: boolean;
  type: () => unknown;
  description: string;
  additionalProperties?: boolean;
};
type Lazy = { type: () => unknown };
const req = (lazy: Lazy, description: string): Property => ({ required: true, ...lazy, description });
const opt = (lazy: Lazy, description: string): Property => ({ required: false, ...lazy, description });
/** `raw`: an object of whatever CI sent besides the named fields. */
const raw = (description: string): Property => ({
  ...req({ type: () => Object }, description),
  additionalProperties: true,
});

/** OpenAPI model of {@link CiOriginalInfo}, for `@ApiOkResponse({ type })`. */
export class CiOriginalInfoDto implements CiOriginalInfo {
  format?: string;
  width?: number;
  height?: number;
  ave?: string;
  orientation?: number;
  quality?: number;
  frameCount?: number;
  key?: string;
  location?: string;
  etag?: string;
  raw!: CiRawFields;

  /** Read by @nestjs/swagger; one entry per field of the interface (the compiler checks both ways). */
  static _OPENAPI_METADATA_FACTORY(): Record<keyof CiOriginalInfo, Property> {
    return {
      format: opt({ type: () => String }, 'Image format, upper case (JPEG, PNG, WEBP, GIF)'),
      width: opt({ type: () => Number }, 'Width in pixels'),
      height: opt({ type: () => Number }, 'Height in pixels'),
      ave: opt({ type: () => String }, 'Average colour, 0xRRGGBB'),
      orientation: opt({ type: () => Number }, 'EXIF orientation as CI sent it'),
      quality: opt({ type: () => Number }, 'Quality'),
      frameCount: opt({ type: () => Number }, 'Frames of an animated image'),
      raw: raw('Every other field CI sent'),
      key: opt({ type: () => String }, 'Object key of the source (cos-v5)'),
      location: opt({ type: () => String }, 'Location of the source, without scheme (cos-v5)'),
      etag: opt({ type: () => String }, 'ETag of the source (cos-v5)'),
    };
  }
}

/** OpenAPI model of {@link CiProcessResult}, for `@ApiOkResponse({ type })`. */
export class CiProcessResultDto implements CiProcessResult {
  key!: string;
  bucket?: string;
  format?: string;
  width?: number;
  height?: number;
  size?: number;
  quality?: number;
  frameCount?: number;
  md5?: string;
  watermarkStatus?: number;
  etag?: string;
  location?: string;
  accessUrl?: string;
  sourceUrl?: string;
  resourcePath?: string;
  url?: string;
  vid?: string;
  raw!: CiRawFields;

  /** Read by @nestjs/swagger; one entry per field of the interface (the compiler checks both ways). */
  static _OPENAPI_METADATA_FACTORY(): Record<keyof CiProcessResult, Property> {
    return {
      key: req({ type: () => String }, 'Object key of the output (the resolved fileid)'),
      bucket: opt({ type: () => String }, 'Bucket the output was written to (<name>-<appid>)'),
      format: opt({ type: () => String }, 'Output format, upper case'),
      width: opt({ type: () => Number }, 'Width in pixels'),
      height: opt({ type: () => Number }, 'Height in pixels'),
      size: opt({ type: () => Number }, 'Size in bytes'),
      quality: opt({ type: () => Number }, 'Quality'),
      frameCount: opt({ type: () => Number }, 'Frames of an animated output'),
      md5: opt({ type: () => String }, 'MD5 of the output, when CI says'),
      watermarkStatus: opt({ type: () => Number }, 'Blind-watermark extraction result, when CI says'),
      vid: opt({ type: () => String }, 'vid (files-v2)'),
      raw: raw('Every other field CI sent for this output'),
      etag: opt({ type: () => String }, 'ETag (cos-v5)'),
      location: opt({ type: () => String }, 'Location without scheme (cos-v5)'),
      accessUrl: opt({ type: () => String }, 'CDN link (files-v2)'),
      sourceUrl: opt({ type: () => String }, 'Direct COS link (files-v2)'),
      resourcePath: opt({ type: () => String }, '/<appid>/<bucket>/<key> (files-v2)'),
      url: opt({ type: () => String }, 'API URL of the file (files-v2)'),
    };
  }
}

/** OpenAPI model of {@link CiImageInfo}, for `@ApiOkResponse({ type })`. */
export class CiImageInfoDto implements CiImageInfo {
  originalInfo?: CiOriginalInfoDto;
  processResults!: CiProcessResultDto[];

  /** Read by @nestjs/swagger; one entry per field of the interface (the compiler checks both ways). */
  static _OPENAPI_METADATA_FACTORY(): Record<keyof CiImageInfo, Property> {
    return {
      originalInfo: opt({ type: () => CiOriginalInfoDto }, 'Present when is_pic_info was 1'),
      processResults: req({ type: () => [CiProcessResultDto] }, 'One entry per rule, in rule order'),
    };
  }
}

/** OpenAPI model of {@link CiUploadResult}: `@ApiOkResponse({ type: CiUploadResultDto })`. */
export class CiUploadResultDto implements CiUploadResult {
  fieldname!: string;
  key!: string;
  bucket!: string;
  size!: number;
  etag?: string;
  mimetype!: string;
  originalName!: string;
  requestId?: string;
  timecost?: number;
  location?: string;
  accessUrl?: string;
  sourceUrl?: string;
  resourcePath?: string;
  url?: string;
  imageInfo!: CiImageInfoDto;

  /** Read by @nestjs/swagger; one entry per field of the interface (the compiler checks both ways). */
  static _OPENAPI_METADATA_FACTORY(): Record<keyof CiUploadResult, Property> {
    return {
      fieldname: req({ type: () => String }, 'Form field the file came in'),
      key: req({ type: () => String }, 'Object key of the stored original'),
      bucket: req({ type: () => String }, 'Bucket as <name>-<appid>'),
      size: req({ type: () => Number }, 'Bytes received and stored'),
      etag: opt({ type: () => String }, 'ETag of the original'),
      mimetype: req({ type: () => String }, 'MIME type sniffed from the bytes'),
      originalName: req({ type: () => String }, "The client's file name, informative only"),
      requestId: opt({ type: () => String }, 'CI request id'),
      timecost: opt({ type: () => Number }, 'Time CI spent in ms (files-v2)'),
      location: opt({ type: () => String }, 'Location without scheme (cos-v5)'),
      accessUrl: opt({ type: () => String }, 'CDN link (files-v2)'),
      sourceUrl: opt({ type: () => String }, 'Direct COS link (files-v2)'),
      resourcePath: opt({ type: () => String }, '/<appid>/<bucket>/<key> (files-v2)'),
      url: opt({ type: () => String }, 'API URL (files-v2)'),
      imageInfo: req({ type: () => CiImageInfoDto }, "CI's processing result"),
    };
  }
}

import type { CiImageInfo, CiOriginalInfo, CiProcessResult, CiUploadResult } from '../../index';

// The schemas are given the way the @nestjs/swagger CLI plugin writes them (a static
// `_OPENAPI_METADATA_FACTORY`), so these classes need no @nestjs/swagger at run time: it stays an optional peer.
// Each `type` is written as `{ type: () => X }` so the function is named `type`: that is how @nestjs/swagger
// tells a lazy type from a class.
type Property = { required: boolean; type: () => unknown; description: string };
type Lazy = { type: () => unknown };
const req = (lazy: Lazy, description: string): Property => ({ required: true, ...lazy, description });
const opt = (lazy: Lazy, description: string): Property => ({ required: false, ...lazy, description });

/** OpenAPI model of {@link CiOriginalInfo}, for `@ApiOkResponse({ type })`. */
export class CiOriginalInfoDto implements CiOriginalInfo {
  format!: string;
  width!: number;
  height!: number;
  ave!: string;
  orientation!: number;
  quality!: number;
  key?: string;
  location?: string;
  etag?: string;

  /** Read by @nestjs/swagger. */
  static _OPENAPI_METADATA_FACTORY(): Record<string, Property> {
    return {
      format: req({ type: () => String }, 'Image format as CI names it (JPEG, PNG, ...)'),
      width: req({ type: () => Number }, 'Width in pixels'),
      height: req({ type: () => Number }, 'Height in pixels'),
      ave: req({ type: () => String }, 'Average colour, 0xRRGGBB'),
      orientation: req({ type: () => Number }, 'EXIF orientation'),
      quality: req({ type: () => Number }, 'Quality'),
      key: opt({ type: () => String }, 'Object key of the source (cos-v5)'),
      location: opt({ type: () => String }, 'Location of the source, without scheme (cos-v5)'),
      etag: opt({ type: () => String }, 'ETag of the source (cos-v5)'),
    };
  }
}

/** OpenAPI model of {@link CiProcessResult}, for `@ApiOkResponse({ type })`. */
export class CiProcessResultDto implements CiProcessResult {
  key!: string;
  format!: string;
  width!: number;
  height!: number;
  size!: number;
  quality!: number;
  etag?: string;
  location?: string;
  accessUrl?: string;
  sourceUrl?: string;
  resourcePath?: string;
  url?: string;

  /** Read by @nestjs/swagger. */
  static _OPENAPI_METADATA_FACTORY(): Record<string, Property> {
    return {
      key: req({ type: () => String }, 'Object key of the output (the resolved fileid)'),
      format: req({ type: () => String }, 'Output format'),
      width: req({ type: () => Number }, 'Width in pixels'),
      height: req({ type: () => Number }, 'Height in pixels'),
      size: req({ type: () => Number }, 'Size in bytes'),
      quality: req({ type: () => Number }, 'Quality'),
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

  /** Read by @nestjs/swagger. */
  static _OPENAPI_METADATA_FACTORY(): Record<string, Property> {
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

  /** Read by @nestjs/swagger. */
  static _OPENAPI_METADATA_FACTORY(): Record<string, Property> {
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

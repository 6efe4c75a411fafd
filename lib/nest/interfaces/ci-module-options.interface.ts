import type { LoggerService } from '@nestjs/common';
import type { Request } from 'express';
import type { CiClientOptions } from '../../client';
import type { CiImageFormat } from '../../core/media';
import type { CiRuleInput } from '../../core/rules';

/** Size and count limits of an upload, enforced while the bytes stream (multer/busboy limits). */
export interface CiUploadLimits {
  /** Largest file in bytes. Default 20 MiB (CI's documented limit for processing on upload). */
  fileSize?: number;
  /** Most files in one request. Default 10. */
  files?: number;
  /** Most non-file fields in one request. Default 20. */
  fields?: number;
}

/** What a key strategy knows about a file when it names it. */
export interface CiKeyContext {
  /** The form field. */
  fieldname: string;
  /** The client's file name: informative only, never trusted. */
  originalname: string;
  /** The sniffed MIME type. */
  mimetype: string;
  /** The extension of the sniffed type (`jpg`). */
  ext: string;
}

/** Names the object of an uploaded file. Must return a key without a leading slash. */
export type CiKeyStrategy = (req: Request, file: CiKeyContext) => string | Promise<string>;

/** Options of `CiModule.forRoot()`: everything `CiClient` takes, plus upload behaviour. */
export interface CiModuleOptions extends CiClientOptions {
  /** Upload limits for every `@CiUpload` route (a route may lower them). */
  limits?: CiUploadLimits;
  /** Image formats accepted, by magic bytes. Default: the formats CI decodes (jpeg, png, gif, webp, bmp, heif). */
  allowedFormats?: CiImageFormat[];
  /** Key prefix of the default key strategy. Default `'uploads'`. */
  keyPrefix?: string;
  /** Names objects; default `<keyPrefix>/<yyyy>/<mm>/<uuid>.<ext of the sniffed type>`. */
  keyStrategy?: CiKeyStrategy;
  /** Default `is_pic_info` for routes and `CiService` calls that do not say. Default `true`. */
  isPicInfo?: boolean;
  /** Named rule sets kept server side (`{ thumb: imageMogr2().thumbnail({ width: 200 }) }`), used as `{ style }`. */
  styles?: Record<string, CiRuleInput>;
  /** Refuse rules with operations the rule grammar does not know. Default `false`. */
  strictRules?: boolean;
  /** Logger; default Nest's `Logger` with context `CiModule`. */
  logger?: LoggerService;
}

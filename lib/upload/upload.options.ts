import type { CiClientOptions } from '../client';
import type { CiImageFormat } from '../core/media';
import type { CiObjectHeaders } from '../core/object';
import type { CiRuleInput } from '../core/rules';
import type { CiUploadProgressListener } from './upload.progress';

/** Where the upload layer writes: `debug` for expected refusals, `warn` for CI failures. Nest's `Logger` fits. */
export interface CiLogger {
  debug?(message: string): void;
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

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

/**
 * Names the object of an uploaded file; must return a key without a leading slash. `req` is the platform's
 * request (Express `Request`, `FastifyRequest`, or what `CiService.upload` was given); annotate it as you need.
 */
export type CiKeyStrategy<TRequest = never> = {
  // A method signature keeps the parameter bivariant, so `(req: Request, file) => ...` fits every platform.
  strategy(req: TRequest, file: CiKeyContext): string | Promise<string>;
}['strategy'];

/** Upload behaviour shared by `CiModule.forRoot()`, `ciUpload()` and `createCiStorage()`. */
export interface CiUploadBehaviour {
  /** Upload limits for every route (a route may lower them). */
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
  /**
   * Headers stored with every uploaded original (`cacheControl`, `contentDisposition`, `metadata`, `acl`,
   * `storageClass`, `tagging`); a route or call refines them. cos-v5 only. Default: none.
   */
  object?: CiObjectHeaders;
  /**
   * On shutdown, how long uploads in flight may take to finish their abort and cleanup before their sockets are
   * destroyed and the process is free to exit. Default 5000 ms.
   */
  shutdownTimeoutMs?: number;
  /**
   * After a request whose outcome is unknown (timeout, reset, unreadable answer), what it may have created is
   * removed at once and looked for again this many ms later, when CI has finished (sooner on shutdown).
   * Default 10000 ms.
   */
  unknownOutcomeRecheckMs?: number;
}

/** Everything `CiClient` takes, plus upload behaviour and a logger. */
export interface CiUploaderOptions extends CiClientOptions, CiUploadBehaviour {
  /** Logger; default: `console` without debug lines (Nest: its `Logger` with context `CiModule`). */
  logger?: CiLogger;
}

/**
 * One processing rule of an upload: where the output goes (`fileid`, a template: `{name}`, `{ext}`, `{dir}`,
 * `{key}`, `{uuid}`, `{field}`, `{index}`) and what to do, as a rule (string or builder) or a named module style.
 */
export type CiUploadRule =
  { fileid: string; rule: CiRuleInput; bucket?: string } | { fileid: string; style: string; bucket?: string };

/** Processing and limits of one upload route or field. */
export interface CiUploadProcessing {
  /** Processing rules, at most 5. Validated when the application starts. */
  rules?: CiUploadRule[];
  /** Ask CI for the original's info. Default: the module's `isPicInfo` (true). */
  isPicInfo?: boolean;
}

/**
 * A route option given as a value, or computed for each file from the platform's request and the file (its
 * field, client name and sniffed type), like multer-s3's `key` and `metadata`. A function's result is
 * validated when it is called: an invalid one fails that request with `CiValidationError` (400).
 *
 * @example
 * object: (req: Request, file) => ({ metadata: { owner: req.user.id }, contentDisposition: `inline; filename="${file.originalname}"` })
 */
export type CiRequestOption<T> =
  | T
  | {
      // A method signature keeps the parameter bivariant, so `(req: Request, file) => ...` fits every platform.
      option(req: never, file: CiKeyContext): T | Promise<T>;
    }['option'];

/** Processing of one route or field, whose rules may be computed per request. */
export interface CiRouteProcessing extends Omit<CiUploadProcessing, 'rules'> {
  /** Processing rules, at most 5: validated when the application starts, or per request when a function. */
  rules?: CiRequestOption<CiUploadRule[]>;
}

/** What a route may change, whatever its form. */
export interface CiUploadRouteOptions {
  /** Lower the module's limits for this route. */
  limits?: CiUploadLimits;
  /** Restrict the module's allowed formats for this route. */
  allowedFormats?: CiImageFormat[];
  /** Name objects for this route (overrides the module's key strategy). */
  key?: CiKeyStrategy;
  /** Headers stored with the originals of this route, over the module's `object` (metadata and tags merged). */
  object?: CiRequestOption<CiObjectHeaders>;
  /**
   * Refuse to overwrite an existing object (cos-v5 `x-cos-forbid-overwrite`, files-v2 `insertOnly=1`); a
   * conflict fails the upload. Default: the module's `insertOnly`.
   */
  insertOnly?: CiRequestOption<boolean>;
  /**
   * Keep what was stored when the request fails after the upload (a pipe, a later guard or the handler
   * throws). Default `false`: originals and outputs are removed before the error answer goes out.
   */
  keepOnError?: boolean;
  /**
   * Receives the progress of each file: bytes received from the client, bytes acknowledged by CI, the phase
   * (`receiving`, `uploading`, `processing`, `done`, `failed`), and the key once known, with the platform's
   * request. Throttled; a throwing listener never breaks the upload. Default: none.
   */
  onProgress?: CiUploadProgressListener;
}

/** Options of `@CiUpload(field, options)` / `ciUpload({ field, ... })`. */
export interface CiUploadOptions extends CiRouteProcessing, CiUploadRouteOptions {
  /** Accept up to this many files under the field (`ciResults`); omit for exactly one (`ciResult`). */
  maxCount?: number;
}

/** One field of the many-fields form. */
export interface CiUploadField extends CiRouteProcessing {
  name: string;
  /** Default 1. */
  maxCount?: number;
}

/** Options of `@CiUpload({ fields: [...] })` / `ciUpload({ fields: [...] })`. */
export interface CiUploadFieldsOptions extends CiUploadRouteOptions {
  fields: CiUploadField[];
}

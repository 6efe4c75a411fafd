import { CiValidationError } from '../core/errors';
import type { CiImageFormat } from '../core/media';
import { compileFileOptions, type CiFileOptionsSource } from './file-options.resolver';
import type { ResolvedCiModuleOptions } from './upload-options.validation';
import type { CiUploadProgressListener } from './upload.progress';
import type { CiKeyStrategy, CiUploadFieldsOptions, CiUploadOptions } from './upload.options';

/** What a route accepts: one field (single or array) or many fields. */
export type CiUploadSpec =
  | { kind: 'field'; field: string; options: CiUploadOptions }
  | { kind: 'fields'; options: CiUploadFieldsOptions };

/** A route checked once (rules compiled, limits and formats merged with the module's), ready per request. */
export interface CiUploadRoute {
  /** Name for messages: `@CiUpload('file')`. */
  where: string;
  /** Exactly one file under one field: `ciResult`, else `ciResults`. */
  single: boolean;
  /** Accepted fields with their most files. */
  fields: { name: string; maxCount: number }[];
  /** The field's processing, object headers and `insertOnly`, fixed or per request (only accepted fields are asked). */
  optionsFor(field: string): CiFileOptionsSource;
  allowedFormats: readonly CiImageFormat[];
  limits: { fileSize: number; files: number; fields: number };
  /** The largest body a request within `limits` can have: a larger declared `Content-Length` is refused unread. */
  maxRequestBytes: number;
  keyStrategy?: CiKeyStrategy<unknown>;
  keepOnError: boolean;
  /** The route's progress listener, if any. */
  onProgress?: CiUploadProgressListener<unknown>;
}

/** Turns a route spec into a {@link CiUploadRoute}; a bad rule throws `CiValidationError` naming the route. */
export function compileUploadRoute(spec: CiUploadSpec, options: ResolvedCiModuleOptions): CiUploadRoute {
  const local = spec.options;
  const where = spec.kind === 'field' ? `@CiUpload('${spec.field}')` : '@CiUpload({ fields })';
  if (local.onProgress !== undefined && typeof local.onProgress !== 'function') {
    throw new CiValidationError('OPTIONS_INVALID', `${where}: onProgress must be a function`, {
      field: `${where}.onProgress`,
    });
  }
  const perField = new Map<string, CiFileOptionsSource>();
  const fields: { name: string; maxCount: number }[] = [];
  if (spec.kind === 'field') {
    perField.set(spec.field, compileFileOptions(spec.options, options, where));
    fields.push({ name: spec.field, maxCount: spec.options.maxCount ?? 1 });
  } else {
    for (const f of spec.options.fields) {
      const field = { ...f, object: local.object, insertOnly: local.insertOnly };
      perField.set(f.name, compileFileOptions(field, options, `${where}.${f.name}`));
      fields.push({ name: f.name, maxCount: f.maxCount ?? 1 });
    }
  }
  const limits = {
    fileSize: Math.min(local.limits?.fileSize ?? Infinity, options.limits.fileSize),
    files: Math.min(local.limits?.files ?? Infinity, options.limits.files),
    fields: Math.min(local.limits?.fields ?? Infinity, options.limits.fields),
  };
  return {
    where,
    single: spec.kind === 'field' && spec.options.maxCount === undefined,
    fields,
    optionsFor: (field) => perField.get(field)!,
    allowedFormats: local.allowedFormats
      ? local.allowedFormats.filter((f) => options.allowedFormats.includes(f))
      : options.allowedFormats,
    limits,
    maxRequestBytes: maxRequestBytes(limits, fields),
    keyStrategy: (local.key ?? options.keyStrategy) as CiKeyStrategy<unknown> | undefined,
    keepOnError: local.keepOnError ?? false,
    onProgress: local.onProgress as CiUploadProgressListener<unknown> | undefined,
  };
}

/** busboy's defaults, which bound a multipart body besides the route's limits (busboy lib/types/multipart.js). */
const BUSBOY_FIELD_SIZE = 1024 * 1024;
const BUSBOY_MAX_HEADER_SIZE = 16 * 1024;
/** A part's framing besides its headers: `--` + a boundary of at most 70 characters (RFC 2046 5.1.1) + CRLFs. */
const PART_FRAMING = 2 + 70 + 4 + 4;

/** The largest multipart body within the limits: every file and field at its largest, with its framing. */
function maxRequestBytes(
  limits: { fileSize: number; files: number; fields: number },
  fields: readonly { maxCount: number }[],
): number {
  const part = BUSBOY_MAX_HEADER_SIZE + PART_FRAMING;
  const files = Math.min(
    limits.files,
    fields.reduce((n, f) => n + f.maxCount, 0),
  );
  return files * (limits.fileSize + part) + limits.fields * (BUSBOY_FIELD_SIZE + part) + PART_FRAMING;
}

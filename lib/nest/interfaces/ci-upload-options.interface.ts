import type { CiImageFormat } from '../../core/media';
import type { CiRuleInput } from '../../core/rules';
import type { CiKeyStrategy, CiUploadLimits } from './ci-module-options.interface';

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

/** Options of `@CiUpload(field, options)`. */
export interface CiUploadOptions extends CiUploadProcessing {
  /** Accept up to this many files under the field (`req.ciResults`); omit for exactly one (`req.ciResult`). */
  maxCount?: number;
  /** Lower the module's limits for this route. */
  limits?: CiUploadLimits;
  /** Restrict the module's allowed formats for this route. */
  allowedFormats?: CiImageFormat[];
  /** Name objects for this route (overrides the module's key strategy). */
  key?: CiKeyStrategy;
}

/** One field of the many-fields form. */
export interface CiUploadField extends CiUploadProcessing {
  name: string;
  /** Default 1. */
  maxCount?: number;
}

/** Options of `@CiUpload({ fields: [...] })`. */
export interface CiUploadFieldsOptions {
  fields: CiUploadField[];
  limits?: CiUploadLimits;
  allowedFormats?: CiImageFormat[];
  key?: CiKeyStrategy;
}

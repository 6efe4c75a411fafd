import { randomUUID } from 'node:crypto';
import { CiValidationError } from '../core/errors';
import { buildPicOperations, resolveFileId } from '../core/pic-operations';
import type { CiRuleInput } from '../core/rules';
import { checkFileIdTemplate, expandFileId, keyParts } from '../core/templates';
import type { CiObjectRef } from './leftover-cleaner';
import type { CiUploadProcessing } from './upload.options';

/** Processing of one route or field, checked once and ready to build a `Pic-Operations` per file. */
export interface CompiledProcessing {
  /** `is_pic_info` to send. */
  isPicInfo: boolean;
  /** Number of rules (0: store only). */
  ruleCount: number;
  /** The `Pic-Operations` header for one file; `undefined` when there is nothing to ask of CI. */
  build(file: { key: string; field: string; index: number }): BuiltProcessing;
}

/** The header for one file and the objects its rules will write. */
export interface BuiltProcessing {
  picOperations: string | undefined;
  /** Output objects, each in its rule's `bucket` (absent: the source bucket). */
  outputs: CiObjectRef[];
}

/** What the compiler needs from the module. */
export interface ProcessingDefaults {
  isPicInfo: boolean;
  styles: Record<string, CiRuleInput>;
  strictRules: boolean;
}

/**
 * Resolves named styles, checks templates and rules (by building a header for a sample file) and returns a
 * builder; every error names the route or field (`where`) and fails the application's start-up.
 */
export function compileProcessing(
  processing: CiUploadProcessing,
  defaults: ProcessingDefaults,
  where: string,
): CompiledProcessing {
  const isPicInfo = processing.isPicInfo ?? defaults.isPicInfo;
  const rules = (processing.rules ?? []).map((r, i) => {
    const field = `${where}.rules[${i}]`;
    checkFileIdTemplate(r.fileid, `${field}.fileid`);
    let rule: CiRuleInput;
    if ('style' in r) {
      const style = defaults.styles[r.style];
      if (style === undefined) {
        throw new CiValidationError('RULE_MALFORMED', `${field}: unknown style "${r.style}"`, { field });
      }
      rule = style;
    } else {
      rule = r.rule;
    }
    return { fileid: r.fileid, rule, bucket: r.bucket };
  });
  const build = (
    file: { key: string; field: string; index: number },
    uuid = randomUUID(),
  ): BuiltProcessing => {
    if (!isPicInfo && rules.length === 0) return { picOperations: undefined, outputs: [] };
    const values = { ...keyParts(file.key), uuid, field: file.field, index: file.index };
    const expanded = rules.map((r) => ({ ...r, fileid: expandFileId(r.fileid, values) }));
    return {
      picOperations: buildPicOperations({ isPicInfo, strictRules: defaults.strictRules, rules: expanded }),
      outputs: expanded.map((r) => ({
        key: resolveFileId(file.key, r.fileid),
        ...(r.bucket ? { bucket: r.bucket } : {}),
      })),
    };
  };
  try {
    build(
      { key: 'uploads/2026/01/sample.jpg', field: 'file', index: 0 },
      '00000000-0000-4000-8000-000000000000',
    );
  } catch (err) {
    if (err instanceof CiValidationError) {
      throw new CiValidationError(err.reason, `${where}: ${err.message}`, { field: where, cause: err });
    }
    throw err;
  }
  return { isPicInfo, ruleCount: rules.length, build: (file) => build(file) };
}

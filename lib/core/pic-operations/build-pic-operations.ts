import { CiValidationError } from '../errors';
import { toRuleString, type CiRuleInput } from '../rules';
import { stringifyAsciiJson } from './ascii-json';
import {
  CI_MAX_RULES,
  ruleError,
  validateBucket,
  validateFileId,
  validateRuleCount,
} from './pic-operations.validator';

/** One output of a `Pic-Operations` header. */
export interface PicOperationRule {
  /** Output key: absolute when it starts with `/`, else relative to the source object's directory. */
  fileid: string;
  /** The processing: a CI rule string, a builder (`imageMogr2()...`) or a `CiRule`. */
  rule: CiRuleInput;
  /** Target bucket as `<name>-<appid>`. Default: the source bucket. */
  bucket?: string;
}

/** Options of {@link buildPicOperations}. */
export interface BuildPicOperationsOptions {
  /** Ask CI for the source image's info (`is_pic_info: 1`). Default `false` (the key is then not sent). */
  isPicInfo?: boolean;
  /** At most 5 rules; none means CI only stores the upload (and returns its info when asked). */
  rules: readonly PicOperationRule[];
  /** Refuse rule operations this package does not model (`RULE_UNKNOWN_OPERATION`). Default `false`. */
  strictRules?: boolean;
}

/**
 * Builds the `Pic-Operations` header value, `{"is_pic_info":1,"rules":[{"bucket","fileid","rule"}]}`, after
 * validating every rule: at most 5 (`TOO_MANY_RULES`), each `fileid` (see `validateFileId`), each `bucket`
 * (`BUCKET_INVALID`) and each `rule` (`RULE_EMPTY`, `RULE_MALFORMED`, `RULE_UNKNOWN_OPERATION` with `strictRules`).
 * Errors are `CiValidationError`s whose `field` is like `rules[2].fileid`.
 *
 * Key order is `is_pic_info`, `rules`, and in each rule `bucket`, `fileid`, `rule`; `is_pic_info` is left out
 * when false, as the Go SDK does. Rule strings are sent as given; builders and `CiRule`s in canonical form.
 *
 * The JSON is pure printable ASCII: every character above U+007E is sent as a `\uXXXX` escape (astral ones as
 * surrogate pairs), as Tencent's Python SDK does with `json.dumps`. It is the same JSON value, and it is the only
 * form Node's `http` can send: it refuses header values with characters above U+00FF and sends U+0080-U+00FF as
 * Latin-1 bytes, not UTF-8.
 * @example buildPicOperations({ isPicInfo: true, rules: [{ fileid: 'thumb.webp', rule: imageMogr2().format('webp') }] })
 * // '{"is_pic_info":1,"rules":[{"fileid":"thumb.webp","rule":"imageMogr2/format/webp"}]}'
 */
export function buildPicOperations(options: BuildPicOperationsOptions): string {
  const { isPicInfo = false, rules, strictRules = false } = options ?? ({} as BuildPicOperationsOptions);
  if (!Array.isArray(rules)) {
    throw new CiValidationError('OPTIONS_INVALID', 'Pic-Operations rules: must be an array', {
      field: 'rules',
    });
  }
  validateRuleCount(rules.length, CI_MAX_RULES);
  const wire = rules.map((entry: PicOperationRule, index) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new CiValidationError('OPTIONS_INVALID', `Pic-Operations rules[${index}]: must be an object`, {
        field: `rules[${index}]`,
      });
    }
    validateFileId(entry.fileid, `rules[${index}].fileid`);
    if (entry.bucket !== undefined) validateBucket(entry.bucket, `rules[${index}].bucket`);
    let rule: string;
    try {
      rule = toRuleString(entry.rule, { strict: strictRules });
    } catch (error) {
      throw ruleError(error, index);
    }
    return entry.bucket !== undefined
      ? { bucket: entry.bucket, fileid: entry.fileid, rule }
      : { fileid: entry.fileid, rule };
  });
  return stringifyAsciiJson(isPicInfo ? { is_pic_info: 1, rules: wire } : { rules: wire });
}

import { CiValidationError } from '../errors';
import { parseRule, type CiRule } from '../rules';
import {
  CI_MAX_RULES,
  ruleError,
  validateBucket,
  validateFileId,
  validateRuleCount,
} from './pic-operations.validator';

/** One rule of a received `Pic-Operations` header. */
export interface ParsedPicOperationRule {
  /** The output key as sent (resolve it with `resolveFileId`). */
  fileid: string;
  /** The rule as its typed model. */
  rule: CiRule;
  /** The rule as sent. */
  ruleText: string;
  /** Target bucket, when one was given. */
  bucket?: string;
}

/** A received `Pic-Operations` header, validated. */
export interface ParsedPicOperations {
  /** `is_pic_info` was 1. */
  isPicInfo: boolean;
  /** The rules in order (empty when `rules` was absent). */
  rules: ParsedPicOperationRule[];
}

/** Options of {@link parsePicOperations}. */
export interface ParsePicOperationsOptions {
  /** Most rules accepted. Default 5 (CI's limit). */
  maxRules?: number;
  /** Refuse rule operations this package does not model (`RULE_UNKNOWN_OPERATION`). Default `false`. */
  strict?: boolean;
}

function invalid(message: string, field?: string, cause?: unknown): never {
  throw new CiValidationError('OPTIONS_INVALID', `Pic-Operations ${field ? `${field}: ` : ''}${message}`, {
    field,
    cause,
  });
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Parses and validates a received `Pic-Operations` header (what the emulator does with a request). Bad JSON or
 * wrong types throw `CiValidationError` `OPTIONS_INVALID`; the rules are checked as {@link buildPicOperations}
 * checks them (`TOO_MANY_RULES`, `FILEID_*`, `BUCKET_INVALID`, `RULE_*`), with `field` like `rules[1].rule`.
 * @example parsePicOperations('{"is_pic_info":1,"rules":[{"fileid":"a.png","rule":"imageView2/format/png"}]}')
 */
export function parsePicOperations(
  headerValue: string,
  options: ParsePicOperationsOptions = {},
): ParsedPicOperations {
  const { maxRules = CI_MAX_RULES, strict = false } = options;
  let body: unknown;
  try {
    body = JSON.parse(headerValue);
  } catch (error) {
    invalid(`is not valid JSON (${(error as Error).message})`, undefined, error);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    invalid(`must be a JSON object, got ${kindOf(body)}`);
  const { is_pic_info: isPicInfo = 0, rules = [] } = body as { is_pic_info?: unknown; rules?: unknown };
  if (isPicInfo !== 0 && isPicInfo !== 1)
    invalid(`${JSON.stringify(isPicInfo)} is not 0 or 1`, 'is_pic_info');
  if (!Array.isArray(rules)) invalid(`must be an array, got ${kindOf(rules)}`, 'rules');
  validateRuleCount(rules.length, maxRules);
  return {
    isPicInfo: isPicInfo === 1,
    rules: (rules as unknown[]).map((entry, index) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        invalid(`must be an object, got ${kindOf(entry)}`, `rules[${index}]`);
      }
      const { fileid, rule, bucket } = entry as { fileid?: unknown; rule?: unknown; bucket?: unknown };
      validateFileId(fileid, `rules[${index}].fileid`);
      if (bucket !== undefined) validateBucket(bucket, `rules[${index}].bucket`);
      if (typeof rule !== 'string') invalid(`must be a string, got ${kindOf(rule)}`, `rules[${index}].rule`);
      let parsed: CiRule;
      try {
        parsed = parseRule(rule, { strict });
      } catch (error) {
        throw ruleError(error, index);
      }
      const out: ParsedPicOperationRule = { fileid: fileid as string, rule: parsed, ruleText: rule };
      if (bucket !== undefined) out.bucket = bucket as string;
      return out;
    }),
  };
}

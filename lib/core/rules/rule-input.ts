import { CiValidationError } from '../errors';
import { parseRule, type ParseRuleOptions } from './rule.parser';
import { serializeRule } from './rule.serializer';
import type { CiRule } from './rule.types';
import { validateRule } from './rule.validator';

/** Anything that builds a rule: every builder of this package (`imageMogr2()`, `pipe()`, ...). */
export interface CiRuleBuilder {
  /** The rule as its typed model. */
  toRule(): CiRule;
  /** The rule as the CI string. */
  toString(): string;
}

/** A rule in any of the forms this package accepts: the CI string, a builder, or the typed model. */
export type CiRuleInput = string | CiRuleBuilder | CiRule;

/** True when `value` is a rule builder (has `toRule()`), as opposed to a string or a plain {@link CiRule}. */
export function isCiRuleBuilder(value: unknown): value is CiRuleBuilder {
  return typeof value === 'object' && value !== null && typeof (value as CiRuleBuilder).toRule === 'function';
}

function isCiRule(value: unknown): value is CiRule {
  return typeof value === 'object' && value !== null && Array.isArray((value as CiRule).steps);
}

function notARule(input: unknown): never {
  throw new CiValidationError(
    'RULE_MALFORMED',
    `rule must be a string, a rule builder or a CiRule, got ${input === null ? 'null' : typeof input}`,
  );
}

/**
 * Turns any {@link CiRuleInput} into its validated {@link CiRule} model. Strings are parsed with
 * {@link parseRule}; with `strict`, rules holding operations the model does not know are refused.
 * @throws CiValidationError `RULE_EMPTY`, `RULE_MALFORMED` or `RULE_UNKNOWN_OPERATION`.
 */
export function toCiRule(input: CiRuleInput, options: ParseRuleOptions = {}): CiRule {
  if (typeof input === 'string') return parseRule(input, options);
  const rule = isCiRuleBuilder(input) ? input.toRule() : isCiRule(input) ? input : notARule(input);
  if (options.strict) return parseRule(serializeRule(rule), options);
  validateRule(rule);
  return rule;
}

/**
 * Turns any {@link CiRuleInput} into the CI string sent in `rules[].rule`, validating it first. A string comes
 * back unchanged (so a padded base64 or an upper-case gravity stays as the caller wrote it); a builder or a
 * {@link CiRule} is written in canonical form by {@link serializeRule}.
 * @example toRuleString(imageMogr2().strip()) // 'imageMogr2/strip'
 * @throws CiValidationError `RULE_EMPTY`, `RULE_MALFORMED` or `RULE_UNKNOWN_OPERATION`.
 */
export function toRuleString(input: CiRuleInput, options: ParseRuleOptions = {}): string {
  if (typeof input === 'string') {
    parseRule(input, options);
    return input;
  }
  const rule = isCiRuleBuilder(input) ? input.toRule() : isCiRule(input) ? input : notARule(input);
  const text = serializeRule(rule);
  if (options.strict) parseRule(text, options);
  return text;
}

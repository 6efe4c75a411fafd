import { CiValidationError } from '../errors';
import { toCiRule, type CiRuleBuilder, type CiRuleInput } from './rule-input';
import { encodeProcessingQuery } from './rule-query';
import { serializeRule } from './rule.serializer';
import type { CiRule, CiRuleStep } from './rule.types';

/** Builder of a piped rule (`step|step|...`); see {@link pipe}. */
export class PipeBuilder implements CiRuleBuilder {
  readonly #steps: readonly CiRuleStep[];

  /** Flattens `parts` into one list of steps, validating each; prefer {@link pipe}. */
  constructor(parts: readonly CiRuleInput[]) {
    this.#steps = parts.flatMap((part, index) => {
      try {
        return toCiRule(part).steps.map((step) => structuredClone(step));
      } catch (error) {
        if (!(error instanceof CiValidationError)) throw error;
        throw new CiValidationError(error.reason, `pipe part ${index + 1}: ${error.message}`, {
          cause: error,
        });
      }
    });
    if (this.#steps.length === 0) throw new CiValidationError('RULE_EMPTY', 'pipe needs at least one step');
  }

  /** The piped rule. */
  toRule(): CiRule {
    return { steps: this.#steps.map((step) => structuredClone(step)) };
  }

  /** The CI string, steps joined by `|`. */
  toString(): string {
    return serializeRule(this.toRule());
  }

  /** The download-time processing query (no leading `?`), pipes included. */
  toQuery(): string {
    return encodeProcessingQuery(this.toString());
  }

  /** The CI string, so that `JSON.stringify` writes the rule text. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * Joins steps into one rule run in order (`a|b|c`). Each part may be a builder, a {@link CiRule} or a rule
 * string (parsed, not strict). CI's older docs limit pipes to 3 levels; this package does not enforce it.
 * @example pipe(imageMogr2().thumbnail({ scale: 50 }), watermarkText({ text: 'hi' })).toString()
 * // 'imageMogr2/thumbnail/!50p|watermark/2/text/aGk'
 */
export function pipe(...parts: CiRuleInput[]): PipeBuilder {
  return new PipeBuilder(parts);
}

import type { CiRuleBuilder } from './rule-input';
import { encodeProcessingQuery } from './rule-query';
import { serializeRule } from './rule.serializer';
import type { CiRule, CiRuleStep } from './rule.types';
import { validateStep } from './rule.validator';

/**
 * Base of the builders that stand for one rule step. `toString()` is always `serializeRule(toRule())`, so the
 * builders and the parser share one grammar.
 */
export abstract class CiStepBuilder implements CiRuleBuilder {
  /** The step this builder stands for (a fresh copy each call). */
  abstract toStep(): CiRuleStep;

  /** The one-step rule. */
  toRule(): CiRule {
    return { steps: [this.toStep()] };
  }

  /** The CI string, e.g. `imageMogr2/thumbnail/200x`. */
  toString(): string {
    return serializeRule(this.toRule());
  }

  /** The download-time processing query (no leading `?`): `url + '?' + builder.toQuery()`. */
  toQuery(): string {
    return encodeProcessingQuery(this.toString());
  }

  /** The CI string, so that `JSON.stringify` of an object holding a builder writes the rule text. */
  toJSON(): string {
    return this.toString();
  }
}

/** Base of the builders of one step given whole (watermarks, `imageSlim`, `ci-process`): validated once, copied out. */
export abstract class FixedStepBuilder<S extends CiRuleStep> extends CiStepBuilder {
  readonly #step: S;

  /** Validates `step` (`CiValidationError` `RULE_MALFORMED`); prefer the factory functions. */
  constructor(step: S) {
    super();
    validateStep(step);
    this.#step = structuredClone(step);
  }

  /** The step (a fresh copy). */
  override toStep(): S {
    return structuredClone(this.#step);
  }
}

/** @internal Lower-cases a string (gravity, format) given in another case; anything else is left for validation. */
export function lowerCase<T>(value: T): T {
  return (typeof value === 'string' ? value.toLowerCase() : value) as T;
}

/** @internal Copies `fields` without its `undefined` values, so the model stays plain JSON. */
export function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

import type { CiStyleStep } from './rule.types';
import { validateStep } from './rule.validator';
import { CiStepBuilder } from './step.builder';

/** Builder of one `style/<name>` step; see {@link style}. */
export class StyleBuilder extends CiStepBuilder {
  readonly #name: string;

  /** Validates `name` (`CiValidationError` `RULE_MALFORMED`); prefer {@link style}. */
  constructor(name: string) {
    super();
    validateStep({ kind: 'style', name });
    this.#name = name;
  }

  /** The `style` step. */
  override toStep(): CiStyleStep {
    return { kind: 'style', name: this.#name };
  }
}

/**
 * Builds a `style/<name>` step: apply a style defined in the CI console.
 * @example style('thumb-200').toString() // 'style/thumb-200'
 */
export function style(name: string): StyleBuilder {
  return new StyleBuilder(name);
}

import type { CiRule } from './rule.types';
import { stepOperation, validateRule } from './rule.validator';

/**
 * Writes a {@link CiRule} as the CI string (steps joined by `|`), in canonical form: known parameters in the
 * documented order, gravity and formats lower case, base64 URL-safe without padding. Validates the rule first
 * (`CiValidationError` `RULE_EMPTY` / `RULE_MALFORMED`). For canonical strings,
 * `serializeRule(parseRule(s)) === s`.
 * @example serializeRule({ steps: [{ kind: 'style', name: 'thumb' }] }) // 'style/thumb'
 */
export function serializeRule(rule: CiRule): string {
  validateRule(rule);
  return rule.steps.map((step) => stepOperation(step).serialize(step as never)).join('|');
}

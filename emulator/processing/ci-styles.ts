import { CiValidationError } from '../../lib/core/errors';
import { parseRule } from '../../lib/core/rules';

/**
 * Checks a style before it is registered: the name must be usable in `style/<name>` (no `/`, `|` or spaces)
 * and the rule must parse with the project's rule grammar. Throws a `TypeError` naming the style.
 * @example checkStyle('thumb', 'imageMogr2/thumbnail/200x'); // ok
 */
export function checkStyle(name: string, rule: string): void {
  if (typeof name !== 'string' || !/^[^\s/|]+$/.test(name) || name.length > 128) {
    throw new TypeError(
      `style name ${JSON.stringify(name)} must be 1-128 characters without "/", "|" or spaces`,
    );
  }
  if (typeof rule !== 'string' || rule.trim() === '') {
    throw new TypeError(`style "${name}" needs a rule string`);
  }
  try {
    parseRule(rule);
  } catch (error) {
    if (!(error instanceof CiValidationError)) throw error;
    throw new TypeError(`style "${name}" is not a valid rule: ${error.message}`, { cause: error });
  }
}

/**
 * Checks a set of styles (`{ name: rule }`) and returns a copy; throws a `TypeError` naming the first bad one.
 * @example resolveStyles({ small: 'imageMogr2/thumbnail/200x', square: 'imageView2/1/w/96' })
 */
export function resolveStyles(styles: Readonly<Record<string, string>> = {}): Record<string, string> {
  if (typeof styles !== 'object' || styles === null || Array.isArray(styles)) {
    throw new TypeError('styles must be an object of { name: rule }');
  }
  const out: Record<string, string> = {};
  for (const [name, rule] of Object.entries(styles)) {
    checkStyle(name, rule);
    out[name] = rule;
  }
  return out;
}

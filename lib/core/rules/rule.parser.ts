import { CiValidationError } from '../errors';
import { expectKnownFormat, malformed } from './operations/rule-checks';
import { STEP_OPERATIONS, stepKeyOf } from './operations/step-operations';
import type { CiRule, CiRuleStep, CiStepKey } from './rule.types';
import { validateStep } from './rule.validator';
import { hasControlChar } from './text-checks';

/** Options of {@link parseRule}. */
export interface ParseRuleOptions {
  /**
   * Refuse what this model does not know (a top-level operation, an imageMogr2 operation, an imageView2 or
   * watermark parameter) with `RULE_UNKNOWN_OPERATION`, instead of keeping it raw so that it still reaches CI.
   * Default `false`.
   */
  strict?: boolean;
}

function parseStep(text: string, strict: boolean): CiRuleStep {
  if (text === '') malformed('rule', 'empty step (a "|" at an end or two in a row)');
  const tokens = text.split('/');
  tokens.forEach((token, index) => {
    if (token === '')
      malformed('rule', `empty segment at position ${index + 1} (a "/" at an end or two in a row)`);
    if (hasControlChar(token)) malformed('rule', `segment ${JSON.stringify(token)} has a control character`);
  });
  const [name, ...rest] = tokens;
  const key = stepKeyOf(name, rest, text, strict);
  return STEP_OPERATIONS[key as CiStepKey].parse(rest, text, strict) as CiRuleStep;
}

/** Under `strict`, an output format CI does not document is refused (it passes through otherwise). */
function checkKnownFormats(step: CiRuleStep, strict: boolean): void {
  if (step.kind === 'imageView2') expectKnownFormat('imageView2', step.format, strict);
  if (step.kind === 'imageMogr2') {
    for (const op of step.ops)
      if (op.op === 'format') expectKnownFormat('imageMogr2/format', op.format, strict);
  }
}

/**
 * Parses a CI rule string (`imageMogr2/...|watermark/2/...`) into its {@link CiRule} model, validating every
 * value. Throws `CiValidationError` with reason `RULE_EMPTY` (blank text), `RULE_MALFORMED` (a bad token of a
 * known operation) or, under `strict`, `RULE_UNKNOWN_OPERATION`; the message names the step and the bad token.
 * Accepts gravity and formats in any case and base64 with or without padding; {@link serializeRule} writes
 * the canonical form back. The grammar of each operation is its descriptor in `operations/`.
 * @example parseRule('imageMogr2/thumbnail/200x/format/webp')
 * // { steps: [{ kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'width', width: 200 }, { op: 'format', format: 'webp' }] }] }
 */
export function parseRule(text: string, options: ParseRuleOptions = {}): CiRule {
  if (typeof text !== 'string')
    throw new CiValidationError('RULE_MALFORMED', `rule must be a string, got ${typeof text}`);
  if (text.trim() === '') throw new CiValidationError('RULE_EMPTY', 'rule is empty');
  const strict = options.strict ?? false;
  const parts = text.split('|');
  const steps = parts.map((stepText, index) => {
    try {
      const step = parseStep(stepText, strict);
      validateStep(step);
      checkKnownFormats(step, strict);
      return step;
    } catch (error) {
      if (!(error instanceof CiValidationError)) throw error;
      const label =
        parts.length > 1
          ? `rule step ${index + 1} ${JSON.stringify(stepText)}`
          : `rule ${JSON.stringify(text)}`;
      throw new CiValidationError(error.reason, `${label}: ${error.message}`, { cause: error });
    }
  });
  return { steps };
}

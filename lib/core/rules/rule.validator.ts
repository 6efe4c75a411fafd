import { CiValidationError } from '../errors';
import { ciStepKey, type CiImageMogr2Op, type CiRule, type CiRuleStep, type CiStepKey } from './rule.types';
import { IMAGE_VIEW2, WATERMARK_IMAGE, WATERMARK_TEXT, paramKeys } from './operations/param-steps';
import { malformed, show } from './operations/rule-checks';
import { STEP_OPERATIONS, type StepOperation } from './operations/step-operations';

export { OPERATION_NAME } from './operations/rule-checks';

/** Keys of `imageView2` (after the optional mode), in the order they are emitted. */
export const IMAGE_VIEW2_KEYS: readonly string[] = paramKeys(IMAGE_VIEW2);
/** Keys of `watermark/1`, in the order they are emitted. */
export const WATERMARK_IMAGE_KEYS: readonly string[] = paramKeys(WATERMARK_IMAGE);
/** Keys of `watermark/2`, in the order they are emitted. */
export const WATERMARK_TEXT_KEYS: readonly string[] = paramKeys(WATERMARK_TEXT);

/**
 * Checks one imageMogr2 operation (ranges, required fields, enum values), throwing
 * `CiValidationError('RULE_MALFORMED')` with a message like `imageMogr2/quality: 101 is not an integer in 0..100`.
 */
export function validateImageMogr2Op(op: CiImageMogr2Op): void {
  STEP_OPERATIONS.imageMogr2.validate({ kind: 'imageMogr2', ops: [op] });
}

/** @internal The descriptor of a step, or `RULE_MALFORMED` when the step is of no known kind. */
export function stepOperation(step: CiRuleStep): StepOperation<CiStepKey> {
  if (typeof step !== 'object' || step === null) malformed('rule', `step ${show(step)} is not an object`);
  if (step.kind === 'watermark' && ![1, 2, 3, 4].includes(step.type)) {
    malformed('watermark', `type ${show((step as { type: unknown }).type)} is not 1, 2, 3 or 4`);
  }
  const key = ciStepKey(step);
  if (!Object.prototype.hasOwnProperty.call(STEP_OPERATIONS, key)) {
    malformed('rule', `step kind ${show((step as { kind: unknown }).kind)} is not known`);
  }
  return STEP_OPERATIONS[key] as unknown as StepOperation<CiStepKey>;
}

/**
 * Checks one step of a rule, throwing `CiValidationError('RULE_MALFORMED')` naming the operation and the bad value.
 */
export function validateStep(step: CiRuleStep): void {
  stepOperation(step).validate(step as never);
}

/**
 * Checks a whole {@link CiRule}: at least one step (`RULE_EMPTY` otherwise) and every step valid
 * (`RULE_MALFORMED`, the message prefixed with the step number when the rule has several).
 */
export function validateRule(rule: CiRule): void {
  if (typeof rule !== 'object' || rule === null || !Array.isArray(rule.steps)) {
    throw new CiValidationError('RULE_MALFORMED', 'rule must be an object with a steps array');
  }
  if (rule.steps.length === 0) throw new CiValidationError('RULE_EMPTY', 'rule has no steps');
  rule.steps.forEach((step, index) => {
    try {
      validateStep(step);
    } catch (error) {
      if (rule.steps.length > 1 && error instanceof CiValidationError) {
        throw new CiValidationError(error.reason, `rule step ${index + 1}: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  });
}

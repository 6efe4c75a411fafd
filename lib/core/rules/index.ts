export * from './rule.types';
export {
  CI_MOGR_OPERATION_NAMES,
  MOGR_OPERATIONS,
  type MogrOperation,
  type MogrOpOf,
} from './operations/mogr-operations';
export { STEP_OPERATIONS, type StepOperation } from './operations/step-operations';
export { encodeUrlSafeBase64, decodeUrlSafeBase64 } from './url-safe-base64';
export { validateRule, validateStep, validateImageMogr2Op } from './rule.validator';
export { parseRule, type ParseRuleOptions } from './rule.parser';
export { serializeRule } from './rule.serializer';
export { type CiRuleBuilder, type CiRuleInput, isCiRuleBuilder, toCiRule, toRuleString } from './rule-input';
export { CiStepBuilder } from './step.builder';
export * from './image-mogr2.builder';
export * from './image-view2.builder';
export * from './watermark.builder';
export * from './style.builder';
export * from './pipe.builder';
export * from './ci-process.builder';
export { encodeProcessingQuery, toProcessingQuery } from './rule-query';

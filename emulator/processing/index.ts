export * from './pic-processor';
export {
  CiProcessingError,
  isCiProcessingError,
  CI_PROCESSING_LEGACY_CODES,
  CI_LIMIT_ERROR_CODES,
  type CiProcessingErrorCode,
} from './processing.error';
export {
  DEFAULT_PROCESSING_LIMITS,
  MAX_SOURCE_BYTES_CEILING,
  resolveProcessingLimits,
  type ProcessingLimits,
} from './processing-limits';
export {
  probeImage,
  readImageHeader,
  checkImageLimits,
  averageColour,
  type CiSourceFormat,
  type ImageHeader,
  type ImageProbe,
  type ProbeImageOptions,
} from './image-probe';
export { estimateJpegQuality } from './jpeg-quality';
export { executeRule, type ExecuteRuleContext, type ExecuteRuleResult } from './execute-rule';
export { DEFAULT_LOSSY_QUALITY, type CiStyles } from './rule-plan';
export { WATERMARK_FONT_FAMILY } from './watermark';
export {
  processPicOperations,
  type ProcessPicOperationsInput,
  type ProcessPicOperationsResult,
  type ProcessedOriginalInfo,
  type ProcessedOutput,
} from './process-pic-operations';
export { configureSharpConcurrency } from './sharp-runtime';
export { createCiPicProcessor, picProcessingHttpError, type CiPicProcessorOptions } from './ci-pic-processor';
export { checkStyle, resolveStyles } from './ci-styles';
export { createWatermarkLoader, type WatermarkLoader, type WatermarkLoaderOptions } from './watermark-source';

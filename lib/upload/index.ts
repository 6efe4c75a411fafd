export * from './upload.options';
export * from './upload.result';
export * from './upload.progress';
export { CiProgressReporter, type CiProgressSubject } from './progress-reporter';
export * from './upload.tracker';
export * from './upload-route';
export * from './ci-uploader';
export * from './leftover-cleaner';
export * from './error-response';
export { abortableSource } from './abortable-source';
export { checkObjectKey, defaultObjectKey } from './object-key';
export { sniffSource, type SniffedSource } from './sniff-source';
export {
  compileProcessing,
  type CompiledProcessing,
  type BuiltProcessing,
  type ProcessingDefaults,
} from './processing.compiler';
export {
  resolveCiModuleOptions,
  CI_DEFAULT_FILE_SIZE,
  CI_DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type ResolvedCiModuleOptions,
} from './upload-options.validation';
export * from './object-headers.resolver';
export * from './direct-upload';
export * from './direct-upload-route';
export * from './file-options.resolver';

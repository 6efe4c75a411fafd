export * from './ci-module-options.interface';
export type {
  CiUploadField,
  CiUploadFieldsOptions,
  CiUploadOptions,
  CiUploadProcessing,
  CiRouteProcessing,
  CiRequestOption,
  CiUploadRouteOptions,
  CiUploadRule,
  CiUploadResult,
  CiUploadResults,
  CiUploadedFile,
  CiUploadPhase,
  CiUploadProgress,
  CiUploadProgressError,
  CiUploadProgressListener,
} from '../../upload';

import './platform-request.augmentation';
export * from './ci-module-options.interface';
export type {
  CiUploadField,
  CiUploadFieldsOptions,
  CiUploadOptions,
  CiUploadProcessing,
  CiUploadRouteOptions,
  CiUploadRule,
  CiUploadResult,
  CiUploadResults,
  CiUploadedFile,
} from '../../upload';

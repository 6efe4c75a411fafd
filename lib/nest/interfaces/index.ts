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
} from '../../upload';
export type { CiUploadedFile } from '../../multer';

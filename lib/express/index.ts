export {
  ciUpload,
  createCiStorage,
  createCiInstance,
  type CiExpressInstance,
  type CiUploadMiddleware,
  type CiUploadLifecycle,
} from './ci-upload.middleware';
export {
  ciDirectUpload,
  type CiDirectUploadHandlers,
  type CiDirectUploadOptions,
} from './ci-direct-upload.middleware';
export { ciErrorHandler, type CiErrorHandlerOptions } from './ci-error.handler';
export type {
  CiExpressOptions,
  CiStorageOptions,
  CiStorageRouteOptions,
  CiUploadMiddlewareOptions,
  CiUploadRouteMiddlewareOptions,
} from './ci-express.options';
export {
  ciErrorResponse,
  type CiErrorResponseBody,
  type CiUploadResult,
  type CiUploadResults,
  type CiUploadTicket,
  type CiDirectUploadProfile,
  type CiUploadPhase,
  type CiUploadProgress,
  type CiUploadProgressError,
  type CiUploadProgressListener,
  CI_PROGRESS_STEP,
} from '../upload';
export type {
  CiKeyStrategy,
  CiKeyContext,
  CiLogger,
  CiUploadLimits,
  CiUploadRule,
  CiUploadField,
  CiRequestOption,
  CiRouteProcessing,
} from '../upload';
export { imageMogr2, imageView2 } from '../core';
export { CiClient } from '../client';

export * from './interfaces';
export { CiModule } from './ci.module';
export {
  CI_MODULE_OPTIONS,
  type CiModuleAsyncOptions,
  type CiModuleForRootOptions,
  type CiModuleExtras,
} from './ci.module-definition';
export {
  CI_CLIENT,
  CI_OPTIONS_OVERRIDE,
  CI_RESOLVED_OPTIONS,
  CI_UPLOADER,
  CI_UPLOAD_METADATA,
  CI_DEFAULT_FILE_SIZE,
} from './ci.constants';
export type { CiOptionsOverride } from './ci.providers';
export {
  CiService,
  type CiProcessOptions,
  type CiServiceUploadOptions,
  type CiCallSignal,
  type CiCreateUploadTicketOptions,
} from './ci.service';
export {
  CiUploadTracker,
  CiUploader,
  resolveCiModuleOptions,
  type ResolvedCiModuleOptions,
  type CiErrorResponseBody,
  CI_PROGRESS_STEP,
  CiDirectUploads,
  CI_DEFAULT_TICKET_TTL_SECONDS,
  type CiDirectUploadProfile,
  type CiTicketRequest,
  type CiUploadTicket,
  type CiConfirmExpectation,
  type CiConfirmExpectationInput,
  type CiDirectUploadRoute,
} from '../upload';
export { CiUpload, type CiUploadInstance } from './decorators/ci-upload.decorator';
export { InjectCiService } from './decorators/inject-ci-service.decorator';
export { getCiToken, getCiServiceToken, type CiInstancePart } from './ci-instance.tokens';
export { CiResult, CiResults } from './decorators/ci-result.decorator';
export { CiUploadInterceptor, type CiUploadSpec } from './interceptors/ci-upload.interceptor';
export { CiPlatformBinding, type CiPlatform } from './platform/ci-platform.binding';
export { toCiHttpException } from './errors/ci-exception.mapper';
export { CiExceptionFilter } from './errors/ci-exception.filter';
export * from './openapi';

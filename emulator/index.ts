export {
  type CiEmulator,
  type CiEmulatorExtensions,
  type EmulatorObjectInfo,
  type EmulatorRequestRecord,
  type EmulatorUploadInfo,
  REQUEST_LOG_LIMIT,
  startCiEmulator,
} from './server/ci-emulator';
export {
  type CiEmulatorCredential,
  type CiEmulatorLogger,
  type CiEmulatorOptions,
  EMULATOR_DEFAULTS,
  EMULATOR_DEV_CREDENTIALS,
} from './server/emulator.options';
export { CosHttpError, isCosHttpError } from './errors/cos-http.error';
export {
  storeOnlyPicProcessor,
  type PicImageInfo,
  type PicOutput,
  type PicProcessedObject,
  type PicProcessingOutcome,
  type PicProcessingRequest,
  type PicProcessingResult,
  type PicProcessor,
  type PicSourceObject,
  type PicTrigger,
  type PicValidationRequest,
} from './processing/pic-processor';
export {
  createCiPicProcessor,
  picProcessingHttpError,
  type CiPicProcessorOptions,
} from './processing/ci-pic-processor';
export { checkStyle } from './processing/ci-styles';
export { DEFAULT_PROCESSING_LIMITS, type ProcessingLimits } from './processing/processing-limits';
export {
  CI_FAULT_OPERATIONS,
  FAULTS_ADMIN_PATH,
  parseFaultSpec,
  type CiEmulatorFaults,
  type CiErrorFault,
  type CiFaultAction,
  type CiFaultInfo,
  type CiFaultMatch,
  type CiFaultOperation,
  type CiFaultSpec,
  type CiFaultType,
  type CiLatencyFault,
  type CiMalformedXmlFault,
  type CiResetFault,
  type CiStallFault,
} from './faults';
export type { ObjectMeta, ObjectStore } from './storage/object-store';
export { type CliIo, type CliRun, runCli } from './cli/run-cli';

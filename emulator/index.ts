export {
  type CiEmulator,
  type CiEmulatorExtensions,
  type EmulatorObjectInfo,
  type EmulatorRequestRecord,
  type EmulatorUploadInfo,
  REQUEST_LOG_LIMIT,
  startCiEmulator,
} from './ci-emulator';
export {
  type CiEmulatorCredential,
  type CiEmulatorLogger,
  type CiEmulatorOptions,
  EMULATOR_DEFAULTS,
  EMULATOR_DEV_CREDENTIALS,
} from './emulator.options';
export { CosHttpError, isCosHttpError } from './errors/cos-http.error';
export type {
  PicImageInfo,
  PicProcessedObject,
  PicProcessingRequest,
  PicProcessingResult,
  PicProcessor,
  PicTrigger,
  PicValidationRequest,
} from './processing/pic-processor';
export type { ObjectMeta, ObjectStore } from './storage/object-store';
export { type CliIo, type CliRun, runCli } from './cli/run-cli';

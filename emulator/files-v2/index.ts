export {
  FILES_V2_CODES,
  FilesV2Error,
  isFilesV2Error,
  filesV2Errors,
  signatureError,
  processingError,
} from './files-v2.errors';
export { isFilesV2Request, parseFilesV2Path, type FilesV2Address } from './files-v2.path';
export { FILES_V2_OPERATIONS, BIZ_ATTR_HEADER, type FilesV2Op } from './files-v2.operations';
export {
  FilesV2LinkBuilder,
  sendFilesV2Error,
  sendFilesV2Success,
  type FilesV2ImageInfo,
  type FilesV2Links,
  type FilesV2OriginalInfo,
  type FilesV2ProcessData,
  type FilesV2ProcessResult,
  type FilesV2UploadData,
} from './envelope';
export { readFilesV2Form, scalarField, type ReceivedForm, type ReceivedFormFile } from './multipart-form';
export { FormHeaderRepair } from './form-header-repair';
export {
  SliceSessions,
  SLICE_SESSION_TTL_MS,
  type SliceSession,
  type SliceSessionInit,
} from './slice-sessions';

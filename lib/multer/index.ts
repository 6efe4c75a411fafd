import './express-request.augmentation';
export {
  CiStorageEngine,
  CI_UPLOAD_RESULT,
  CI_PLATFORM_REQUEST,
  type CiUploadedFile,
} from './ci-storage.engine';
export {
  createMulterUpload,
  byField,
  clientGone,
  type CiMulterUpload,
  type CiReceivedFiles,
} from './multer-upload';

import './express-request.augmentation';
export {
  CiStorageEngine,
  CI_UPLOAD_RESULT,
  CI_PLATFORM_REQUEST,
  CI_LIMIT_CROSSED,
  type CiUploadedFile,
} from './ci-storage.engine';
export {
  createMulterUpload,
  byField,
  clientGone,
  type CiMulterUpload,
  type CiReceivedFiles,
} from './multer-upload';
export { CiUploadRunner, type CiIntake } from './ci-upload.runner';

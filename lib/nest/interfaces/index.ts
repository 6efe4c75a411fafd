import './express-request.augmentation';
export * from './ci-module-options.interface';
export * from './ci-upload-options.interface';
export * from './ci-upload-result.interface';

export * from './cos-v5';
export * from './files-v2';
export * from './sts';

export * from './build-pic-operations';
export * from './parse-pic-operations';
export * from './resolve-file-id';
export { stringifyAsciiJson } from './ascii-json';
export { COS_MAX_KEY_BYTES, CI_MAX_RULES, validateFileId, validateBucket } from './pic-operations.validator';

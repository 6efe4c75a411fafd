export * from './ci-client';
export * from './ci-client.options';
export * from './ci-client.results';
export type { UploadProgress } from './streaming-upload';
export * from './loopback-guard';
export type { CiUploadBufferStats } from './upload-budget';
export * from './upload-ticket';
export {
  CI_UPLOAD_ACTIONS,
  type CiTemporaryCredentials,
  type CiTemporaryCredentialsOptions,
} from './temporary-credentials';
export { carriesMarker, CI_ATTEMPT_METADATA, newAttemptMarker } from './own-attempt';

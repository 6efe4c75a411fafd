export * from './ci-result.dto';
export { ciUploadOpenApi, ciUploadRequestSchema, type CiUploadOpenApiInput } from './ci-upload.openapi';

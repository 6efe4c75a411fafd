/**
 * Every operation name the emulator knows, the one vocabulary of the request log, the fault matcher and the
 * router: the COS operations it serves, the download-time processing operations (answered 501 until the
 * processing code serves them), the CORS preflight, and the files-v2 API.
 */
export const COS_OPERATIONS = [
  'PutObject',
  'PostObject',
  'PutObjectCopy',
  'GetObject',
  'HeadObject',
  'DeleteObject',
  'ImageProcess',
  'InitiateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'ListParts',
  'GetBucket',
  'HeadBucket',
  'ListMultipartUploads',
  'GetService',
  'PutBucket',
  'DeleteBucket',
  'DeleteObjects',
  'PutObjectAcl',
  'GetObjectAcl',
  'PutBucketAcl',
  'GetBucketAcl',
  'PutBucketCors',
  'GetBucketCors',
  'DeleteBucketCors',
  'PutObjectTagging',
  'GetObjectTagging',
  'DeleteObjectTagging',
  'PutBucketVersioning',
  'GetBucketVersioning',
  'ListObjectVersions',
  'AppendObject',
  'GetObjectProcessed',
  'ImageInfo',
  'ImageAve',
  'GetExif',
  // Bucket configuration sub-resources (handlers/bucket-config.handlers.ts) and the bucket's location.
  'PutBucketTagging',
  'GetBucketTagging',
  'DeleteBucketTagging',
  'PutBucketLifecycle',
  'GetBucketLifecycle',
  'DeleteBucketLifecycle',
  'PutBucketWebsite',
  'GetBucketWebsite',
  'DeleteBucketWebsite',
  'PutBucketReferer',
  'GetBucketReferer',
  'PutBucketLogging',
  'GetBucketLogging',
  'PutBucketInventory',
  'GetBucketInventory',
  'DeleteBucketInventory',
  'PutBucketDomain',
  'GetBucketDomain',
  'DeleteBucketDomain',
  'PutBucketOrigin',
  'GetBucketOrigin',
  'DeleteBucketOrigin',
  'PutBucketAccelerate',
  'GetBucketAccelerate',
  'PutBucketReplication',
  'GetBucketReplication',
  'DeleteBucketReplication',
  'PutBucketEncryption',
  'GetBucketEncryption',
  'DeleteBucketEncryption',
  'PutBucketPolicy',
  'GetBucketPolicy',
  'DeleteBucketPolicy',
  'GetBucketLocation',
  'PostObjectRestore',
  'ImageInspect',
  'SelectObjectContent',
] as const;

/** A COS operation of {@link COS_OPERATIONS}. */
export type CosOperation = (typeof COS_OPERATIONS)[number];

/** The CORS preflight (`OPTIONS`), answered before authentication. */
export const PREFLIGHT_OPERATION = 'OptionsObject';

/**
 * A files-v2 request as classified before its form is read (the `op` is a form field): what faults match. The
 * request log then names the `op` it ran ({@link FILES_V2_OPERATIONS}), with `api: 'files-v2'`.
 */
export const FILES_V2_OPERATION = 'FilesV2';

/** The files-v2 `op`s served, and the operation name each has in the request log. */
export const FILES_V2_OPERATIONS = Object.freeze({
  upload: 'FilesV2Upload',
  image_process: 'FilesV2ImageProcess',
  upload_slice_init: 'FilesV2SliceInit',
  upload_slice_data: 'FilesV2SliceData',
  upload_slice_finish: 'FilesV2SliceFinish',
});

/** A request nothing routes (a bad URI, an unknown method). */
export const UNKNOWN_OPERATION = 'Unknown';

/** Which API a request speaks. */
export type EmulatorApi = 'cos' | 'files-v2' | 'admin' | 'sts';

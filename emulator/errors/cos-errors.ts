import { CosHttpError } from './cos-http.error';

/** The COS errors the emulator answers, with the status and wording COS uses (protocol.md section 5). */
export const cosErrors = {
  accessDenied: (message = 'Access Denied.') => new CosHttpError(403, 'AccessDenied', message),
  requestExpired: () => new CosHttpError(403, 'AccessDenied', 'Request has expired'),
  invalidAccessKeyId: (message = 'The Access Key Id you provided does not exist in our records.') =>
    new CosHttpError(403, 'InvalidAccessKeyId', message),
  signatureDoesNotMatch: () =>
    new CosHttpError(
      403,
      'SignatureDoesNotMatch',
      'The Signature you specified is invalid: it does not match the one calculated from the request.',
    ),
  noSuchBucket: (message = 'The specified bucket does not exist.') =>
    new CosHttpError(404, 'NoSuchBucket', message),
  noSuchKey: () => new CosHttpError(404, 'NoSuchKey', 'The specified key does not exist.'),
  noSuchVersion: () => new CosHttpError(404, 'NoSuchVersion', 'The specified version does not exist.'),
  noSuchUpload: () =>
    new CosHttpError(
      404,
      'NoSuchUpload',
      'The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    ),
  invalidArgument: (message: string) => new CosHttpError(400, 'InvalidArgument', message),
  invalidUri: (message = 'Could not parse the specified URI.') =>
    new CosHttpError(400, 'InvalidURI', message),
  invalidDigest: () => new CosHttpError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.'),
  badDigest: () =>
    new CosHttpError(400, 'BadDigest', 'The Content-MD5 you specified did not match what was received.'),
  incompleteBody: () =>
    new CosHttpError(
      400,
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header.',
    ),
  entityTooLarge: (limit: number) =>
    new CosHttpError(
      400,
      'EntityTooLarge',
      `Your proposed upload exceeds the maximum allowed object size (${limit} bytes).`,
    ),
  entityTooSmall: (message: string) => new CosHttpError(400, 'EntityTooSmall', message),
  keyTooLong: (limit: number) =>
    new CosHttpError(400, 'KeyTooLong', `Your key is too long: the maximum is ${limit} bytes in UTF-8.`),
  missingContentLength: (message = 'You must provide the Content-Length HTTP header.') =>
    new CosHttpError(411, 'MissingContentLength', message),
  malformedXml: (message = 'The XML you provided was not well-formed or did not validate.') =>
    new CosHttpError(400, 'MalformedXML', message),
  invalidPart: (message: string) => new CosHttpError(400, 'InvalidPart', message),
  invalidPartOrder: () =>
    new CosHttpError(
      400,
      'InvalidPartOrder',
      'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
    ),
  invalidRange: (size: number) =>
    new CosHttpError(416, 'InvalidRange', `The requested range is not satisfiable (object size ${size}).`),
  preconditionFailed: () =>
    new CosHttpError(
      412,
      'PreconditionFailed',
      'At least one of the preconditions you specified did not hold.',
    ),
  invalidStorageClass: (value: string) =>
    new CosHttpError(400, 'InvalidStorageClass', `The storage class you specified is not valid: ${value}.`),
  invalidRequest: (message: string) => new CosHttpError(400, 'InvalidRequest', message),
  invalidTag: (message: string) => new CosHttpError(400, 'InvalidTag', message),
  invalidBucketName: (message: string) => new CosHttpError(400, 'InvalidBucketName', message),
  bucketAlreadyOwnedByYou: () =>
    new CosHttpError(
      409,
      'BucketAlreadyOwnedByYou',
      'The bucket you tried to create already exists, and you own it.',
    ),
  bucketNotEmpty: () =>
    new CosHttpError(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty.'),
  methodNotAllowed: (message: string) => new CosHttpError(405, 'MethodNotAllowed', message),
  notImplemented: (message: string) => new CosHttpError(501, 'NotImplemented', message),
  internalError: () =>
    new CosHttpError(500, 'InternalError', 'We encountered an internal error. Please try again.'),
} as const;

import type { FilesV2SignatureFailure } from '../../lib/protocol/files-v2';
import { isCosHttpError } from '../errors/cos-http.error';
import { CiProcessingError } from '../processing/processing.error';

/**
 * The negative `code`s the emulator's files-v2 API answers. The CI ones come from CI's older error table
 * (protocol.md section 5); the `-4xxx` ones are the emulator's own choice (the server-side table of `/files/v2` was
 * never published), except -4018, the "file exists" of the v4 SDKs.
 */
export const FILES_V2_CODES = Object.freeze({
  /** 0: success (`message` `SUCCESS`). */
  success: 0,
  /** -60938 (CI: signature incomplete), 403: no `Authorization`, or not a multi-effect signature. */
  signatureIncomplete: -60938,
  /** -60932 (CI: signature wrong), 403: bad HMAC, unknown SecretId, APPID / bucket / `f` not those of the path. */
  signatureWrong: -60932,
  /** -60936 (CI: request denied), 403: the signature's expiry `e` is past. */
  signatureExpired: -60936,
  /** -60950 (CI: no file given), 400: `op=upload` or `upload_slice_data` without a `filecontent` part. */
  noFile: -60950,
  /** -60996 (CI: file too large), 400: a file or slice upload over the emulator's `maxObjectSize`. */
  fileTooLarge: -60996,
  /** -4001 (emulator), 400: a missing or malformed field, an unknown `op`, a body that is not a form, a bad path. */
  invalidParameter: -4001,
  /** -4002 (emulator), 400: the file's SHA-1 is not the `sha` field. */
  shaMismatch: -4002,
  /** -4003 (emulator), 400: the client left before the whole body arrived. */
  incompleteBody: -4003,
  /** -4004 (emulator), 404: `image_process` on a file that does not exist. */
  fileNotFound: -4004,
  /** -4005 (emulator), 400: `upload_slice_finish` while slices are missing or overlap. */
  slicesIncomplete: -4005,
  /** -4006 (emulator), 404: the bucket of the path (or of a rule) does not exist. */
  noSuchBucket: -4006,
  /** -4007 (emulator), 405: a method other than POST. */
  methodNotAllowed: -4007,
  /** -4008 (emulator), 404: a slice session that does not exist (never opened, finished, expired, other file). */
  noSuchSession: -4008,
  /** -4018 (v4 SDKs: file exists), 409: `insertOnly=1` and the file (or an output of `image_process`) exists. */
  fileExists: -4018,
  /** -4009 (emulator), 501: the emulator's processor does not implement what was asked (`storeOnlyPicProcessor`). */
  notImplemented: -4009,
  /** -5000 (emulator), 500: an unexpected failure of the emulator itself. */
  internalError: -5000,
});

/**
 * A refused files-v2 request: answered as the JSON envelope `{ code, message, request_id }` with `status`.
 * @example throw new FilesV2Error(409, FILES_V2_CODES.fileExists, 'photos/a.jpg already exists (insertOnly=1)');
 */
export class FilesV2Error extends Error {
  override readonly name = 'FilesV2Error';

  constructor(
    /** HTTP status of the answer (4xx or 5xx). */
    readonly status: number,
    /** Negative envelope `code`. */
    readonly code: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `value` is a {@link FilesV2Error}. */
export function isFilesV2Error(value: unknown): value is FilesV2Error {
  return value instanceof FilesV2Error;
}

/** Shorthands for the errors answered in several places. */
export const filesV2Errors = {
  invalidParameter: (message: string) => new FilesV2Error(400, FILES_V2_CODES.invalidParameter, message),
  noSuchBucket: (bucket: string) =>
    new FilesV2Error(404, FILES_V2_CODES.noSuchBucket, `bucket ${bucket} does not exist`),
  fileExists: (key: string) =>
    new FilesV2Error(409, FILES_V2_CODES.fileExists, `${key} already exists and insertOnly is 1`),
  incompleteBody: () =>
    new FilesV2Error(400, FILES_V2_CODES.incompleteBody, 'the client left before the whole body arrived'),
  fileTooLarge: (max: number) =>
    new FilesV2Error(400, FILES_V2_CODES.fileTooLarge, `the file is over the ${max}-byte limit`),
  internalError: () =>
    new FilesV2Error(500, FILES_V2_CODES.internalError, 'the emulator failed unexpectedly; see its log'),
};

const SIGNATURE_MESSAGES: Record<FilesV2SignatureFailure, [code: number, message: string]> = {
  MALFORMED: [FILES_V2_CODES.signatureIncomplete, 'Authorization is not a files-v2 multi-effect signature'],
  UNKNOWN_SECRET_ID: [FILES_V2_CODES.signatureWrong, 'the SecretId of the signature is unknown'],
  SIGNATURE_MISMATCH: [FILES_V2_CODES.signatureWrong, 'the signature does not match its content'],
  EXPIRED: [FILES_V2_CODES.signatureExpired, 'the signature has expired'],
  SINGLE_USE_WITHOUT_FILEID: [
    FILES_V2_CODES.signatureWrong,
    'a single-use signature (e=0) must name its file (f)',
  ],
  APPID_MISMATCH: [FILES_V2_CODES.signatureWrong, 'the signature was made for another APPID'],
  BUCKET_MISMATCH: [FILES_V2_CODES.signatureWrong, 'the signature was made for another bucket'],
  FILEID_MISMATCH: [FILES_V2_CODES.signatureWrong, 'the signature was made for another file'],
};

/** The 403 answered for a refused signature (the message never quotes the signature or a key). */
export function signatureError(reason: FilesV2SignatureFailure | 'MISSING'): FilesV2Error {
  if (reason === 'MISSING') {
    return new FilesV2Error(403, FILES_V2_CODES.signatureIncomplete, 'the request has no Authorization');
  }
  const [code, message] = SIGNATURE_MESSAGES[reason];
  return new FilesV2Error(403, code, message);
}

/** A refused image-processing request as a files-v2 error: 400 with the engine's `legacyCode` and message. */
export function processingError(error: CiProcessingError): FilesV2Error {
  return new FilesV2Error(error.httpStatus, error.legacyCode, `${error.code}: ${error.message}`, {
    cause: error,
  });
}

/**
 * What the `PicProcessor` port threw, as a files-v2 error: a processing refusal (a `CosHttpError` whose cause is
 * the engine's `CiProcessingError`) keeps CI's legacy code; a rule naming a missing bucket is -4006; another
 * `CosHttpError` keeps its status (501: -4009); anything else is rethrown as is.
 */
export function picProcessorError(error: unknown): unknown {
  if (error instanceof CiProcessingError) return processingError(error);
  if (!isCosHttpError(error)) return error;
  if (error.cause instanceof CiProcessingError) return processingError(error.cause);
  const code =
    error.code === 'NoSuchBucket'
      ? FILES_V2_CODES.noSuchBucket
      : error.status === 501
        ? FILES_V2_CODES.notImplemented
        : error.status >= 500
          ? FILES_V2_CODES.internalError
          : FILES_V2_CODES.invalidParameter;
  return new FilesV2Error(error.status, code, `${error.code}: ${error.message}`, { cause: error });
}

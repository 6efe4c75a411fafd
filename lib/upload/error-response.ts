import {
  isCiAbortError,
  isCiBusyError,
  isCiError,
  isCiLimitError,
  isCiMediaError,
  isCiNetworkError,
  isCiResponseError,
  isCiSlowSourceError,
  isCiTimeoutError,
  isCiValidationError,
  type CiMediaReason,
} from '../core/errors';

/** The JSON body of every error an upload route sends, on every platform. */
export interface CiErrorResponseBody {
  statusCode: number;
  message: string;
  error: string;
  /** CI/COS error code, when CI answered. */
  ciCode?: string;
  /** CI request id, to quote to Tencent support. */
  requestId?: string;
  /** A stable code for answers a client may act on: `OBJECT_EXISTS` (409, insert-only conflict). */
  code?: CiErrorResponseCode;
}

/** Stable codes of {@link CiErrorResponseBody.code}. */
export type CiErrorResponseCode = 'OBJECT_EXISTS';

/** CI codes meaning "this image cannot be processed": the client's fault, answered 422. */
const IMAGE_REFUSED_CODES = new Set([
  'InvalidImageFormat',
  'InvalidImageSource',
  'ImageTooLarge',
  'ImageResolutionExceed',
  'EntityTooLarge',
  '-62999',
  '-60996',
  // files-v2 "invalid processing parameter", which CI also answers for an image over the pixel limits. Rules are
  // checked at start-up, so on a request it is the image's fault: 422, as cos-v5's ImageResolutionExceed.
  '-60998',
]);

/**
 * An insert-only conflict: cos-v5 `FileAlreadyExists` (`x-cos-forbid-overwrite`), files-v2 `-4018` (`insertOnly=1`,
 * the v4 SDKs' "file exists").
 */
const OBJECT_EXISTS_CODES = new Set(['FileAlreadyExists', '-4018']);

const MULTER_MESSAGES: Record<string, string> = {
  LIMIT_PART_COUNT: 'Too many parts',
  LIMIT_FILE_SIZE: 'File too large',
  LIMIT_FILE_COUNT: 'Too many files',
  LIMIT_FIELD_KEY: 'Field name too long',
  LIMIT_FIELD_VALUE: 'Field value too long',
  LIMIT_FIELD_COUNT: 'Too many fields',
  LIMIT_UNEXPECTED_FILE: 'Unexpected field',
  MISSING_FIELD_NAME: 'Field name missing',
};

/** HTTP status of each `CiMediaError` reason other than the 415 of a refused type. */
const MEDIA_STATUS: Partial<Record<CiMediaReason, number>> = {
  EMPTY_FILE: 400,
  MISSING_FILE: 400,
  FILE_TOO_LARGE: 413,
  OUTPUTS_MISSING: 422,
};

const BUSBOY_MALFORMED =
  /Unexpected end of form|Malformed part header|Boundary not found|Unsupported content type|Multipart/i;

const HTTP_REASONS: Partial<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function body(
  status: number,
  message: string,
  extra: Partial<CiErrorResponseBody> = {},
): CiErrorResponseBody {
  return { statusCode: status, message, error: HTTP_REASONS[status] ?? 'Error', ...extra };
}

/**
 * Maps any error of an upload or CI call to the HTTP answer the client gets (one pure function, the whole
 * table: see the README), or `undefined` for an error it does not know (a bug: the platform's 500).
 */
export function ciErrorResponse(err: unknown): CiErrorResponseBody | undefined {
  const e = err as { name?: string; code?: string; field?: string; message?: string } | null | undefined;
  if (!e) return undefined;
  if (e.name === 'MulterError' && e.code && e.code in MULTER_MESSAGES) {
    const message = MULTER_MESSAGES[e.code]! + (e.field ? ` - ${e.field}` : '');
    return body(e.code === 'LIMIT_FILE_SIZE' ? 413 : 400, message);
  }
  if (isCiLimitError(err)) return body(413, err.message);
  if (isCiMediaError(err)) {
    const status = MEDIA_STATUS[err.reason] ?? 415;
    return body(status, err.message);
  }
  if (isCiValidationError(err)) return body(400, err.message);
  if (isCiResponseError(err)) {
    const extra = { ciCode: err.ciCode, requestId: err.requestId };
    if (err.statusCode < 500 && IMAGE_REFUSED_CODES.has(err.ciCode)) {
      return body(422, `CI could not process the image: ${err.ciMessage || err.ciCode}`, extra);
    }
    if (err.statusCode === 409 && OBJECT_EXISTS_CODES.has(err.ciCode)) {
      return body(409, 'An object already exists at this key', { ...extra, code: 'OBJECT_EXISTS' });
    }
    // A missing key: cos-v5 `NoSuchKey`, files-v2 `-4004` (file not found).
    if (err.statusCode === 404 && (err.ciCode === 'NoSuchKey' || err.ciCode === '-4004')) {
      return body(404, 'No such object', extra);
    }
    // Everything else (signature, access, missing bucket, 5xx) is our side's or CI's problem, not the client's:
    // details stay in the server log.
    return body(502, 'Image storage refused the request', extra);
  }
  // The client sent its body too slowly (upload.minSourceBytesPerSecond): cut, nothing stored.
  if (isCiSlowSourceError(err)) return body(408, 'The upload was too slow: try again on a faster connection');
  if (isCiTimeoutError(err)) return body(504, 'Image storage timed out');
  if (isCiNetworkError(err)) return body(502, 'Image storage unreachable');
  // The shared upload budget stayed full for `upload.budgetWaitMs`: the server is busy, the request may be retried.
  if (isCiBusyError(err)) return body(503, 'Too many uploads in progress: try again later');
  if (isCiAbortError(err)) return body(503, 'Upload aborted');
  if (isCiError(err)) return body(502, 'Image storage answered unexpectedly');
  if (err instanceof Error && BUSBOY_MALFORMED.test(err.message)) {
    return body(400, `Malformed multipart body: ${err.message}`);
  }
  return undefined;
}

/** Errors already logged: an error passed on (`passErrors`, then an error handler) is logged once. */
const logged = new WeakSet<object>();

/**
 * Logs a failed upload or CI call once, at the level it deserves: an expected refusal (4xx) is one debug line,
 * a CI failure (5xx) one warning with the CI code and request id. Secrets never reach an error message.
 */
export function logCiFailure(logger: { debug?(m: string): void; warn(m: string): void }, err: unknown): void {
  if (typeof err === 'object' && err !== null) {
    if (logged.has(err)) return;
    logged.add(err);
  }
  const answer = ciErrorResponse(err);
  const e = err as { message?: string; ciCode?: string; requestId?: string };
  const line =
    `${answer ? answer.statusCode : 500}: ${e?.message ?? String(err)}` +
    (e?.ciCode ? ` [${e.ciCode}${e.requestId ? `, request id ${e.requestId}` : ''}]` : '');
  if (answer && answer.statusCode < 500) logger.debug?.(line);
  else logger.warn(line);
}

import { HttpException, HttpStatus } from '@nestjs/common';
import {
  isCiAbortError,
  isCiMediaError,
  isCiNetworkError,
  isCiResponseError,
  isCiTimeoutError,
  isCiValidationError,
  isCiError,
} from '../../core/errors';

/** The JSON body of every error this module sends. */
export interface CiErrorResponseBody {
  statusCode: number;
  message: string;
  error: string;
  /** CI/COS error code, when CI answered. */
  ciCode?: string;
  /** CI request id, to quote to Tencent support. */
  requestId?: string;
}

/** CI codes meaning "this image cannot be processed": the client's fault, answered 422. */
const IMAGE_REFUSED_CODES = new Set([
  'InvalidImageFormat',
  'InvalidImageSource',
  'ImageTooLarge',
  'ImageResolutionExceed',
  'EntityTooLarge',
  '-62999',
  '-60996',
]);

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

const BUSBOY_MALFORMED =
  /Unexpected end of form|Malformed part header|Boundary not found|Unsupported content type|Multipart/i;

function exception(
  status: HttpStatus,
  message: string,
  cause: unknown,
  extra: Partial<CiErrorResponseBody> = {},
) {
  const error = HTTP_REASONS[status] ?? 'Error';
  const body: CiErrorResponseBody = { statusCode: status, message, error, ...extra };
  return new HttpException(body, status, { cause });
}

const HTTP_REASONS: Partial<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Maps any error of an upload or CI call to the HTTP exception the client gets (one pure function, the whole
 * table: see the README). HttpExceptions and unknown errors pass through unchanged.
 */
export function toCiHttpException(err: unknown): HttpException | unknown {
  if (err instanceof HttpException || err === undefined || err === null) return err;
  const e = err as { name?: string; code?: string; field?: string; message?: string };

  if (e.name === 'MulterError' && e.code && e.code in MULTER_MESSAGES) {
    const message = MULTER_MESSAGES[e.code]! + (e.field ? ` - ${e.field}` : '');
    return exception(e.code === 'LIMIT_FILE_SIZE' ? 413 : 400, message, err);
  }
  if (isCiMediaError(err)) {
    const message = err.message;
    return exception(err.reason === 'EMPTY_FILE' ? 400 : 415, message, err);
  }
  if (isCiValidationError(err)) return exception(400, err.message, err);
  if (isCiResponseError(err)) {
    const extra = { ciCode: err.ciCode, requestId: err.requestId };
    if (err.statusCode < 500 && IMAGE_REFUSED_CODES.has(err.ciCode)) {
      return exception(422, `CI could not process the image: ${err.ciMessage || err.ciCode}`, err, extra);
    }
    // A missing key: cos-v5 `NoSuchKey`, files-v2 `-4004` (file not found).
    if (err.statusCode === 404 && (err.ciCode === 'NoSuchKey' || err.ciCode === '-4004'))
      return exception(404, 'No such object', err, extra);
    // Everything else (signature, access, missing bucket, 5xx) is our side's or CI's problem, not the client's:
    // details stay in the server log.
    return exception(502, 'Image storage refused the request', err, extra);
  }
  if (isCiTimeoutError(err)) return exception(504, 'Image storage timed out', err);
  if (isCiNetworkError(err)) return exception(502, 'Image storage unreachable', err);
  if (isCiAbortError(err)) return exception(503, 'Upload aborted', err);
  if (isCiError(err)) return exception(502, 'Image storage answered unexpectedly', err);
  if (err instanceof Error && BUSBOY_MALFORMED.test(err.message)) {
    return exception(400, `Malformed multipart body: ${err.message}`, err);
  }
  return err;
}

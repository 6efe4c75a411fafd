import { CiError } from './ci.error';

/** What the server said when it refused a request. */
export interface CiResponseErrorDetails {
  /** HTTP status of the response. */
  statusCode: number;
  /** COS/CI error code (`NoSuchKey`, `InvalidImageFormat`, or a files-v2 numeric code as a string). */
  ciCode: string;
  /** The server's message. */
  ciMessage: string;
  /** `x-cos-request-id` (or files-v2 `request_id`), when the server sent one. */
  requestId?: string;
  /** `x-cos-trace-id` / `<TraceId>`, when the server sent one. */
  traceId?: string;
  /** HTTP method of the request. */
  method: string;
  /** Path of the request (no query string: it may hold a signature). */
  path: string;
  /** The resource named by the server, if any. */
  resource?: string;
  /** The server's `Date` header, used to correct clock skew. */
  serverDate?: string;
}

/**
 * The server answered with an error status. Carries the HTTP status, CI's code and message, and the
 * request id to quote to Tencent support. Never carries a signature or a secret.
 */
export class CiResponseError extends CiError {
  override readonly name = 'CiResponseError';
  /** HTTP status of the response. */
  readonly statusCode: number;
  /** COS/CI error code (`NoSuchKey`, `InvalidImageFormat`, ...). */
  readonly ciCode: string;
  /** The server's own message. */
  readonly ciMessage: string;
  /** Request id to quote to support. */
  readonly requestId?: string;
  /** Trace id, when given. */
  readonly traceId?: string;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Path of the failed request, without its query string. */
  readonly path: string;
  /** Resource named by the server, when given. */
  readonly resource?: string;
  /** The server's `Date` header, when given. */
  readonly serverDate?: string;

  constructor(details: CiResponseErrorDetails, options?: { cause?: unknown }) {
    super(
      `CI request failed with status ${details.statusCode} ${details.ciCode}: ${details.method} ${details.path}` +
        (details.ciMessage ? ` (${details.ciMessage})` : '') +
        (details.requestId ? ` [request id ${details.requestId}]` : ''),
      'CI_RESPONSE',
      options,
    );
    this.statusCode = details.statusCode;
    this.ciCode = details.ciCode;
    this.ciMessage = details.ciMessage;
    this.requestId = details.requestId;
    this.traceId = details.traceId;
    this.method = details.method;
    this.path = details.path;
    this.resource = details.resource;
    this.serverDate = details.serverDate;
  }
}

/** True when `value` is a {@link CiResponseError}. */
export function isCiResponseError(value: unknown): value is CiResponseError {
  return value instanceof Error && value.name === 'CiResponseError';
}

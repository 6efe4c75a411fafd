import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** Response headers a browser script on another origin may read. */
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Content-Length',
  'Content-Range',
  'Content-Type',
  'Last-Modified',
  'x-cos-request-id',
  'x-cos-hash-crc64ecma',
  'x-cos-version-id',
].join(', ');

/** Methods a preflight allows. */
export const CORS_ALLOWED_METHODS = 'GET, PUT, POST, DELETE, HEAD';

/** The CORS headers put on every response: any origin may read what the emulator serves. */
export function corsHeaders(): OutgoingHttpHeaders {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS,
  };
}

/** The extra headers of an `OPTIONS` preflight answer: the requested method and headers are allowed. */
export function preflightHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const requested = req.headers['access-control-request-headers'];
  return {
    'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS,
    'Access-Control-Allow-Headers': requested && requested.trim() ? requested : '*',
    'Access-Control-Max-Age': '600',
  };
}

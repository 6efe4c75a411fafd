import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { CosHttpError } from '../errors/cos-http.error';
import type { CorsRule } from '../storage/object-store';

/** Response headers a browser script may always read on a CORS answer (with the rule's `ExposeHeader`s). */
export const CORS_EXPOSED_HEADERS = ['ETag', 'Content-Length', 'x-cos-request-id'];

/** True when `value` matches `pattern`, which may hold one `*` (COS's wildcard), case-insensitively. */
function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

function requestedHeaders(req: IncomingMessage): string[] {
  const raw = req.headers['access-control-request-headers'];
  return (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
}

/** The first rule allowing `origin`, `method` and every header of `headers`, as COS evaluates them. */
export function matchCorsRule(
  rules: readonly CorsRule[] | undefined,
  origin: string,
  method: string,
  headers: readonly string[] = [],
): CorsRule | undefined {
  return rules?.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      rule.allowedMethods.some((m) => m.toUpperCase() === method.toUpperCase()) &&
      headers.every((h) => rule.allowedHeaders.some((a) => wildcardMatch(a, h))),
  );
}

function allowHeaders(rule: CorsRule, origin: string): OutgoingHttpHeaders {
  return {
    'Access-Control-Allow-Origin': rule.allowedOrigins.includes('*') ? '*' : origin,
    'Access-Control-Expose-Headers': [...CORS_EXPOSED_HEADERS, ...rule.exposeHeaders].join(', '),
    Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
}

/**
 * The answer to a CORS preflight (`OPTIONS`) under a bucket's rules: 200 with the allowed origin, methods,
 * headers and max age; 400 without `Origin` or `Access-Control-Request-Method`; 403 `AccessForbidden` when the
 * bucket has no CORS configuration or no rule allows the request (COS's wording).
 */
export function answerPreflight(
  rules: readonly CorsRule[] | undefined,
  req: IncomingMessage,
): OutgoingHttpHeaders {
  const origin = req.headers.origin;
  const method = req.headers['access-control-request-method'];
  if (!origin || !method) {
    throw new CosHttpError(
      400,
      'InvalidRequest',
      'Insufficient information. Origin and Access-Control-Request-Method request headers are needed.',
    );
  }
  const headers = requestedHeaders(req);
  const rule = matchCorsRule(rules, origin, method, headers);
  if (!rule) {
    throw new CosHttpError(
      403,
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    );
  }
  return {
    ...allowHeaders(rule, origin),
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
    ...(headers.length ? { 'Access-Control-Allow-Headers': headers.join(', ') } : {}),
    ...(rule.maxAgeSeconds !== undefined ? { 'Access-Control-Max-Age': String(rule.maxAgeSeconds) } : {}),
  };
}

/**
 * The CORS headers of an actual request (one with `Origin`) under a bucket's rules: those of the first rule
 * allowing its origin and method, none otherwise (the browser then refuses the answer to the script).
 */
export function actualCorsHeaders(
  rules: readonly CorsRule[] | undefined,
  req: IncomingMessage,
): OutgoingHttpHeaders {
  const origin = req.headers.origin;
  if (!origin) return rules === OPEN_CORS_RULES ? allowHeaders(OPEN_CORS_RULES[0], '*') : {};
  const rule = matchCorsRule(rules, origin, req.method ?? 'GET');
  return rule ? allowHeaders(rule, origin) : {};
}

/** The rules of the `open` default: every origin, method and header (the answer then says `*`). */
export const OPEN_CORS_RULES: readonly CorsRule[] = [
  {
    allowedOrigins: ['*'],
    allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
    allowedHeaders: ['*'],
    exposeHeaders: [
      'Content-Range',
      'Content-Type',
      'Last-Modified',
      'x-cos-hash-crc64ecma',
      'x-cos-version-id',
    ],
    maxAgeSeconds: 600,
  },
];

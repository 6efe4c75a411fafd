import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { CiResponseError, type CiRequestTarget } from '../core/errors';
import { classifyTransportError } from './classify-error';

/** Body types the transport sends: always with a known length (a Readable only with its `content-length`). */
export type TransportBody = string | Buffer | readonly Buffer[] | Readable;

/** One HTTP exchange, already addressed and signed. */
export interface TransportRequest {
  method: string;
  /** Path and query, encoded. */
  target: string;
  headers: Record<string, string>;
  body?: TransportBody;
  signal?: AbortSignal;
  /** `'text'` reads the whole body; `'stream'` hands it over (2xx only); `'none'` dumps it. */
  read: 'text' | 'stream' | 'none';
  /**
   * The body is piped from a client as it arrives: the request lasts as long as that client takes, so it goes
   * over the dispatcher for long requests and never queues behind (or in front of) the others.
   */
  piped?: boolean;
}

/** What came back. */
export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  stream?: Readable;
}

/** Reads an error body, at most this many bytes, then drops the rest: an error page can be large. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** COS codes for answers that carry no error body (HEAD never does). */
const BODYLESS_ERROR_CODES: Record<number, string> = {
  400: 'InvalidArgument',
  403: 'AccessDenied',
  404: 'NoSuchKey',
  412: 'PreconditionFailed',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** Parses a failed response's body into CI's code and message; each protocol provides one. */
export type ErrorBodyParser = (
  statusCode: number,
  text: string,
) => { code: string; message: string; requestId?: string; traceId?: string; resource?: string } | undefined;

/**
 * Sends requests over undici and classifies every failure into a typed CiError. Piped uploads go over their own
 * dispatcher (`pipes`; default: the same one): each holds a connection as long as its client takes to send.
 */
export class HttpTransport {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly timeouts: { headersMs: number; bodyMs: number },
    private readonly parseErrorBody: ErrorBodyParser,
    private readonly pipes: Dispatcher = dispatcher,
  ) {}

  /** Sends one request; non-2xx answers throw {@link CiResponseError}. Every response body is read or dumped. */
  async send(req: TransportRequest): Promise<TransportResponse> {
    const where: CiRequestTarget = { method: req.method, path: req.target.split('?')[0]! };
    let res: Dispatcher.ResponseData;
    try {
      res = await (req.piped ? this.pipes : this.dispatcher).request({
        path: req.target,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: toBody(req.body),
        signal: req.signal,
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
      });
    } catch (err) {
      throw classifyTransportError(err, where, req.signal);
    }
    const headers = res.headers as TransportResponse['headers'];
    try {
      if (res.statusCode >= 300) {
        const text = await readLimited(res.body, ERROR_BODY_LIMIT);
        throw this.responseError(res.statusCode, headers, text, where);
      }
      if (req.read === 'stream') return { statusCode: res.statusCode, headers, text: '', stream: res.body };
      if (req.read === 'none') {
        await res.body.dump();
        return { statusCode: res.statusCode, headers, text: '' };
      }
      return { statusCode: res.statusCode, headers, text: await res.body.text() };
    } catch (err) {
      if (!res.body.destroyed) res.body.destroy();
      if (err instanceof CiResponseError) throw err;
      throw classifyTransportError(err, where, req.signal);
    }
  }

  private responseError(
    statusCode: number,
    headers: TransportResponse['headers'],
    text: string,
    where: CiRequestTarget,
  ): CiResponseError {
    const parsed = this.parseErrorBody(statusCode, text);
    const header = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    return new CiResponseError({
      statusCode,
      ciCode: parsed?.code || BODYLESS_ERROR_CODES[statusCode] || String(statusCode),
      ciMessage: parsed?.message ?? '',
      requestId: parsed?.requestId || header('x-cos-request-id') || header('x-ci-request-id'),
      traceId: parsed?.traceId || header('x-cos-trace-id'),
      resource: parsed?.resource,
      serverDate: header('date'),
      method: where.method,
      path: where.path,
    });
  }
}

function toBody(body: TransportBody | undefined): string | Buffer | Readable | undefined {
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Readable)
    return body;
  // One chunk (a part) goes out as is: undici writes a Buffer with one socket write, no stream in between.
  if (body.length === 1) return body[0];
  // A list of chunks goes out without being concatenated: no second copy of a part in memory.
  return Readable.from(body, { objectMode: false });
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    if (size < limit) chunks.push(buf.subarray(0, limit - size));
    size += buf.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CosHttpError } from '../errors/cos-http.error';
import { renderErrorEnvelope } from '../errors/error-envelope';
import type { ClassifiedRequest } from '../routing/classified-request';

let sequence = 0;

/** A COS-looking request id: base64 of `<hex seconds>_<random>_<sequence>`. */
export function newRequestId(): string {
  sequence = (sequence + 1) % 0x100000;
  const id = `${Math.floor(Date.now() / 1000).toString(16)}_${randomBytes(4).toString('hex')}_${sequence.toString(16)}`;
  return Buffer.from(id).toString('base64');
}

/**
 * One request and its answer: the request id, the headers every answer carries (`x-cos-request-id`,
 * `Server: tencent-cos`; the pipeline's CORS stage adds those a bucket's rules allow), the answer helpers, and
 * what the request log records.
 */
export class Exchange {
  /** `x-cos-request-id` of this exchange. */
  readonly requestId = newRequestId();
  /** `TraceId` of an error envelope. */
  readonly traceId = randomBytes(24).toString('base64');
  /** `Date.now()` when the request arrived. */
  readonly startedAt = Date.now();
  /** COS operation name once routed (`PutObject`, ...). */
  operation = 'Unknown';
  /** Bucket addressed, once known. */
  bucket?: string;
  /** Object key addressed, once known. */
  key?: string;
  /** Status answered, or meant to be answered when the client left first. */
  status?: number;
  /** COS error code of an error answer. */
  errorCode?: string;
  /** True once the connection was answered outside this exchange (a raw answer to a broken request). */
  detached = false;
  private continued = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** True when the client sent `Expect: 100-continue` and waits for `100 Continue` before the body. */
    readonly expectsContinue = false,
    /** What the front door classified the request as (its operation, bucket and key start the log record). */
    readonly request?: ClassifiedRequest,
  ) {
    if (request) {
      this.operation = request.operation;
      this.bucket = request.bucket;
      this.key = request.key || undefined;
    }
    res.setHeader('x-cos-request-id', this.requestId);
    res.setHeader('Server', 'tencent-cos');
  }

  /** True while an answer can still be written. */
  get canRespond(): boolean {
    return !this.detached && !this.res.headersSent && !this.res.destroyed && !this.req.socket?.destroyed;
  }

  /** Sends `100 Continue` if the client waits for it; call right before reading the body. */
  continueIfExpected(): void {
    if (this.expectsContinue && !this.continued && this.canRespond) {
      this.continued = true;
      this.res.writeContinue();
    }
  }

  /** Answers with an XML body (`Content-Type: application/xml`). */
  sendXml(status: number, xml: string, headers: OutgoingHttpHeaders = {}): void {
    const body = Buffer.from(xml, 'utf8');
    this.send(status, { ...headers, 'Content-Type': 'application/xml', 'Content-Length': body.length }, body);
  }

  /** Answers with no body (`Content-Length: 0` unless `headers` says otherwise, as HEAD does; none on 204/304). */
  sendEmpty(status: number, headers: OutgoingHttpHeaders = {}): void {
    this.send(status, status === 204 || status === 304 ? headers : { 'Content-Length': 0, ...headers });
  }

  /** Answers with a streamed body; resolves when it is sent, rejects when the client left. */
  async sendStream(status: number, headers: OutgoingHttpHeaders, body: Readable): Promise<void> {
    if (!this.canRespond) {
      body.destroy();
      return;
    }
    this.status = status;
    this.res.writeHead(status, headers);
    await pipeline(body, this.res);
  }

  /** Answers with the COS XML error envelope; `resource` names the bucket and key. */
  sendError(error: CosHttpError, resource: string): void {
    this.errorCode = error.code;
    const xml = renderErrorEnvelope(error, { resource, requestId: this.requestId, traceId: this.traceId });
    if (this.canRespond) {
      this.sendXml(error.status, xml);
    } else {
      this.status ??= error.status;
    }
  }

  private send(status: number, headers: OutgoingHttpHeaders, body?: Buffer): void {
    this.status = status;
    if (!this.canRespond) return;
    this.res.writeHead(status, headers);
    this.res.end(body);
  }
}

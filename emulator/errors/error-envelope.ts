import { buildXml } from '../xml/xml';
import type { CosHttpError } from './cos-http.error';

/** Where an error happened, for the envelope's `Resource`, `RequestId` and `TraceId`. */
export interface ErrorEnvelopeContext {
  /** `<bucket>.cos.<region>.myqcloud.com/<key>`, or the request path when no bucket is known. */
  resource: string;
  requestId: string;
  traceId: string;
}

/** Renders the COS XML error body: `<Error><Code/><Message/><Resource/><RequestId/><TraceId/></Error>`. */
export function renderErrorEnvelope(error: CosHttpError, context: ErrorEnvelopeContext): string {
  return buildXml({
    Error: {
      Code: error.code,
      Message: error.message,
      Resource: context.resource,
      RequestId: context.requestId,
      TraceId: context.traceId,
    },
  });
}

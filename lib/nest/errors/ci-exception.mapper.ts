import { HttpException } from '@nestjs/common';
import { ciErrorResponse } from '../../upload';

export type { CiErrorResponseBody } from '../../upload';

/**
 * Maps any error of an upload or CI call to the HTTP exception the client gets (the table of `ciErrorResponse`,
 * the same on every platform: see the README). HttpExceptions and unknown errors pass through unchanged.
 */
export function toCiHttpException(err: unknown): HttpException | unknown {
  if (err instanceof HttpException) return err;
  const body = ciErrorResponse(err);
  return body ? new HttpException(body, body.statusCode, { cause: err }) : err;
}

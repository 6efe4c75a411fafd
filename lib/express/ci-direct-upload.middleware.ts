import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  CiDirectUploads,
  ciErrorResponse,
  createDirectUploadRoute,
  logCiFailure,
  type CiDirectUploadProfile,
  type CiUploader,
} from '../upload';
import type { CiExpressOptions } from './ci-express.options';
import { setUp } from './ci-upload.middleware';

/** Largest JSON body the direct-upload routes read themselves (when no body parser ran). */
const BODY_LIMIT = 16 * 1024;

/** Options of `ciDirectUpload()`: the module options and one upload profile. */
export interface CiDirectUploadOptions extends CiExpressOptions, CiDirectUploadProfile {
  /** Name for messages. Default `'ciDirectUpload()'`. */
  name?: string;
  /**
   * `false` (default): answer errors with the same JSON and statuses as the upload routes. `true`: pass them to
   * `next(err)` (`ciErrorHandler()` answers them the same way).
   */
  passErrors?: boolean;
}

/** The ticket and confirm handlers of one upload profile; see {@link ciDirectUpload}. */
export interface CiDirectUploadHandlers {
  /** `POST` `{ contentType, size?, originalName? }` → 201 and the ticket (URL, headers, form fields, token). */
  ticket: RequestHandler;
  /** `POST` `{ token }` → 200 and the `CiUploadResult`, or the upload routes' error answer. */
  confirm: RequestHandler;
  /** The upload use case underneath (removal of refused uploads, tracking). */
  readonly uploader: CiUploader;
  /** Waits for confirmations in flight (at most `shutdownTimeoutMs`), then closes the client if it made it. */
  close(): Promise<void>;
}

async function jsonBody(req: Request): Promise<unknown> {
  if (req.body !== undefined) return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return undefined;
  }
}

/**
 * Direct uploads for plain Express (no Nest needed): a ticket handler that signs one upload for the profile (the key,
 * rules and limits chosen here, never by the client) and a confirm handler that checks what arrived and answers the
 * same `CiUploadResult` a `ciUpload()` route sets, or the same error JSON. Reads JSON bodies itself when no body
 * parser ran. The profile is checked when the handlers are built.
 *
 * @example
 * import { ciDirectUpload } from 'nestjs-tencent-ci/express';
 * const avatars = ciDirectUpload({ bucket, region, credentials, rules: [{ fileid: '{name}-200.webp', rule: 'imageMogr2/thumbnail/200x' }] });
 * app.post('/avatars/ticket', avatars.ticket);
 * app.post('/avatars/confirm', avatars.confirm);
 */
export function ciDirectUpload(options: CiDirectUploadOptions): CiDirectUploadHandlers {
  const { resolved, client, logger, uploader, close } = setUp(options);
  const direct = new CiDirectUploads({
    client,
    options: resolved,
    cleaner: uploader.cleaner,
    tracker: uploader.tracker,
  });
  const route = createDirectUploadRoute(direct, options, options.name ?? 'ciDirectUpload()');
  const answer =
    (run: (body: unknown, req: Request) => Promise<unknown>, status: number) =>
    (req: Request, res: Response, next: NextFunction) => {
      jsonBody(req)
        .then((body) => run(body, req))
        .then(
          (value) => res.status(status).json(value),
          (err: unknown) => {
            logCiFailure(logger, err);
            const body = options.passErrors ? undefined : ciErrorResponse(err);
            if (body) res.status(body.statusCode).json(body);
            else next(err);
          },
        );
    };
  return {
    ticket: answer((body, req) => route.ticket(body, req), 201),
    confirm: answer((body) => route.confirm(body), 200),
    uploader,
    close,
  };
}

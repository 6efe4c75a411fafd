import type { IncomingMessage, ServerResponse } from 'node:http';
import { CiLimitError } from '../core/errors';
import {
  ciErrorResponse,
  logCiFailure,
  type CiErrorResponseBody,
  type CiLogger,
  type CiUploader,
  type CiUploadRoute,
} from '../upload';
import type { CiUploadedFile } from './ci-storage.engine';
import { clientGone, createMulterUpload, type CiMulterUpload } from './multer-upload';

/** What the intake of one request gave: the stored files and text fields, or why not. */
export type CiIntake =
  | { ok: true; files: CiUploadedFile[]; body: Record<string, unknown> }
  | {
      ok: false;
      error: unknown;
      /** The client went away: nobody is left to answer. */
      gone: boolean;
      /** The JSON answer, `undefined` for an error the mapping does not know (the platform's 500). */
      answer?: CiErrorResponseBody;
    };

/**
 * What every adapter does around one upload route, once: refuse a declared `Content-Length` the route cannot
 * accept before reading the body, run the multipart intake, notice a client that went away, log and map an
 * error (asking for the connection to close when the body was not read whole), and remove what was stored
 * when the request fails afterwards. The Nest interceptor and the Express middleware wrap it.
 */
export class CiUploadRunner {
  private readonly intake: CiMulterUpload;

  constructor(
    private readonly uploader: CiUploader,
    readonly route: CiUploadRoute,
    private readonly logger: CiLogger,
  ) {
    this.intake = createMulterUpload(uploader, route);
  }

  /** Runs the intake on Node's request; `platformRequest` is what key strategies and listeners receive. */
  async receive(req: IncomingMessage, res: ServerResponse, platformRequest?: object): Promise<CiIntake> {
    this.uploader.tracker.holdRequest(req, res);
    try {
      this.refuseDeclaredLength(req);
      return { ok: true, ...(await this.intake(req, res, platformRequest)) };
    } catch (error) {
      if (clientGone(req)) {
        this.logger.debug?.(`${this.route.where}: client went away during the upload`);
        return { ok: false, error, gone: true };
      }
      logCiFailure(this.logger, error);
      // Answering before the body was read whole: close the connection after the answer rather than read on.
      if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
      return { ok: false, error, gone: false, answer: ciErrorResponse(error) };
    }
  }

  /** Removes what a request stored when it failed after the upload (unless the route keeps it); never throws. */
  async discard(files: readonly CiUploadedFile[]): Promise<void> {
    if (!this.route.keepOnError) await this.uploader.remove(files);
  }

  /**
   * For adapters that learn a handler's failure from the answer only (plain Express): removes what was stored
   * when the answer is an error, also when the client left first (the app's answer, written to nobody, still
   * says how the handler did: the first `end()` after the socket closed).
   */
  discardOnErrorAnswer(res: ServerResponse, files: readonly CiUploadedFile[]): void {
    if (this.route.keepOnError) return;
    const settle = () => {
      if (res.statusCode >= 400) void this.discard(files);
    };
    res.once('close', () => {
      if (res.writableFinished) return settle();
      const end = res.end;
      res.end = function (this: ServerResponse, ...args: unknown[]) {
        res.end = end;
        settle();
        return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as typeof res.end;
    });
  }

  private refuseDeclaredLength(req: IncomingMessage): void {
    const declared = Number(req.headers['content-length']);
    const max = this.route.maxRequestBytes;
    if (declared > max) {
      throw new CiLimitError(
        'REQUEST_TOO_LARGE',
        `Request too large: ${declared} bytes declared, ${this.route.where} accepts at most ${max}`,
        max,
      );
    }
  }
}

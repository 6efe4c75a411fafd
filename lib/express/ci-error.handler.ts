import type { ErrorRequestHandler } from 'express';
import { STATUS_CODES } from 'node:http';
import { ciErrorResponse, logCiFailure, type CiLogger } from '../upload';
import { consoleLogger } from './console.logger';

/** Options of {@link ciErrorHandler}. */
export interface CiErrorHandlerOptions {
  /** Where the error of each failed request goes (one line). Default: `console` without debug lines. */
  logger?: CiLogger;
}

/**
 * An Express error handler for upload routes built with multer and `createCiStorage()` (or `ciUpload()` with
 * `passErrors`): answers every error with the JSON and status the Nest routes give (`ciErrorResponse`), an
 * error it does not know with a JSON 500 (the message and stack stay in the log), and never Express's HTML
 * page. Register it after the routes.
 *
 * @example
 * app.post('/photos', multer({ storage }).single('file'), (req, res) => res.status(201).json(req.file));
 * app.use(ciErrorHandler());
 */
export function ciErrorHandler(options: CiErrorHandlerOptions = {}): ErrorRequestHandler {
  const logger = options.logger ?? consoleLogger;
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const answer = ciErrorResponse(err);
    if (answer) {
      logCiFailure(logger, err);
      return void res.status(answer.statusCode).json(answer);
    }
    // An error the mapping does not know is a bug (or the app's own): logged whole, answered without details.
    logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    const status = clientErrorStatus(err);
    const body = status
      ? { statusCode: status, message: (err as Error).message, error: STATUS_CODES[status] ?? 'Error' }
      : { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' };
    res.status(body.statusCode).json(body);
  };
}

/** The 4xx status of a client error as `http-errors` (body-parser, Express) marks it, with `expose`. */
function clientErrorStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; expose?: unknown } | null;
  const status = Number(e?.status);
  return e?.expose === true && status >= 400 && status < 500 ? status : undefined;
}

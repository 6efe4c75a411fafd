import type { IncomingMessage, ServerResponse } from 'node:http';
import multer from 'multer';
import { CiMediaError } from '../core/errors';
import type { CiUploader, CiUploadRoute } from '../upload';
import {
  CI_LIMIT_CROSSED,
  CI_PLATFORM_REQUEST,
  CI_UPLOAD_RESULT,
  CiStorageEngine,
  type CiUploadedFile,
} from './ci-storage.engine';
import { trackingStreamHandler } from './form-file-size';

/** The typed results of one request, in arrival order, and its text fields. */
export interface CiReceivedFiles {
  /** Every stored file, in arrival order. */
  files: CiUploadedFile[];
  /** The text fields of the form (multer's `req.body`). */
  body: Record<string, unknown>;
}

/** Runs multer (with the CI storage engine) on a Node request, for one route. */
export type CiMulterUpload = (
  req: IncomingMessage,
  res: ServerResponse,
  platformRequest?: object,
) => Promise<CiReceivedFiles>;

type MulterRequest = IncomingMessage & {
  file?: Express.Multer.File;
  files?: Express.Multer.File[] | Record<string, Express.Multer.File[]>;
  body?: unknown;
};

/**
 * Builds, once per route, the multer middleware with the CI storage engine, busboy limits enforced while bytes
 * stream, and UTF-8 file names (`defParamCharset: 'utf8'`; RFC 5987 `filename*` is decoded by busboy), and
 * returns a function that runs it on a Node request (Express's, or Fastify's `req.raw`) and gives back the
 * typed results. A single-file route without its file fails with `CiMediaError` `MISSING_FILE` (400).
 */
export function createMulterUpload(uploader: CiUploader, route: CiUploadRoute): CiMulterUpload {
  const storage = new CiStorageEngine(uploader, route);
  const upload = multer({
    storage,
    limits: route.limits,
    defParamCharset: 'utf8',
    // Lets the engine predict a file's size from the request's Content-Length (see predictFileSize).
    ...{ streamHandler: trackingStreamHandler },
  });
  const middleware = route.single ? upload.single(route.fields[0]!.name) : upload.fields(route.fields);
  return async (req, res, platformRequest) => {
    const raw = req as MulterRequest;
    if (platformRequest) (raw as unknown as Record<symbol, unknown>)[CI_PLATFORM_REQUEST] = platformRequest;
    try {
      await new Promise<void>((resolve, reject) => {
        // A crossed limit settles at once; multer reports it only after reading the whole body.
        (raw as unknown as Record<symbol, unknown>)[CI_LIMIT_CROSSED] = reject;
        // multer's types want Express objects; it uses only Node's request and response.
        middleware(raw as never, res as never, (err?: unknown) => (err ? reject(err) : resolve()));
      });
    } catch (err) {
      throw clarify(err, route);
    }
    const received = raw.file
      ? [raw.file]
      : Array.isArray(raw.files)
        ? raw.files
        : Object.values(raw.files ?? {}).flat();
    const files = received.map(
      (f) => (f as unknown as { [CI_UPLOAD_RESULT]: CiUploadedFile })[CI_UPLOAD_RESULT],
    );
    if (route.single && files.length === 0) {
      const field = route.fields[0]!.name;
      throw new CiMediaError('MISSING_FILE', `Missing file - ${field}`, { field });
    }
    return { files, body: (raw.body ?? {}) as Record<string, unknown> };
  };
}

/**
 * Multer says `Unexpected field` for one file too many in an accepted field too: that one is a count, said so
 * (`Too many files - file`, 400).
 */
function clarify(err: unknown, route: CiUploadRoute): unknown {
  const e = err as { name?: string; code?: string; field?: string };
  if (
    e?.name === 'MulterError' &&
    e.code === 'LIMIT_UNEXPECTED_FILE' &&
    route.fields.some((f) => f.name === e.field)
  ) {
    return new multer.MulterError('LIMIT_FILE_COUNT', e.field);
  }
  return err;
}

/** True when the client went away before its request was read whole: nobody is left to answer. */
export function clientGone(req: IncomingMessage): boolean {
  return req.destroyed && !req.complete;
}

/** Groups results by field, in arrival order (`ciResults`). */
export function byField(files: readonly CiUploadedFile[]): Record<string, CiUploadedFile[]> {
  const results: Record<string, CiUploadedFile[]> = {};
  for (const f of files) (results[f.fieldname] ??= []).push(f);
  return results;
}

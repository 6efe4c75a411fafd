import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { CiClient } from '../client';
import { byField, CiStorageEngine, CiUploadRunner } from '../multer';
import {
  CiUploader,
  CiUploadTracker,
  compileUploadRoute,
  resolveCiModuleOptions,
  type CiUploadRoute,
  type CiUploadSpec,
} from '../upload';
import { consoleLogger } from './console.logger';
import type { CiExpressOptions, CiStorageOptions, CiUploadMiddlewareOptions } from './ci-express.options';

/** What `ciUpload()` and `createCiStorage()` return besides the middleware or engine: shutdown. */
export interface CiUploadLifecycle {
  /** The upload use case underneath (its `tracker` knows what is in flight). */
  readonly uploader: CiUploader;
  /**
   * Aborts uploads in flight, runs pending clean-up checks, waits at most `shutdownTimeoutMs`, destroys sockets
   * of upload requests still open, then closes the client if this middleware created it. Call it on SIGTERM.
   */
  close(): Promise<void>;
}

/** An Express middleware that uploads to CI; see {@link ciUpload}. */
export type CiUploadMiddleware = RequestHandler & CiUploadLifecycle;

function setUp(options: CiExpressOptions & { object?: unknown; insertOnly?: unknown }) {
  // `object` and `insertOnly` are the route's (maybe functions of the request): the route resolves them.
  const { object: _object, insertOnly: _insertOnly, ...moduleOptions } = options;
  const resolved = resolveCiModuleOptions(moduleOptions);
  const client = options.client ?? new CiClient(resolved);
  const logger = options.logger ?? consoleLogger;
  const uploader = new CiUploader({
    client,
    tracker: new CiUploadTracker(),
    logger,
    keyPrefix: resolved.keyPrefix,
    recheckMs: resolved.unknownOutcomeRecheckMs,
  });
  const close = async () => {
    const finished = await uploader.tracker.shutdown(resolved.shutdownTimeoutMs);
    if (!finished)
      logger.warn(`shutdown: work still pending after ${resolved.shutdownTimeoutMs} ms; closing`);
    if (!options.client) await client.close();
  };
  return { resolved, logger, uploader, close };
}

/**
 * Express middleware (no Nest needed) that streams the multipart file(s) of a request to CI with
 * `Pic-Operations`, exactly as `@CiUpload` does, and sets `req.ciResult` (one file) or `req.ciResults` (by
 * field). Errors are answered with the same JSON and statuses as the Nest routes (or passed to `next(err)`
 * with `passErrors`); when the answer is an error (a later handler failed), what was stored is removed
 * unless `keepOnError`. Rules are checked when the middleware is built.
 *
 * @example
 * import { ciUpload } from 'nestjs-tencent-ci/express';
 * const upload = ciUpload({ field: 'file', rules: [{ fileid: '{name}-200.webp', rule: 'imageMogr2/thumbnail/200x' }],
 *   bucket: 'photos-1250000000', region: 'ap-guangzhou', credentials: { secretId, secretKey } });
 * app.post('/avatars', upload, (req, res) => res.status(201).json(req.ciResult));
 * process.on('SIGTERM', () => upload.close().then(() => server.close()));
 */
export function ciUpload(options: CiUploadMiddlewareOptions): CiUploadMiddleware {
  const { resolved, logger, uploader, close } = setUp(options);
  const spec: CiUploadSpec =
    'fields' in options && options.fields
      ? { kind: 'fields', options }
      : { kind: 'field', field: (options as { field: string }).field, options };
  const runner = new CiUploadRunner(uploader, compileUploadRoute(spec, resolved), logger);
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    void runner.receive(req, res, req).then((intake) => {
      if (intake.ok) {
        if (runner.route.single) req.ciResult = intake.files[0];
        else req.ciResults = byField(intake.files);
        runner.discardOnErrorAnswer(res, intake.files);
        return next();
      }
      if (intake.gone) return;
      if (intake.answer && !options.passErrors) res.status(intake.answer.statusCode).json(intake.answer);
      else next(intake.error);
    });
  };
  return Object.assign(middleware, { uploader, close });
}

/**
 * A multer `StorageEngine` for people who build multer themselves: each file is sniffed, named and streamed
 * to CI with the processing of its field, and multer's `req.file` / `req.files` entries carry the whole
 * `CiUploadResult` (`key`, `imageInfo`, ...). Pass `defParamCharset: 'utf8'` to multer for UTF-8 file names.
 *
 * @example
 * const storage = createCiStorage({ rules, bucket, region, credentials });
 * app.post('/photos', multer({ storage, defParamCharset: 'utf8' }).single('file'), (req, res) => res.json(req.file));
 */
export function createCiStorage(options: CiStorageOptions): CiStorageEngine & CiUploadLifecycle {
  const { resolved, uploader, close } = setUp(options);
  const listed = options.fields ?? [];
  const fallback = compileUploadRoute({ kind: 'field', field: '', options }, resolved);
  const perField = new Map(
    listed.map((f) => [
      f.name,
      compileUploadRoute({ kind: 'field', field: f.name, options: { ...options, ...f } }, resolved),
    ]),
  );
  const route: CiUploadRoute = {
    ...fallback,
    where: 'createCiStorage()',
    optionsFor: (field) => perField.get(field)?.optionsFor(field) ?? fallback.optionsFor(''),
  };
  return Object.assign(new CiStorageEngine(uploader, route), { uploader, close });
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { CiClient } from '../client';
import { byField, CiStorageEngine, CiUploadRunner } from '../multer';
import {
  CiUploader,
  CiUploadTracker,
  compileUploadRoute,
  resolveCiModuleOptions,
  type CiUploadSpec,
} from '../upload';
import { consoleLogger } from './console.logger';
import type {
  CiExpressOptions,
  CiStorageOptions,
  CiStorageRouteOptions,
  CiUploadMiddlewareOptions,
  CiUploadRouteMiddlewareOptions,
} from './ci-express.options';

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

/**
 * One bucket or account on plain Express (the named instance of `CiModule.forRoot({ name })`): one client,
 * one upload budget and one shutdown for every route built from it.
 */
export interface CiExpressInstance extends CiUploadLifecycle {
  /** A middleware for one route of this instance: see {@link ciUpload}. */
  upload(route: CiUploadRouteMiddlewareOptions): RequestHandler;
  /** A multer engine of this instance: see {@link createCiStorage}. */
  storage(route: CiStorageRouteOptions): CiStorageEngine;
}

/**
 * Creates one instance (bucket, account, limits) whose routes share a client; create one per bucket. Rules of
 * each route are checked when the route is built.
 *
 * @example
 * const avatars = createCiInstance({ bucket: 'avatars-1250000000', region, credentials });
 * const documents = createCiInstance({ bucket: 'documents-1250000000', region, credentials: other });
 * app.post('/avatars', avatars.upload({ field: 'file', rules }), (req, res) => res.status(201).json(req.ciResult));
 * app.post('/scans', documents.upload({ field: 'scan' }), (req, res) => res.status(201).json(req.ciResult));
 * process.on('SIGTERM', () => Promise.all([avatars.close(), documents.close()]).then(() => server.close()));
 */
export function createCiInstance(options: CiExpressOptions): CiExpressInstance {
  const { resolved, uploader, logger, close } = setUp(options);
  const upload = (route: CiUploadRouteMiddlewareOptions): RequestHandler => {
    const spec: CiUploadSpec =
      'fields' in route && route.fields
        ? { kind: 'fields', options: route }
        : { kind: 'field', field: (route as { field: string }).field, options: route };
    const runner = new CiUploadRunner(uploader, compileUploadRoute(spec, resolved), logger);
    return (req: Request, res: Response, next: NextFunction) => {
      void runner.receive(req, res, req).then((intake) => {
        if (intake.ok) {
          if (runner.route.single) req.ciResult = intake.files[0];
          else req.ciResults = byField(intake.files);
          runner.discardOnErrorAnswer(res, intake.files);
          return next();
        }
        if (intake.gone) return;
        if (intake.answer && !route.passErrors) res.status(intake.answer.statusCode).json(intake.answer);
        else next(intake.error);
      });
    };
  };
  const storage = (route: CiStorageRouteOptions): CiStorageEngine => {
    const compile = (field: string, options: CiStorageRouteOptions) =>
      compileUploadRoute({ kind: 'field', field, options }, resolved);
    const fallback = compile('', route);
    const perField = new Map((route.fields ?? []).map((f) => [f.name, compile(f.name, { ...route, ...f })]));
    return new CiStorageEngine(uploader, {
      ...fallback,
      where: 'createCiStorage()',
      optionsFor: (field) => perField.get(field)?.optionsFor(field) ?? fallback.optionsFor(''),
    });
  };
  return { uploader, close, upload, storage };
}

/** The use case an Express helper runs on: options resolved once, a client (made or given), a tracker. */
export function setUp(options: CiExpressOptions) {
  // `object` and `insertOnly` are the route's (maybe functions of the request): the route resolves them. A given
  // `client` is used as it is: it is no option to validate (class-transformer would try to construct one).
  const {
    object: _object,
    insertOnly: _insertOnly,
    client: _client,
    ...moduleOptions
  } = options as CiExpressOptions & {
    object?: unknown;
    insertOnly?: unknown;
  };
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
  return { resolved, client, logger, uploader, close };
}

/**
 * Express middleware (no Nest needed) that streams the multipart file(s) of a request to CI with
 * `Pic-Operations`, exactly as `@CiUpload` does, and sets `req.ciResult` (one file) or `req.ciResults` (by
 * field). Errors are answered with the same JSON and statuses as the Nest routes (or passed to `next(err)`
 * with `passErrors`); when the answer is an error (a later handler failed, also after the client left), what
 * was stored is removed unless `keepOnError`. Rules are checked when the middleware is built. It is an
 * instance of its own: routes sharing a bucket may share one with {@link createCiInstance}.
 *
 * @example
 * import { ciUpload } from 'nestjs-tencent-ci/express';
 * const upload = ciUpload({ field: 'file', rules: [{ fileid: '{name}-200.webp', rule: 'imageMogr2/thumbnail/200x' }],
 *   bucket: 'photos-1250000000', region: 'ap-guangzhou', credentials: { secretId, secretKey } });
 * app.post('/avatars', upload, (req, res) => res.status(201).json(req.ciResult));
 * process.on('SIGTERM', () => upload.close().then(() => server.close()));
 */
export function ciUpload(options: CiUploadMiddlewareOptions): CiUploadMiddleware {
  const instance = createCiInstance(options);
  return Object.assign(instance.upload(options), { uploader: instance.uploader, close: instance.close });
}

/**
 * A multer `StorageEngine` for people who build multer themselves: each file is sniffed, named and streamed
 * to CI with the processing of its field, within the engine's own `limits` (413, whatever multer was given),
 * and multer's `req.file` / `req.files` entries carry the whole `CiUploadResult` (`key`, `imageInfo`, ...).
 * Pass `defParamCharset: 'utf8'` to multer for UTF-8 file names, and register `ciErrorHandler()` after the
 * routes for JSON errors.
 *
 * @example
 * const storage = createCiStorage({ rules, bucket, region, credentials });
 * app.post('/photos', multer({ storage, defParamCharset: 'utf8' }).single('file'), (req, res) => res.json(req.file));
 * app.use(ciErrorHandler());
 */
export function createCiStorage(options: CiStorageOptions): CiStorageEngine & CiUploadLifecycle {
  const instance = createCiInstance(options);
  return Object.assign(instance.storage(options), { uploader: instance.uploader, close: instance.close });
}

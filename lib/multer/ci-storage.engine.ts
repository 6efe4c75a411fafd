import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import multer, { type StorageEngine } from 'multer';
import type { CiUploadedFile, CiUploader, CiUploadResult, CiUploadRoute } from '../upload';
import { predictFileSize } from './form-file-size';

/** Symbol under which the engine leaves the typed result on multer's file object. */
export const CI_UPLOAD_RESULT = Symbol('ciUploadResult');

/**
 * Symbol an adapter sets on the Node request to give the key strategy the platform's request
 * (`FastifyRequest`) instead of the raw one.
 */
export const CI_PLATFORM_REQUEST = Symbol('ciPlatformRequest');

/**
 * Symbol under which the intake runner leaves, on the Node request, the function the engine calls when a file
 * crosses a limit: the runner answers at once instead of waiting for multer, which reads the rest of the body
 * before it reports an error.
 */
export const CI_LIMIT_CROSSED = Symbol('ciLimitCrossed');

/** The file multer hands to an engine. */
type IncomingFile = Express.Multer.File & { stream: Readable };

/** What the engine gives multer for a stored file: the result, merged by multer into `req.file`. */
export type CiStoredFileInfo = Partial<Express.Multer.File> &
  CiUploadResult & { [CI_UPLOAD_RESULT]: CiUploadResult };

export type { CiUploadedFile };

/**
 * A multer `StorageEngine` over the upload use case: each file stream goes to `CiUploader.upload`, aborted
 * when it crosses the route's size limit or the client goes away. The engine enforces the route's `fileSize`
 * and `files` itself, whatever limits multer was given (busboy's own limit ends the stream as if complete: it
 * aborts too). Only multer's quirks live here (one callback, `resume()` to let busboy go on, per-request file
 * indexes).
 */
export class CiStorageEngine implements StorageEngine {
  private readonly indexes = new WeakMap<object, Map<string, number>>();

  constructor(
    private readonly useCase: CiUploader,
    private readonly route: CiUploadRoute,
  ) {}

  _handleFile(
    req: IncomingMessage,
    file: Express.Multer.File,
    callback: (
      error?: unknown,
      info?: Partial<Express.Multer.File> & { [CI_UPLOAD_RESULT]: CiUploadedFile },
    ) => void,
  ): void {
    const stream = (file as IncomingFile).stream;
    const local = new AbortController();
    // Multer's own errors as the reason: a progress listener then hears the 413 the client gets.
    const crossed = (code: 'LIMIT_FILE_SIZE' | 'LIMIT_FILE_COUNT') => {
      if (!local.signal.aborted) local.abort(new multer.MulterError(code, file.fieldname));
    };
    const onLimit = () => crossed('LIMIT_FILE_SIZE');
    const onClose = () => {
      if (!req.readableEnded) local.abort(new Error('client went away'));
    };
    stream.once('limit', onLimit);
    req.once('close', onClose);
    let head: Buffer | undefined;
    const request = (req as unknown as Record<symbol, unknown>)[CI_PLATFORM_REQUEST] ?? req;
    const listener = this.route.onProgress;
    const { fileSize, files } = this.route.limits;
    const index = this.nextIndex(req, file.fieldname);
    if (this.count(req) > files) crossed('LIMIT_FILE_COUNT');
    this.useCase
      .upload({
        source: capped(stream.iterator({ destroyOnReturn: false }), fileSize, () =>
          crossed('LIMIT_FILE_SIZE'),
        ),
        field: file.fieldname,
        index,
        originalName: file.originalname,
        request,
        options: this.route.optionsFor(file.fieldname),
        allowedFormats: this.route.allowedFormats,
        keyStrategy: this.route.keyStrategy,
        // One file per request: its size is predicted as if it were the form's last part (an upper bound).
        predictedSize: this.route.single ? predictFileSize(req, stream) : undefined,
        signal: local.signal,
        onSniffed: (_type, bytes) => (head = bytes),
        onProgress: listener && ((progress) => listener(progress, request)),
      })
      .then(
        (result) => {
          // Nest's FileTypeValidator reads magic numbers from `buffer`: the head is all it needs.
          Object.defineProperty(result, 'buffer', { value: head, enumerable: false });
          // Multer merges `info` into its file object: users of the bare engine read the result there.
          callback(null, { ...result, [CI_UPLOAD_RESULT]: result });
        },
        (err: unknown) => {
          // A crossed limit is the error to answer with, not the abort it caused; once this file's upload
          // is undone, the runner (if any) may answer without reading the rest of the body.
          const limit = local.signal.reason instanceof multer.MulterError ? local.signal.reason : undefined;
          if (limit) (req as unknown as Record<symbol, (e: Error) => void>)[CI_LIMIT_CROSSED]?.(limit);
          callback(limit ?? err);
        },
      )
      .finally(() => {
        stream.off('limit', onLimit);
        req.off('close', onClose);
        // Let busboy go on with the rest of the form (multer's contract: resume, do not destroy).
        stream.resume();
      });
  }

  _removeFile(
    _req: IncomingMessage,
    file: Express.Multer.File,
    callback: (error: Error | null) => void,
  ): void {
    const result = (file as { [CI_UPLOAD_RESULT]?: CiUploadResult })[CI_UPLOAD_RESULT];
    this.useCase.remove(result ? [result] : []).then(() => callback(null));
  }

  private nextIndex(req: object, field: string): number {
    let byField = this.indexes.get(req);
    if (!byField) this.indexes.set(req, (byField = new Map()));
    const index = byField.get(field) ?? 0;
    byField.set(field, index + 1);
    return index;
  }

  /** Files of the request so far, every field. */
  private count(req: object): number {
    let n = 0;
    for (const c of this.indexes.get(req)?.values() ?? []) n += c;
    return n;
  }
}

/** Passes the bytes on until more than `max` arrived, then calls `crossed` (which aborts the upload) and stops. */
async function* capped(
  source: AsyncIterable<Buffer>,
  max: number,
  crossed: () => void,
): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of source) {
    seen += chunk.length;
    if (seen > max) {
      crossed();
      return;
    }
    yield chunk;
  }
}

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

/** The file multer hands to an engine. */
type IncomingFile = Express.Multer.File & { stream: Readable };

/** What the engine gives multer for a stored file: the result, merged by multer into `req.file`. */
export type CiStoredFileInfo = Partial<Express.Multer.File> &
  CiUploadResult & { [CI_UPLOAD_RESULT]: CiUploadResult };

export type { CiUploadedFile };

/**
 * A multer `StorageEngine` over the upload use case: each file stream goes to `CiUploader.upload`, aborted
 * when busboy hits the size limit (it would otherwise end the stream as if complete) or the client goes away.
 * Only multer's quirks live here (one callback, `resume()` to let busboy go on, per-request file indexes).
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
    // Multer's own error as the reason: a progress listener then hears the 413 the client gets.
    const onLimit = () => local.abort(new multer.MulterError('LIMIT_FILE_SIZE', file.fieldname));
    const onClose = () => {
      if (!req.readableEnded) local.abort(new Error('client went away'));
    };
    stream.once('limit', onLimit);
    req.once('close', onClose);
    let head: Buffer | undefined;
    const request = (req as unknown as Record<symbol, unknown>)[CI_PLATFORM_REQUEST] ?? req;
    const listener = this.route.onProgress;
    this.useCase
      .upload({
        source: stream.iterator({ destroyOnReturn: false }),
        field: file.fieldname,
        index: this.nextIndex(req, file.fieldname),
        originalName: file.originalname,
        request,
        processing: this.route.processingFor(file.fieldname),
        allowedFormats: this.route.allowedFormats,
        keyStrategy: this.route.keyStrategy,
        headers: this.route.objectHeaders,
        // One file per request: it is the form's last part unless a field follows it (then it fails, 400).
        knownSize: this.route.single ? predictFileSize(req, stream) : undefined,
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
        (err: unknown) => callback(err),
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
}

import type { LoggerService } from '@nestjs/common';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import type { Readable } from 'node:stream';
import type { CiClient } from '../../client';
import { CiAbortError, isCiNetworkError, isCiProtocolError, isCiTimeoutError } from '../../core/errors';
import type { CiImageFormat } from '../../core/media';
import type { CiUploadTracker } from '../ci-upload.tracker';
import type { CiKeyStrategy } from '../interfaces/ci-module-options.interface';
import type { CiUploadResult } from '../interfaces/ci-upload-result.interface';
import type { CompiledProcessing } from '../processing/ci-processing.compiler';
import { checkObjectKey } from './object-key';
import { sniffSource } from './sniffed-source';

/** What the engine needs, resolved once when the interceptor is built. */
export interface CiStorageEngineConfig {
  client: CiClient;
  tracker: CiUploadTracker;
  allowedFormats: readonly CiImageFormat[];
  keyStrategy: CiKeyStrategy;
  /** Processing by field name. */
  processingFor: (field: string) => CompiledProcessing;
  logger: LoggerService;
}

/** The file multer hands to an engine. */
type IncomingFile = Express.Multer.File & { stream: Readable };

/** What the engine adds to the multer file: the whole typed result. */
export type CiStoredFile = Express.Multer.File & CiUploadResult;

const fileIndexes = new WeakMap<Request, Map<string, number>>();

function nextIndex(req: Request, field: string): number {
  let byField = fileIndexes.get(req);
  if (!byField) fileIndexes.set(req, (byField = new Map()));
  const index = byField.get(field) ?? 0;
  byField.set(field, index + 1);
  return index;
}

/**
 * A multer storage engine that streams each file to CI: it sniffs the type from the first bytes, names the
 * object, and uploads through `CiClient.upload` with the route's `Pic-Operations`, aborting the upload when
 * multer's size limit hits, when the client goes away, or on shutdown. Each callback fires exactly once.
 */
export class CiStorageEngine implements StorageEngine {
  constructor(private readonly config: CiStorageEngineConfig) {}

  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<CiStoredFile>) => void,
  ) {
    let called = false;
    const once = (error?: unknown, info?: Partial<CiStoredFile>) => {
      if (called) return;
      called = true;
      callback(error, info);
    };
    this.handle(req, file as IncomingFile).then(
      (info) => once(null, info),
      (err: unknown) => once(err),
    );
  }

  private async handle(req: Request, file: IncomingFile): Promise<Partial<CiStoredFile>> {
    const { client, tracker, logger } = this.config;
    const stream = file.stream;
    const local = new AbortController();
    // busboy stops a file at the size limit and ends its stream as if it were complete: abort, or a
    // truncated image would be stored. Multer reports the limit itself (413).
    const onLimit = () => local.abort(new Error('file size limit reached'));
    const onClose = () => {
      if (!req.readableEnded) local.abort(new Error('client went away'));
    };
    stream.once('limit', onLimit);
    req.once('close', onClose);
    const started = Date.now();
    const source = stream.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
    let key: string | undefined;
    let outputKeys: string[] = [];
    try {
      return await tracker.track(
        async (shutdown) => {
          const signal = AbortSignal.any([local.signal, shutdown]);
          const sniffed = await sniffSource(source, this.config.allowedFormats, file.fieldname);
          if (signal.aborted) throw new CiAbortError({ method: 'PUT', path: '/' }, { cause: signal.reason });
          key = checkObjectKey(
            await this.config.keyStrategy(req, {
              fieldname: file.fieldname,
              originalname: file.originalname,
              mimetype: sniffed.type.mimetype,
              ext: sniffed.type.ext,
            }),
          );
          const index = nextIndex(req, file.fieldname);
          const built = this.config
            .processingFor(file.fieldname)
            .build({ key, field: file.fieldname, index });
          outputKeys = built.outputKeys;
          const result = await client.upload(key, sniffed.body, {
            picOperations: built.picOperations,
            contentType: sniffed.type.mimetype,
            signal,
          });
          if (signal.aborted) {
            // The abort came while the final request was committing: the object exists, the request is gone.
            await this.removeStored(result).catch(() => undefined);
            throw new CiAbortError({ method: 'PUT', path: '/' + key }, { cause: signal.reason });
          }
          logger.debug?.(
            `stored ${key} (${result.size} bytes, ${result.imageInfo.processResults.length} outputs) in ` +
              `${Date.now() - started} ms, request id ${result.requestId ?? '-'}`,
          );
          const info: Partial<CiStoredFile> = {
            ...result,
            size: result.size ?? 0,
            mimetype: sniffed.type.mimetype,
            originalName: file.originalname,
            fieldname: file.fieldname,
            // multer's abort cleanup only removes pending files that have a path.
            path: key,
          };
          return info;
        },
        { method: 'PUT', path: '/' + (key ?? file.fieldname) },
      );
    } catch (err) {
      // A timeout, reset or unreadable answer after the bytes went out leaves the outcome unknown: the object
      // may exist. Keys are ours (fresh by default), so removing it is safe and leaves nothing behind.
      if (key && (isCiProtocolError(err) || isCiTimeoutError(err) || isCiNetworkError(err))) {
        await Promise.all([key, ...outputKeys].map((k) => client.deleteObject(k).catch(() => undefined)));
      }
      const e = err as { code?: string; ciCode?: string; requestId?: string; message?: string };
      logger.warn(
        `upload of field "${file.fieldname}"${key ? ` to ${key}` : ''} failed: ${e.message}` +
          (e.ciCode ? ` [${e.ciCode}${e.requestId ? `, request id ${e.requestId}` : ''}]` : ''),
      );
      throw err;
    } finally {
      stream.off('limit', onLimit);
      req.off('close', onClose);
      // Let busboy go on with the rest of the form (multer's contract: resume, do not destroy).
      stream.resume();
    }
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    this.removeStored(file as Partial<CiStoredFile>).then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }

  /** Deletes a stored original and the outputs CI wrote for it. */
  private async removeStored(stored: Pick<Partial<CiStoredFile>, 'key' | 'imageInfo'>): Promise<void> {
    const keys = [stored.key, ...(stored.imageInfo?.processResults ?? []).map((r) => r.key)].filter(
      (k): k is string => !!k,
    );
    await Promise.all(keys.map((k) => this.config.client.deleteObject(k)));
  }
}

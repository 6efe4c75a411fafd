import type { Readable } from 'node:stream';
import { CiAbortError, CiError, type CiRequestTarget } from '../core/errors';
import type { CiObjectResult } from './ci-client.results';
import type { MultipartSession, UploadRequestOptions, UploadTarget } from './upload-target';

/** Progress of an upload. */
export interface UploadProgress {
  /** Bytes read from the source so far. */
  bytesRead: number;
  /** Bytes acknowledged by the server so far. */
  bytesSent: number;
  /** True on the one report sent as the multipart Complete (where CI processes the image) goes out. */
  completing?: boolean;
}

/**
 * One upload's dealings with the server, and its events: the single request or the multipart upload
 * (Initiate / UploadPart / Complete / Abort), progress, and the one abort signal every stage listens to (the
 * caller's, or a cut: a slow source, a failed part). The requests that create something (the single PUT's last
 * byte, Initiate, Complete) are never cut mid-flight: an abort during one of them is acted on once it has
 * answered, so nothing is created that the caller does not hear of.
 */
export class UploadSession {
  /** Aborts on the caller's signal or on {@link cut}. */
  readonly signal: AbortSignal;
  readonly what: CiRequestTarget;
  private readonly controller = new AbortController();
  private multipart?: MultipartSession;
  private bytesRead = 0;
  private bytesSent = 0;

  constructor(
    readonly target: UploadTarget,
    readonly key: string,
    private readonly options: UploadRequestOptions,
    private readonly onProgress?: (p: UploadProgress) => void,
  ) {
    this.what = { method: 'PUT', path: '/' + key };
    this.signal = this.controller.signal;
    // The caller's abort is forwarded by one listener (AbortSignal.any costs more, per upload, than the rest of
    // the session), removed when the upload ends.
    const caller = options.signal;
    if (caller?.aborted) this.controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.forwardAbort, { once: true });
  }

  private readonly forwardAbort = () => this.controller.abort(this.options.signal?.reason);

  /** The upload is over: stops listening to the caller's signal. */
  end(): void {
    this.options.signal?.removeEventListener('abort', this.forwardAbort);
  }

  /** The size the caller declared, if any (a source that does not match it fails). */
  get declaredSize(): number | undefined {
    return this.options.size;
  }

  /** Stops the upload with `reason` (kept as the error the caller gets). */
  cut(reason: unknown): void {
    this.controller.abort(reason);
  }

  /** The error of an aborted upload: the reason when it is a CiError, else a `CiAbortError`. */
  abortError(): CiError {
    const reason: unknown = this.signal.reason;
    return reason instanceof CiError ? reason : new CiAbortError(this.what, { cause: reason });
  }

  /** Throws the abort error when the upload was aborted. */
  throwIfAborted(): void {
    if (this.signal.aborted) throw this.abortError();
  }

  /** Event: `bytes` more were read from the source. */
  read(bytes: number): void {
    this.bytesRead += bytes;
    this.onProgress?.({ bytesRead: this.bytesRead, bytesSent: this.bytesSent });
  }

  /** Event: the server acknowledged `bytes` more. */
  sent(bytes: number): void {
    this.bytesSent += bytes;
    this.onProgress?.({ bytesRead: this.bytesRead, bytesSent: this.bytesSent });
  }

  /** Event: the request where CI processes the image goes out. */
  completing(): void {
    this.onProgress?.({ bytesRead: this.bytesRead, bytesSent: this.bytesSent, completing: true });
  }

  /** The whole object in one request (a pipe, or chunks in memory); not cut by the signal once sent. */
  async putSingle(body: readonly Buffer[] | Readable, size: number): Promise<CiObjectResult> {
    const result = await this.target.putSingle(this.key, body, size, { ...this.options, signal: undefined });
    this.sent(size - this.bytesSent);
    return result;
  }

  /** Initiate: opens the multipart upload, parts of `partSize` (files-v2 declares the size given). */
  async initiate(partSize: number): Promise<void> {
    const opened = await this.target.openMultipart(this.key, { ...this.options, partSize });
    this.multipart = opened;
    this.throwIfAborted();
  }

  /** Sends one part (cut by the signal). */
  async uploadPart(number: number, offset: number, chunks: readonly Buffer[], size: number): Promise<void> {
    await this.multipart!.uploadPart(number, offset, chunks, size, this.signal);
    this.sent(size);
  }

  /** Complete: CI processes the assembled object (`Pic-Operations` rides here). */
  complete(totalSize: number): Promise<CiObjectResult> {
    this.completing();
    return this.multipart!.complete(totalSize);
  }

  /** Abort: drops the multipart upload, if one was opened. Never throws. */
  async abort(): Promise<void> {
    await this.multipart?.abort();
  }
}

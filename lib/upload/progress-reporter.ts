import { isCiAbortError, isCiError } from '../core/errors';
import { ciErrorResponse } from './error-response';
import type { CiLogger } from './upload.options';
import {
  CI_PROGRESS_STEP,
  type CiUploadPhase,
  type CiUploadProgress,
  type CiUploadProgressError,
} from './upload.progress';

/** What a report says of its file before anything is known. */
export interface CiProgressSubject {
  fieldname: string;
  originalName: string;
  size?: number;
}

/**
 * Turns the counters of one upload into throttled {@link CiUploadProgress} reports: a report on each phase or
 * key change, between them at most one per `step` bytes, and exactly one final `done` or `failed`. Counters
 * only grow. The listener is guarded: its first throw or rejection is logged once as a warning.
 */
export class CiProgressReporter {
  private phase: CiUploadPhase = 'receiving';
  private key?: string;
  private bytesReceived = 0;
  private bytesSent = 0;
  private reported?: CiUploadProgress;
  private ended = false;
  private settled = false;
  private warned = false;

  constructor(
    private readonly listener: (progress: CiUploadProgress) => void | Promise<void>,
    private readonly subject: CiProgressSubject,
    private readonly logger: CiLogger,
    private readonly step = CI_PROGRESS_STEP,
  ) {}

  /** Reports the start: `receiving`, nothing read yet. */
  start(): void {
    this.emit();
  }

  /**
   * Wraps the source so that every chunk counts as received and its end (once the file is named, so its bytes
   * go to CI) moves the phase to `uploading`.
   */
  watch(source: AsyncIterator<Buffer>): AsyncIterableIterator<Buffer> {
    const next = async (): Promise<IteratorResult<Buffer>> => {
      const result = await source.next();
      if (result.done) {
        this.ended = true;
        if (this.key !== undefined) this.moveTo('uploading');
      } else {
        this.bytesReceived += result.value.length;
        this.maybeEmit();
      }
      return result;
    };
    return {
      next,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** The object's key is known. */
  named(key: string): void {
    this.key = key;
    // A small file is read whole while its type is sniffed: it goes to CI as soon as it is named.
    if (this.ended && this.phase === 'receiving') this.phase = 'uploading';
    this.emit();
  }

  /**
   * CI acknowledged `bytesSent` bytes in all; `completing` when the multipart Complete, where CI processes the
   * image, goes out (a single PUT is stored and processed in one request: it goes from `uploading` to `done`).
   */
  sent(bytesSent: number, completing = false): void {
    if (completing) {
      this.bytesSent = Math.max(this.bytesSent, bytesSent);
      this.moveTo('processing');
      return;
    }
    if (bytesSent <= this.bytesSent) return;
    this.bytesSent = bytesSent;
    this.maybeEmit();
  }

  /** The upload succeeded: the final `done` report. */
  done(key: string): void {
    this.key = key;
    this.settle('done');
  }

  /** The upload failed: the final `failed` report, with the client-facing error. */
  failed(err: unknown): void {
    this.settle('failed', describeError(err));
  }

  private settle(phase: 'done' | 'failed', error?: CiUploadProgressError): void {
    if (this.settled) return;
    this.phase = phase;
    this.emit(error);
    this.settled = true;
  }

  private moveTo(phase: CiUploadPhase): void {
    if (this.settled || this.phase === phase) return;
    this.phase = phase;
    this.emit();
  }

  private maybeEmit(): void {
    const last = this.reported;
    if (
      !last ||
      this.bytesReceived - last.bytesReceived >= this.step ||
      this.bytesSent - last.bytesSent >= this.step
    ) {
      this.emit();
    }
  }

  private emit(error?: CiUploadProgressError): void {
    if (this.settled) return;
    const progress: CiUploadProgress = {
      phase: this.phase,
      fieldname: this.subject.fieldname,
      originalName: this.subject.originalName,
      ...(this.key !== undefined && { key: this.key }),
      bytesReceived: this.bytesReceived,
      bytesSent: this.bytesSent,
      ...(this.subject.size !== undefined && { size: this.subject.size }),
      ...(error && { error }),
    };
    this.reported = progress;
    try {
      const returned = this.listener({ ...progress, ...(error && { error: { ...error } }) });
      if (returned && typeof returned.then === 'function') returned.then(undefined, (e) => this.warn(e));
    } catch (e) {
      this.warn(e);
    }
  }

  private warn(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const where = this.subject.fieldname ? ` (field ${this.subject.fieldname})` : '';
    this.logger.warn(
      `onProgress threw${where}: ${err instanceof Error ? err.message : String(err)}; ` +
        'the upload goes on, further errors of this upload are not logged',
    );
  }
}

/** The client-facing description of a failure: the status and message of the HTTP answer, the error's code. */
function describeError(err: unknown): CiUploadProgressError {
  // An abort carries its reason as `cause`: a known one (multer's size limit) is what the client is answered.
  const cause = isCiAbortError(err) ? err.cause : undefined;
  const answer = ciErrorResponse(cause) ?? ciErrorResponse(err);
  if (answer && cause instanceof Error && !ciErrorResponse(cause)) answer.message += `: ${cause.message}`;
  const code = isCiError(err) ? err.code : ((err as { code?: unknown })?.code ?? 'UNKNOWN');
  return {
    statusCode: answer?.statusCode ?? 500,
    code: typeof code === 'string' ? code : 'UNKNOWN',
    message: answer?.message ?? 'Upload failed',
    ...(answer?.requestId && { requestId: answer.requestId }),
  };
}

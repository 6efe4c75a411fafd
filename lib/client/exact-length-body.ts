import { Readable } from 'node:stream';
import { CiValidationError } from '../core/errors';
import type { UploadSession } from './upload-session';

/**
 * The request body of a piped upload: the source's chunks as they come (no copy), under the socket's
 * backpressure (a chunk is read only when the socket wants one), checked against the size the request declares.
 * The last byte is held until the source has ended at exactly that size, so a source that is shorter or longer
 * than declared (a wrong `Content-Length`, a prediction that did not hold) never completes the request: the body
 * fails, the connection is dropped and the server stores nothing. An abort before the last byte does the same;
 * once the last byte is out the request is left to answer (the object may be stored by then).
 */
export class ExactLengthBody extends Readable {
  private pushed = 0;
  /** The last byte, held until the source's end is seen. */
  private last?: Buffer;
  private readonly onAbort = () => this.destroy(this.session.abortError());

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly size: number,
    private readonly session: UploadSession,
  ) {
    super();
    session.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  override _read(): void {
    this.pull().catch((err: unknown) => this.destroy(err as Error));
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.session.signal.removeEventListener('abort', this.onAbort);
    callback(err);
  }

  private async pull(): Promise<void> {
    for (;;) {
      const next = await this.source.next();
      if (next.done) return this.sourceEnded();
      const chunk = next.value;
      if (!chunk.length) continue;
      if (this.last || this.pushed + chunk.length > this.size) throw this.mismatch('more');
      if (this.pushed + chunk.length === this.size) {
        this.last = chunk.subarray(chunk.length - 1);
        if (chunk.length > 1) this.forward(chunk.subarray(0, chunk.length - 1));
        else continue;
        return;
      }
      this.forward(chunk);
      return;
    }
  }

  private forward(chunk: Buffer): void {
    this.pushed += chunk.length;
    this.push(chunk);
  }

  private sourceEnded(): void {
    if (!this.last) throw this.mismatch('fewer');
    this.session.signal.removeEventListener('abort', this.onAbort);
    this.forward(this.last);
    this.push(null);
  }

  private mismatch(what: 'more' | 'fewer'): CiValidationError {
    return new CiValidationError(
      'SIZE_MISMATCH',
      `The file has ${what} bytes than the ${this.size} its request declared (Content-Length, or a form part ` +
        `after the file): nothing was stored: ${this.session.what.method} ${this.session.what.path}`,
    );
  }
}

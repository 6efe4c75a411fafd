import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { CiAbortError } from '../core/errors';

/** Keeps the abort handle of every upload in flight, so shutdown can abort them and wait for their cleanup. */
@Injectable()
export class CiUploadTracker implements BeforeApplicationShutdown {
  private readonly inFlight = new Map<AbortController, Promise<unknown>>();
  private closing = false;

  /** Runs `task` with a signal that shutdown aborts; refuses new work once shutdown began. */
  async track<T>(
    task: (signal: AbortSignal) => Promise<T>,
    what: { method: string; path: string },
  ): Promise<T> {
    const controller = new AbortController();
    if (this.closing) throw new CiAbortError(what, { cause: new Error('application is shutting down') });
    const promise = task(controller.signal);
    this.inFlight.set(controller, promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /** Number of uploads in flight. */
  get size(): number {
    return this.inFlight.size;
  }

  /**
   * Aborts every upload in flight and waits until each has cleaned up (multipart aborted). Runs before Nest
   * closes the HTTP server, which would otherwise wait for those uploads to finish.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const pending = [...this.inFlight];
    for (const [controller] of pending) controller.abort(new Error('application is shutting down'));
    await Promise.allSettled(pending.map(([, p]) => p));
  }
}

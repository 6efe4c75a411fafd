import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CiAbortError } from '../core/errors';

/** Why shutdown aborts work: the reason every aborted upload carries. */
const SHUTTING_DOWN = 'application is shutting down';

interface Background {
  /** Runs the job now (at shutdown) instead of waiting for its time. */
  runNow(): void;
  done: Promise<void>;
}

/**
 * Keeps the abort handle of every upload in flight and every background clean-up check, so shutdown can abort
 * the uploads, run the pending checks at once, and wait for both, within a deadline. Framework-free: the Nest
 * module calls {@link shutdown} from `beforeApplicationShutdown`, plain Express users from their own hook.
 */
export class CiUploadTracker {
  private readonly inFlight = new Map<AbortController, Promise<unknown>>();
  private readonly background = new Set<Background>();
  private readonly requests = new Map<IncomingMessage, Promise<void>>();
  private closing = false;

  /** Runs `task` with a signal that shutdown aborts; refuses new work once shutdown began. */
  async track<T>(
    task: (signal: AbortSignal) => Promise<T>,
    what: { method: string; path: string },
  ): Promise<T> {
    if (this.closing) throw new CiAbortError(what, { cause: new Error(SHUTTING_DOWN) });
    const controller = new AbortController();
    const promise = task(controller.signal);
    this.inFlight.set(controller, promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /**
   * Runs `job` after `delayMs` in the background (or at once when shutdown begins), keeps it until it settles,
   * and never lets it throw. Used to re-check what an operation with an unknown outcome may have created.
   */
  defer(delayMs: number, job: () => Promise<void>): void {
    const wake = new AbortController();
    let started = false;
    const run = () => {
      if (started) return Promise.resolve();
      started = true;
      return job().catch(() => undefined);
    };
    const entry: Background = {
      runNow: () => wake.abort(),
      done: sleep(delayMs, undefined, { signal: wake.signal, ref: false })
        .catch(() => undefined)
        .then(run),
    };
    this.background.add(entry);
    void entry.done.finally(() => this.background.delete(entry));
    if (this.closing) entry.runNow();
  }

  /**
   * Holds an upload request until its answer is sent or its connection closes: shutdown waits for it within
   * the deadline, then destroys its socket (a stalled client otherwise keeps the server from closing).
   */
  holdRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.requests.has(req)) return;
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    this.requests.set(req, closed);
    void closed.then(() => this.requests.delete(req));
  }

  /** Number of uploads in flight. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Number of background checks not yet done. */
  get pendingChecks(): number {
    return this.background.size;
  }

  /** True once {@link shutdown} began. */
  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Aborts every upload in flight, runs every pending background check now, and waits for them and for the
   * held requests' answers, at most `timeoutMs`; then destroys the sockets of held requests still open.
   * Returns false when the deadline passed with work still pending.
   */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.closing = true;
    const pending = [...this.inFlight];
    for (const [controller] of pending) controller.abort(new Error(SHUTTING_DOWN));
    for (const entry of this.background) entry.runNow();
    const all = Promise.allSettled([
      ...pending.map(([, p]) => p),
      ...[...this.background].map((b) => b.done),
      ...this.requests.values(),
    ]);
    const deadline = new AbortController();
    const finished = await Promise.race([
      all.then(() => true),
      sleep(timeoutMs, false, { signal: deadline.signal }).catch(() => false),
    ]);
    deadline.abort();
    for (const req of this.requests.keys()) req.socket?.destroy();
    return finished;
  }
}

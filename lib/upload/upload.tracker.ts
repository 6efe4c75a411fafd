import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CiAbortError } from '../core/errors';

/** Why shutdown aborts work: the reason every aborted upload carries. */
const SHUTTING_DOWN = 'application is shutting down';

interface Background {
  /** Runs the job at `at` (ms since epoch) if that is sooner than its own time. */
  runBy(at: number): void;
  done: Promise<void>;
}

/** Part of the shutdown deadline kept for the deferred checks' own requests (deletes), at most. */
const CHECK_MARGIN_MS = 1_000;

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
  /** Once shutdown began: when deferred checks must run at the latest. */
  private runChecksBy = Infinity;

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
   * Runs `job` after `delayMs` in the background, keeps it until it settles, and never lets it throw. Used to
   * re-check what an operation with an unknown outcome may have created. Shutdown brings it forward only as far as
   * its deadline needs (see {@link shutdown}): run earlier, it could miss what CI commits late.
   */
  defer(delayMs: number, job: () => Promise<void>): void {
    let timer: NodeJS.Timeout | undefined;
    let started = false;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const run = () => {
      if (started) return;
      started = true;
      job()
        .catch(() => undefined)
        .then(finish);
    };
    const schedule = (at: number) => {
      clearTimeout(timer);
      timer = setTimeout(run, Math.max(0, at - Date.now()));
      timer.unref();
    };
    const due = Date.now() + delayMs;
    const entry: Background = {
      runBy: (at) => {
        if (at < due && !started) schedule(at);
      },
      done,
    };
    schedule(due);
    this.background.add(entry);
    void entry.done.finally(() => this.background.delete(entry));
    if (this.closing) entry.runBy(this.runChecksBy);
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
   * Aborts every upload in flight, brings the pending background checks forward so they run within the deadline
   * (at their own time when it falls before `timeoutMs` minus a margin for their requests, else at that point), and
   * waits for them and for the held requests' answers, at most `timeoutMs`; then destroys the sockets of held
   * requests still open. Returns false when the deadline passed with work still pending.
   */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.closing = true;
    this.runChecksBy = Date.now() + Math.max(0, timeoutMs - Math.min(CHECK_MARGIN_MS, timeoutMs / 4));
    const pending = [...this.inFlight];
    for (const [controller] of pending) controller.abort(new Error(SHUTTING_DOWN));
    for (const entry of this.background) entry.runBy(this.runChecksBy);
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

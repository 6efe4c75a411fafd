import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root (bench/support/..). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** A message a bench child sends over IPC: `ready` once, then one `reply` per command. */
export type ChildMessage =
  | { type: 'ready'; [key: string]: unknown }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

/** A command the parent sends to a bench child. */
export interface ChildCommand {
  id: number;
  cmd: string;
  [key: string]: unknown;
}

const live = new Set<ChildProcess>();

/** A TypeScript child process run through `bench/run-ts.js`, driven over IPC. */
export class BenchChild<Ready extends Record<string, unknown> = Record<string, unknown>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited?: string;
  /** What the child said in its `ready` message. */
  ready!: Ready;

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    process.on('message', (message: ChildMessage) => {
      if (message.type !== 'reply') return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    process.once('exit', (code, signal) => {
      live.delete(process);
      this.exited = `exited (code ${code}, signal ${signal})`;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} ${this.exited}`));
      this.pending.clear();
    });
  }

  /** The child's pid. */
  get pid(): number {
    return this.process.pid!;
  }

  /**
   * Starts `node [nodeArgs] bench/run-ts.js <script> [args]` with an IPC channel and waits (at most
   * `timeoutMs`) for its `ready` message.
   */
  static async start<R extends Record<string, unknown>>(
    name: string,
    script: string,
    options: { args?: string[]; nodeArgs?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
  ): Promise<BenchChild<R>> {
    const child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        resolve(REPO_ROOT, 'bench', 'run-ts.js'),
        script,
        ...(options.args ?? []),
      ],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, ...options.env },
      },
    );
    live.add(child);
    const bench = new BenchChild<R>(name, child);
    const timeoutMs = options.timeoutMs ?? 30_000;
    try {
      bench.ready = await new Promise<R>((resolveReady, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name} not ready after ${timeoutMs} ms`)),
          timeoutMs,
        );
        const onMessage = (message: ChildMessage) => {
          if (message.type !== 'ready') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolveReady(message as unknown as R);
        };
        const onExit = (code: number | null, signal: string | null) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited before ready (code ${code}, signal ${signal})`));
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
      });
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return bench;
  }

  /** Sends a command and waits (at most `timeoutMs`) for its reply. */
  call<T>(cmd: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} ${this.exited}`));
    const id = this.nextId++;
    return new Promise<T>((resolveCall, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: "${cmd}" got no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolveCall(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      const command: ChildCommand = { ...params, id, cmd };
      this.process.send(command);
    });
  }

  /** Asks the child to exit (so `--cpu-prof` writes its profile), then kills it if it has not after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.process.once('exit', () => r()));
    try {
      if (this.process.connected) this.process.send({ id: 0, cmd: 'exit' } satisfies ChildCommand);
    } catch {
      /* the channel closed meanwhile: the kill below settles it */
    }
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

/** Kills every bench child still running (on the way out, even after an error). */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/**
 * The child side: sends `ready` with `info`, then serves commands with `handlers` one reply each. `exit` and a
 * lost parent (IPC disconnect) end the process after `onExit`.
 */
export function serveParent(
  info: Record<string, unknown>,
  handlers: Record<string, (command: ChildCommand) => Promise<unknown> | unknown>,
  onExit: () => Promise<void> | void = () => undefined,
): void {
  if (!process.send) throw new Error('run this script from the bench (it needs an IPC channel)');
  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    const force = setTimeout(() => process.exit(0), 3_000);
    force.unref();
    try {
      await onExit();
    } finally {
      process.exit(0);
    }
  };
  process.on('disconnect', () => void exit());
  process.on('message', (command: ChildCommand) => {
    if (command.cmd === 'exit') return void exit();
    const handler = handlers[command.cmd];
    const reply = (message: ChildMessage) => {
      if (process.connected) process.send!(message);
    };
    if (!handler)
      return reply({ type: 'reply', id: command.id, ok: false, error: `unknown command ${command.cmd}` });
    Promise.resolve()
      .then(() => handler(command))
      .then(
        (value) => reply({ type: 'reply', id: command.id, ok: true, value }),
        (error: unknown) =>
          reply({
            type: 'reply',
            id: command.id,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  process.send({ type: 'ready', ...info } satisfies ChildMessage);
}

import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

type Callback = (error?: Error | null) => void;

/** One call the handler made on the response: a body chunk, and whether it was `end()`. */
interface ResponseCall {
  chunk?: Buffer;
  end: boolean;
  callback?: Callback;
}

/** Wait after the headers and half a chunk went out before the reset, so the client reads them first. */
const RESET_GRACE_MS = 30;
/** Most body bytes a malformed answer keeps to cut from. */
const MALFORMED_SOURCE_LIMIT = 64 * 1024;

function toBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (chunk === undefined || chunk === null) return undefined;
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk));
}

/** Reads `write(chunk, encoding?, cb?)` / `end(chunk?, encoding?, cb?)` / `end(cb)` arguments. */
function readCall(args: unknown[], end: boolean): ResponseCall {
  let [chunk, encoding, callback] = args;
  if (typeof chunk === 'function') {
    callback = chunk;
    chunk = undefined;
  } else if (typeof encoding === 'function') {
    callback = encoding;
    encoding = undefined;
  }
  return {
    chunk: toBuffer(chunk, encoding),
    end,
    callback: typeof callback === 'function' ? (callback as Callback) : undefined,
  };
}

/**
 * Takes over `write` and `end` of a response so that a fault decides when (and whether) each call goes out. The
 * handlers and streams writing the answer are left unchanged: they see `write()` return false and wait for
 * `drain`, which is emitted once their chunks were dealt with. The methods are replaced on the instance only
 * (own properties shadowing `ServerResponse.prototype`), and {@link restore} gives the originals back.
 */
class ResponseTakeover {
  private readonly calls: ResponseCall[] = [];
  private wake?: () => void;
  private drainOwed = false;
  private readonly closed = new AbortController();
  private readonly realWrite: (chunk: Buffer, callback?: Callback) => boolean;
  private readonly realEnd: (chunk?: Buffer, callback?: () => void) => void;

  constructor(private readonly res: ServerResponse) {
    const write = res.write as (chunk: Buffer, callback?: Callback) => boolean;
    const end = res.end as (chunk?: Buffer, callback?: () => void) => ServerResponse;
    this.realWrite = (chunk, callback) => write.call(res, chunk, callback);
    this.realEnd = (chunk, callback) => void end.call(res, chunk, callback);
    Object.assign(res, {
      write: (...args: unknown[]) => {
        this.push(readCall(args, false));
        this.drainOwed = true;
        return false;
      },
      end: (...args: unknown[]) => {
        this.push(readCall(args, true));
        return res;
      },
    });
    res.once('close', () => {
      this.closed.abort();
      this.wake?.();
    });
  }

  /** Aborted when the response is closed (finished, or the connection is gone). */
  get signal(): AbortSignal {
    return this.closed.signal;
  }

  /** The next call the handler made, waiting for it; `undefined` once the response is closed. */
  async next(): Promise<ResponseCall | undefined> {
    while (this.calls.length === 0) {
      if (this.signal.aborted) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    return this.calls.shift();
  }

  /** Waits `ms` unless the response closes first; false when it closed. */
  async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.signal });
      return true;
    } catch {
      return false;
    }
  }

  write(chunk: Buffer, callback?: Callback): boolean {
    return this.realWrite(chunk, callback);
  }

  end(chunk?: Buffer, callback?: () => void): void {
    this.realEnd(chunk, callback);
  }

  /** Lets a writer waiting for `drain` go on once every queued call was dealt with. */
  settle(): void {
    if (this.calls.length === 0 && this.drainOwed) {
      this.drainOwed = false;
      this.res.emit('drain');
    }
  }

  /** Gives the response its own `write`/`end` back and replays what is still queued through them, in order. */
  restore(first?: ResponseCall): void {
    Reflect.deleteProperty(this.res, 'write');
    Reflect.deleteProperty(this.res, 'end');
    for (const call of [...(first ? [first] : []), ...this.calls.splice(0)]) {
      if (call.end) this.realEnd(call.chunk, call.callback);
      else this.realWrite(call.chunk ?? Buffer.alloc(0), call.callback);
    }
    this.settle();
  }

  private push(call: ResponseCall): void {
    this.calls.push(call);
    this.wake?.();
  }
}

/**
 * Holds the whole answer (status line included) `ms` milliseconds from the moment the handler starts writing
 * it, then lets it out unchanged.
 */
export function delayAnswer(res: ServerResponse, ms: number): void {
  const takeover = new ResponseTakeover(res);
  void (async () => {
    const first = await takeover.next();
    if (!first || !(await takeover.pause(ms))) return;
    takeover.restore(first);
  })();
}

/** Sends the status line and headers at once, then the body in pieces of `chunkBytes`, each after `ms`. */
export function paceBody(res: ServerResponse, ms: number, chunkBytes: number): void {
  const takeover = new ResponseTakeover(res);
  void (async () => {
    let headersSent = false;
    for (;;) {
      const call = await takeover.next();
      if (!call) return;
      if (!headersSent) {
        headersSent = true;
        res.flushHeaders();
      }
      const chunk = call.chunk ?? Buffer.alloc(0);
      for (let at = 0; at < chunk.length; at += chunkBytes) {
        if (!(await takeover.pause(ms))) return;
        takeover.write(chunk.subarray(at, at + chunkBytes));
      }
      if (call.end) {
        takeover.end(undefined, call.callback);
        return;
      }
      call.callback?.();
      takeover.settle();
    }
  })();
}

/**
 * Lets the status line, the headers and the first half of the first body chunk out, then resets the connection
 * (TCP RST): the client has a response whose body breaks off.
 */
export function resetAfterHeaders(res: ServerResponse): void {
  const takeover = new ResponseTakeover(res);
  void (async () => {
    const call = await takeover.next();
    if (!call) return;
    const reset = () => setTimeout(() => res.socket?.resetAndDestroy(), RESET_GRACE_MS);
    const half = call.chunk?.subarray(0, Math.ceil(call.chunk.length / 2));
    if (half && half.length > 0) {
      takeover.write(half, () => reset());
    } else {
      res.flushHeaders();
      reset();
    }
  })();
}

/** A document that is not well-formed XML: the first half of `text` (or of an XML prologue) and a broken tag. */
export function brokenXml(text: string): Buffer {
  const source = text.trimStart().startsWith('<')
    ? text
    : '<?xml version="1.0" encoding="UTF-8"?>\n<Result><Message>no body</Message></Result>';
  return Buffer.from(`${source.slice(0, Math.max(1, Math.floor(source.length / 2)))}<</Broken`, 'utf8');
}

/**
 * Lets the handler answer as it would, then replaces the answer with 200 and a broken XML document (the first
 * half of what it answered, cut mid-element), keeping its other headers.
 */
export function malformAnswer(res: ServerResponse): void {
  const realWriteHead = res.writeHead.bind(res) as (status: number, headers: OutgoingHttpHeaders) => void;
  let headers: OutgoingHttpHeaders = {};
  Object.assign(res, {
    writeHead: (_status: number, ...rest: unknown[]) => {
      const given = rest.find((r) => typeof r === 'object' && r !== null && !Array.isArray(r));
      headers = { ...(given as OutgoingHttpHeaders | undefined) };
      return res;
    },
  });
  const takeover = new ResponseTakeover(res);
  void (async () => {
    const chunks: Buffer[] = [];
    let kept = 0;
    for (;;) {
      const call = await takeover.next();
      if (!call) return;
      if (call.chunk && kept < MALFORMED_SOURCE_LIMIT) {
        chunks.push(call.chunk);
        kept += call.chunk.length;
      }
      if (!call.end) {
        call.callback?.();
        takeover.settle();
        continue;
      }
      const body = brokenXml(Buffer.concat(chunks).toString('utf8'));
      for (const name of Object.keys(headers)) {
        if (/^(content-length|content-type|content-range)$/i.test(name)) delete headers[name];
      }
      Reflect.deleteProperty(res, 'writeHead');
      realWriteHead(200, { ...headers, 'Content-Type': 'application/xml', 'Content-Length': body.length });
      takeover.end(body, call.callback);
      return;
    }
  })();
}

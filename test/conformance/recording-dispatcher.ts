import { Pool, type Dispatcher } from 'undici';

/** One exchange as the client saw it. */
export interface RecordedExchange {
  method: string;
  path: string;
  status: number;
  body: string;
}

/**
 * An undici Pool on one origin that records every answer's status and body as the client received it (the target
 * may be the emulator or a real bucket: nothing is re-sent). Give `dispatcher` to the clients of that origin.
 */
export class RecordingDispatcher {
  readonly exchanges: RecordedExchange[] = [];
  readonly dispatcher: Dispatcher;
  private readonly pool: Pool;

  constructor(origin: string) {
    const exchanges = this.exchanges;
    this.pool = new Pool(origin);
    this.dispatcher = this.pool.compose((dispatch) => (opts, handler) => {
      const chunks: Buffer[] = [];
      let status = 0;
      const done = () =>
        exchanges.push({
          method: opts.method,
          path: opts.path,
          status,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      const wrapped = new Proxy(handler, {
        get(target, prop) {
          const value = Reflect.get(target, prop) as unknown;
          if (typeof value !== 'function') return value;
          const fn = value as (...args: unknown[]) => unknown;
          switch (prop) {
            case 'onResponseStart':
              return (controller: unknown, statusCode: number, ...rest: unknown[]) => {
                status = statusCode;
                return fn.call(target, controller, statusCode, ...rest);
              };
            case 'onHeaders':
              return (statusCode: number, ...rest: unknown[]) => {
                status = statusCode;
                return fn.call(target, statusCode, ...rest);
              };
            case 'onResponseData':
              return (controller: unknown, chunk: Buffer) => {
                chunks.push(Buffer.from(chunk));
                return fn.call(target, controller, chunk);
              };
            case 'onData':
              return (chunk: Buffer) => {
                chunks.push(Buffer.from(chunk));
                return fn.call(target, chunk);
              };
            case 'onResponseEnd':
            case 'onComplete':
              return (...args: unknown[]) => {
                done();
                return fn.apply(target, args);
              };
            default:
              return fn.bind(target);
          }
        },
      });
      return dispatch(opts, wrapped);
    });
  }

  /** The last answer received. */
  last(): RecordedExchange | undefined {
    return this.exchanges[this.exchanges.length - 1];
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

import { CiError } from './ci.error';

/** Where a request was going when it failed, for messages (never the query string). */
export interface CiRequestTarget {
  method: string;
  path: string;
}

function describe(target: CiRequestTarget): string {
  return `${target.method} ${target.path}`;
}

/** A connect, headers or body timeout elapsed. `cause` is the undici error. */
export class CiTimeoutError extends CiError {
  override readonly name = 'CiTimeoutError';
  /** Which phase timed out, from undici's error code. */
  readonly phase: 'connect' | 'headers' | 'body' | 'request';

  constructor(target: CiRequestTarget, phase: CiTimeoutError['phase'], options?: { cause?: unknown }) {
    super(`CI request timed out (${phase}): ${describe(target)}`, 'CI_TIMEOUT', options);
    this.phase = phase;
  }
}

/** The connection failed or was reset. `cause` is the underlying error; `syscallCode` its `code`. */
export class CiNetworkError extends CiError {
  override readonly name = 'CiNetworkError';
  /** The underlying error's code (`ECONNRESET`, `UND_ERR_SOCKET`, ...), when it had one. */
  readonly syscallCode?: string;

  constructor(target: CiRequestTarget, options?: { cause?: unknown }) {
    const causeCode = (options?.cause as { code?: unknown } | undefined)?.code;
    super(
      `CI request failed on the network${typeof causeCode === 'string' ? ` (${causeCode})` : ''}: ${describe(target)}`,
      'CI_NETWORK',
      options,
    );
    this.syscallCode = typeof causeCode === 'string' ? causeCode : undefined;
  }
}

/** The caller aborted the request through its `AbortSignal`. */
export class CiAbortError extends CiError {
  override readonly name = 'CiAbortError';

  constructor(target: CiRequestTarget, options?: { cause?: unknown }) {
    super(`CI request aborted: ${describe(target)}`, 'CI_ABORTED', options);
  }
}

/**
 * The upload's source (the client's request body) sent slower than `upload.minSourceBytesPerSecond`, or stopped:
 * it was cut, what it held released, nothing stored. Answered 408.
 */
export class CiSlowSourceError extends CiError {
  override readonly name = 'CiSlowSourceError';
  /** Bytes per second the source sent over the last window, while the upload waited for it. */
  readonly bytesPerSecond: number;

  constructor(target: CiRequestTarget, bytesPerSecond: number, minimum: number) {
    super(
      `The upload's source sent ${Math.floor(bytesPerSecond)} bytes/s, below the minimum ${minimum} ` +
        `(upload.minSourceBytesPerSecond): ${describe(target)}`,
      'CI_SLOW_SOURCE',
    );
    this.bytesPerSecond = bytesPerSecond;
  }
}

/** The server answered with something this client cannot read (malformed XML or JSON, a missing field). */
export class CiProtocolError extends CiError {
  override readonly name = 'CiProtocolError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'CI_PROTOCOL', options);
  }
}

/** True when `value` is a {@link CiTimeoutError}. */
export function isCiTimeoutError(value: unknown): value is CiTimeoutError {
  return value instanceof Error && value.name === 'CiTimeoutError';
}

/** True when `value` is a {@link CiNetworkError}. */
export function isCiNetworkError(value: unknown): value is CiNetworkError {
  return value instanceof Error && value.name === 'CiNetworkError';
}

/** True when `value` is a {@link CiAbortError}. */
export function isCiAbortError(value: unknown): value is CiAbortError {
  return value instanceof Error && value.name === 'CiAbortError';
}

/** True when `value` is a {@link CiProtocolError}. */
export function isCiProtocolError(value: unknown): value is CiProtocolError {
  return value instanceof Error && value.name === 'CiProtocolError';
}

/**
 * True when `err` leaves the outcome of a request that creates something unknown (it may have happened): a timeout,
 * a reset, an unreadable answer, or an abort (shutdown, the client gone) that may have cut a request being served.
 */
export function isUnknownOutcome(err: unknown): boolean {
  return isCiTimeoutError(err) || isCiNetworkError(err) || isCiProtocolError(err) || isCiAbortError(err);
}

/** True when `value` is a {@link CiSlowSourceError}. */
export function isCiSlowSourceError(value: unknown): value is CiSlowSourceError {
  return value instanceof Error && value.name === 'CiSlowSourceError';
}

import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { CiError } from '../core/errors';

// Process-wide, and keyed in the global registry so that two copies of the package (dist and sources, a
// bundled copy) share one switch: the testing module turns it on, every client honours it.
const GUARD = Symbol.for('nestjs-tencent-ci.loopback-guard');
type GuardState = { holders: Set<string> };
const state = (): GuardState =>
  ((globalThis as { [GUARD]?: GuardState })[GUARD] ??= { holders: new Set<string>() });

/** A request refused because the loopback guard is on and its host is not loopback. Never retried. */
export class CiNetworkBlockedError extends CiError {
  override readonly name = 'CiNetworkBlockedError';
  /** The origin that was refused (`https://host:port`). */
  readonly origin: string;

  constructor(origin: string, holders: readonly string[]) {
    super(
      `Refused to reach ${origin}: only loopback hosts are reachable while ${holders.join(', ')} is active ` +
        '(point the endpoint at the emulator)',
      'CI_NETWORK_BLOCKED',
    );
    this.origin = origin;
  }
}

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and ::1 (bracketed or not). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host);
  return false;
}

/**
 * Turns the loopback guard on for `holder` (a name shown in the error) until the returned function is called:
 * meanwhile every `CiClient` request to a non-loopback host fails with {@link CiNetworkBlockedError} before a
 * connection is opened. `nestjs-tencent-ci/testing` holds it while a testing module lives.
 *
 * @example
 * const release = restrictCiNetworkToLoopback('my test');
 * try { await runTest(); } finally { release(); }
 */
export function restrictCiNetworkToLoopback(holder: string): () => void {
  const id = `${holder}#${Math.random().toString(36).slice(2)}`;
  state().holders.add(id);
  return () => void state().holders.delete(id);
}

/** Throws {@link CiNetworkBlockedError} when the guard is on and `origin` is not a loopback host. */
export function assertCiNetworkAllowed(origin: string): void {
  const holders = state().holders;
  if (holders.size === 0 || isLoopbackHost(new URL(origin).hostname)) return;
  throw new CiNetworkBlockedError(origin, [...new Set([...holders].map((h) => h.replace(/#[^#]*$/, '')))]);
}

/** `dispatcher`, checked against the loopback guard on every request to `origin`. */
export function guardedDispatcher(dispatcher: Dispatcher, origin: string): Dispatcher {
  return dispatcher.compose((dispatch) => (opts, handler) => {
    assertCiNetworkAllowed(origin);
    return dispatch(opts, handler);
  });
}

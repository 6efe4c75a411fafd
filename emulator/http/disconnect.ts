/** Error codes of a client that left mid-exchange (not a server fault). */
export const DISCONNECT_CODES: ReadonlySet<string> = new Set([
  'ERR_STREAM_PREMATURE_CLOSE',
  'ECONNRESET',
  'EPIPE',
  'ERR_STREAM_DESTROYED',
]);

/** True when `error` says the client went away. */
export function isDisconnect(error: unknown): boolean {
  return DISCONNECT_CODES.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

import { availableParallelism } from 'node:os';
import sharp from 'sharp';

let configured = false;

/**
 * Sets libvips' thread count once, on first use: sharp drops it to 1 on glibc Linux (to limit memory
 * fragmentation), which makes one large image noticeably slower. Default: the machine's cores, at most 4.
 * Call it yourself before any processing to choose another value.
 * @example configureSharpConcurrency(2)
 */
export function configureSharpConcurrency(threads = Math.min(4, availableParallelism())): void {
  configured = true;
  sharp.concurrency(threads);
}

/** Applies {@link configureSharpConcurrency}'s default unless it was already called. */
export function ensureSharpConfigured(): void {
  if (!configured) configureSharpConcurrency();
}

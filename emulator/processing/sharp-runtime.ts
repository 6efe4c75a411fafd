import { availableParallelism } from 'node:os';
import type sharpModule from 'sharp';

let loaded: typeof sharpModule | undefined;
let threads: number | undefined;

/**
 * sharp, loaded on first use: the emulator serves storage, signatures and faults without it, and needs it only
 * when pixels are decoded. Throws one line naming the package when it is not installed.
 */
export function loadSharp(): typeof sharpModule {
  if (loaded) return loaded;
  try {
    // A runtime require, not an import: sharp is an optional peer, loaded only when an image is processed.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('sharp') as typeof sharpModule;
  } catch (cause) {
    const error = new Error(
      "The emulator's image processing needs the 'sharp' package, which is not installed: npm i -D sharp",
      { cause },
    );
    // Keep the loader's code (MODULE_NOT_FOUND) so callers can tell a missing sharp from other failures.
    throw Object.assign(error, { code: (cause as NodeJS.ErrnoException | undefined)?.code });
  }
  loaded.concurrency(threads ?? Math.min(4, availableParallelism()));
  return loaded;
}

/**
 * Sets libvips' thread count (applied now if sharp is loaded, else when it loads): sharp drops it to 1 on glibc
 * Linux (to limit memory fragmentation), which makes one large image noticeably slower. Default: the machine's
 * cores, at most 4.
 * @example configureSharpConcurrency(2)
 */
export function configureSharpConcurrency(count = Math.min(4, availableParallelism())): void {
  threads = count;
  loaded?.concurrency(count);
}

/** Loads sharp (and applies {@link configureSharpConcurrency}'s setting); kept for callers that only need the setup. */
export function ensureSharpConfigured(): void {
  loadSharp();
}

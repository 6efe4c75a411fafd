/** The one line `ci-emulator` prints when sharp (its image library, an optional peer) cannot be loaded. */
export const MISSING_SHARP_MESSAGE =
  'ci-emulator: the emulator processes images with "sharp", which is not installed: run `npm i -D sharp`';

/**
 * True when `error` says that sharp is missing or its native part cannot load (wrong platform, broken
 * install), as opposed to any other start-up failure.
 */
export function isSharpLoadError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return /['"]sharp['"]|[/\\]sharp[/\\]/.test(error.message);
  }
  // sharp's own loader error when its prebuilt libvips binary does not load.
  return /Could not load the "sharp" module/.test(error.message);
}

import { cosErrors } from './cos-errors';
import type { CosHttpError } from './cos-http.error';

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

/**
 * A request that needs pixels while sharp (an optional peer) cannot be loaded: 501 `NotImplemented` with the one
 * line naming the package, instead of an anonymous 500. `undefined` for any other error.
 */
export function missingSharpError(error: unknown): CosHttpError | undefined {
  if (!isSharpLoadError(error)) return undefined;
  return cosErrors.notImplemented((error as Error).message.split('\n')[0]);
}

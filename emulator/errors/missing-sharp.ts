import { isSharpLoadError } from '../cli/missing-sharp';
import { cosErrors } from './cos-errors';
import type { CosHttpError } from './cos-http.error';

/**
 * A request that needs pixels while sharp (an optional peer) cannot be loaded: 501 `NotImplemented` with the one
 * line naming the package, instead of an anonymous 500. `undefined` for any other error.
 */
export function missingSharpError(error: unknown): CosHttpError | undefined {
  if (!isSharpLoadError(error)) return undefined;
  return cosErrors.notImplemented((error as Error).message.split('\n')[0]);
}

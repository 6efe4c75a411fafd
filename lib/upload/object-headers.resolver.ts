import { CiValidationError } from '../core/errors';
import { mergeObjectHeaders, objectHeadersToWire, type CiObjectHeaders } from '../core/object';
import type { CiUploaderOptions } from './upload.options';

/**
 * The wire headers an upload stores with its original: the module's `object` refined by the route's or call's,
 * validated. The files-v2 API stores no object headers, so asking for them there is refused rather than dropped.
 */
export function resolveObjectHeaders(
  module: Pick<CiUploaderOptions, 'object' | 'protocol'>,
  over: CiObjectHeaders | undefined,
  where: string,
): Record<string, string> {
  const wire = objectHeadersToWire(mergeObjectHeaders(module.object, over), where);
  if (Object.keys(wire).length && module.protocol === 'files-v2') {
    throw new CiValidationError(
      'OPTIONS_INVALID',
      `${where}: object headers (cacheControl, metadata, acl, ...) need protocol 'cos-v5'; the files-v2 API does not store them`,
      { field: where },
    );
  }
  return wire;
}

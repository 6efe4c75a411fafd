import type { CiClient } from '../client';
import type {
  CiUploaderOptions,
  CiUploadField,
  CiUploadFieldsOptions,
  CiUploadOptions,
  CiRouteProcessing,
  CiUploadRouteOptions,
} from '../upload';

/**
 * What plain Express adds to the shared options: an existing client, and who answers errors. `object` and
 * `insertOnly` are the route's (they may be functions of the request).
 */
export interface CiExpressOptions extends Omit<CiUploaderOptions, 'object' | 'insertOnly'> {
  /** Use this client (and keep it open on `close()`) instead of creating one from the options. */
  client?: CiClient;
  /**
   * `false` (default): answer errors with the same JSON and statuses as the Nest routes. `true`: pass them to
   * `next(err)` (map them with `ciErrorResponse(err)` in your error handler).
   */
  passErrors?: boolean;
}

/** Options of `ciUpload()`: one field (`field`, optionally `maxCount`) or many (`fields`), plus the module options. */
export type CiUploadMiddlewareOptions = CiExpressOptions &
  (({ field: string } & CiUploadOptions) | CiUploadFieldsOptions);

/** Options of `createCiStorage()`: processing for every field, or per field, plus the module options. */
export interface CiStorageOptions
  extends CiExpressOptions, CiRouteProcessing, Omit<CiUploadRouteOptions, 'keepOnError'> {
  /** Processing per field (a field not listed gets the top-level `rules`). */
  fields?: CiUploadField[];
}

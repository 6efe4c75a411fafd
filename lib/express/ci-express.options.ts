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
 * What one bucket or account needs on plain Express: the shared options, or an existing client. `object` and
 * `insertOnly` are the route's (they may be functions of the request).
 */
export interface CiExpressOptions extends Omit<CiUploaderOptions, 'object' | 'insertOnly'> {
  /** Use this client (and keep it open on `close()`) instead of creating one from the options. */
  client?: CiClient;
}

/** One `ciUpload` route: one field (`field`, optionally `maxCount`) or many (`fields`), and who answers errors. */
export type CiUploadRouteMiddlewareOptions = (
  ({ field: string } & CiUploadOptions) | CiUploadFieldsOptions
) & {
  /**
   * `false` (default): answer errors with the same JSON and statuses as the Nest routes. `true`: pass them to
   * `next(err)` (`ciErrorHandler()` answers them the same way; `ciErrorResponse(err)` maps them in your own).
   */
  passErrors?: boolean;
};

/** Options of `ciUpload()`: the route's, plus the module options. */
export type CiUploadMiddlewareOptions = CiExpressOptions & CiUploadRouteMiddlewareOptions;

/** One `createCiStorage` engine: processing for every field, or per field. */
export interface CiStorageRouteOptions extends CiRouteProcessing, Omit<CiUploadRouteOptions, 'keepOnError'> {
  /** Processing per field (a field not listed gets the top-level `rules`). */
  fields?: CiUploadField[];
}

/** Options of `createCiStorage()`: the engine's, plus the module options. */
export interface CiStorageOptions extends CiExpressOptions, CiStorageRouteOptions {}

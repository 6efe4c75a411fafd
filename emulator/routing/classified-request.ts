import type { CosRoute } from './cos-router';
import type { FilesV2Address } from './files-v2-address';
import type { EmulatorApi } from './operations';
import type { CosTarget } from './resolve-target';

/**
 * A request as the front door classified it, once, before anything is read or answered: what the pipeline's
 * stages, faults, the request log, CORS and the dispatchers read. Nothing downstream parses the path again.
 */
export interface ClassifiedRequest<H = unknown> {
  api: EmulatorApi;
  /** Upper case. */
  method: string;
  /** Operation name (`PutObject`, `OptionsObject`, `FilesV2`, ... or `Unknown` when nothing routes it). */
  operation: string;
  /** `name-appid`; absent for a service request or an unreadable path. */
  bucket?: string;
  /** True when `bucket` existed as the request arrived (the one existence check of a request). */
  bucketExists?: boolean;
  /**
   * Decoded, normalized key without a leading `/`; `''` for a bucket or service request. For a style URL
   * (`a.jpg!thumb`), the key of the object behind it (`a.jpg`).
   */
  key: string;
  /** A style-separator URL (`a.jpg!thumb`): the style's name (`thumb`); the operation is `GetObjectProcessed`. */
  style?: string;
  /** Sub-resource parameters present (`['partNumber', 'uploadId']`). */
  subresources: readonly string[];
  /** The `Resource` an error envelope names (the object's or the bucket's, else the request path). */
  resource: string;
  /** COS API: bucket, key, query and the pathnames a signature may cover. */
  target?: CosTarget;
  /** COS API: the route that serves it. */
  route?: CosRoute<H>;
  /** files-v2 API: the address its path names. */
  filesV2?: FilesV2Address;
  /**
   * Why it cannot be served as addressed (COS: 400 `InvalidURI`, 405, 501, answered after the bucket check;
   * files-v2: -4001 for an unreadable path), in the API's own error type.
   */
  error?: Error;
}

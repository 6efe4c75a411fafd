import type { CosHttpError } from '../errors/cos-http.error';
import type { CosRoute } from './cos-router';
import type { EmulatorApi } from './operations';
import type { CosTarget } from './resolve-target';

/** A request as the front door classified it, once: what faults, the request log, CORS and dispatchers read. */
export interface ClassifiedRequest<H = unknown> {
  api: EmulatorApi;
  /** Upper case. */
  method: string;
  /** Operation name (`PutObject`, `OptionsObject`, `FilesV2`, ... or `Unknown` when nothing routes it). */
  operation: string;
  /** `name-appid`; absent for a service request or an unreadable path. */
  bucket?: string;
  /** Decoded, normalized key without a leading `/`; `''` for a bucket or service request. */
  key: string;
  /** Sub-resource parameters present (`['partNumber', 'uploadId']`). */
  subresources: readonly string[];
  /** COS API: bucket, key, query and the pathnames a signature may cover. */
  target?: CosTarget;
  /** COS API: the route that serves it. */
  route?: CosRoute<H>;
  /** Why it cannot be served as addressed (400 `InvalidURI`, 405, 501), answered after the bucket check. */
  error?: CosHttpError;
}

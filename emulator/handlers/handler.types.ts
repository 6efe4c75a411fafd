import type { CosCredential } from '../auth/verify-cos-signature';
import type { Exchange } from '../http/exchange';
import type { PicProcessor } from '../processing/pic-processor';
import type { CosRoute } from '../routing/cos-router';
import type { CosTarget } from '../routing/resolve-target';
import type { ObjectStore } from '../storage/object-store';

/** What every handler may use: settings, the store, the Pic-Operations hook. */
export interface EmulatorEnvironment {
  readonly region: string;
  readonly appId: string;
  /** Largest object or part body accepted, and largest completed multipart object, in bytes. */
  readonly maxObjectSize: number;
  /** Smallest size of every part but the last at CompleteMultipartUpload, in bytes. */
  readonly minPartSize: number;
  readonly store: ObjectStore;
  readonly picProcessor: PicProcessor;
  readonly credentials: ReadonlyMap<string, CosCredential>;
}

/** One routed, authenticated request. */
export interface HandlerContext {
  exchange: Exchange;
  target: CosTarget;
  /** The bucket (it exists); `''` for a service request. */
  bucket: string;
  /** The decoded object key; `''` for a bucket or service request; of the object behind a style URL. */
  key: string;
  /** A style URL (`a.jpg!thumb`): the style's name (`thumb`), as the front door classified it. */
  style?: string;
  env: EmulatorEnvironment;
}

/** Handles one COS operation; throws a `CosHttpError` to answer an error envelope. */
export type CosHandler = (context: HandlerContext) => Promise<void>;

/** A COS route served by a {@link CosHandler}. */
export type CosHandlerRoute = CosRoute<CosHandler>;

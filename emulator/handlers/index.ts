import { bucketRoutes } from './bucket.handlers';
import type { CosHandlerRoute } from './handler.types';
import { multipartRoutes } from './multipart.handlers';
import { objectRoutes } from './object.handlers';
import { imageMetadataRoutes } from '../processing/download/download.handler';

export * from './bucket.handlers';
export * from './handler.types';
export * from './multipart.handlers';
export * from './object.handlers';
export * from './pic-operations';

/** Every COS operation the emulator serves. */
export const cosRoutes: readonly CosHandlerRoute[] = [
  ...objectRoutes,
  ...imageMetadataRoutes,
  ...multipartRoutes,
  ...bucketRoutes,
];

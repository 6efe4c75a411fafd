import { bucketRoutes } from './bucket.handlers';
import { copyRoutes } from './copy.handlers';
import { downloadProcessingRoutes } from './download-processing.handlers';
import type { CosHandlerRoute } from './handler.types';
import { multipartRoutes } from './multipart.handlers';
import { objectRoutes } from './object.handlers';

export * from './bucket.handlers';
export * from './copy.handlers';
export * from './handler.types';
export * from './multipart.handlers';
export * from './object.handlers';
export * from './pic-operations';

/** Every COS operation the emulator serves. */
export const cosRoutes: readonly CosHandlerRoute[] = [
  ...objectRoutes,
  ...copyRoutes,
  ...multipartRoutes,
  ...bucketRoutes,
  ...downloadProcessingRoutes,
];

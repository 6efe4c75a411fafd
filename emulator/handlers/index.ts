import { aclRoutes } from './acl.handlers';
import { appendRoutes } from './append.handlers';
import { bucketConfigRoutes } from './bucket-config.handlers';
import { bucketLocationRoutes } from './bucket-location.handlers';
import { bucketRoutes } from './bucket.handlers';
import { copyRoutes } from './copy.handlers';
import { corsRoutes } from './cors.handlers';
import { deleteObjectsRoutes } from './delete-objects.handlers';
import { downloadProcessingRoutes } from './download-processing.handlers';
import type { CosHandlerRoute } from './handler.types';
import { imageInspectRoutes } from './image-inspect.handlers';
import { multipartRoutes } from './multipart.handlers';
import { objectRoutes } from './object.handlers';
import { restoreRoutes } from './restore.handlers';
import { selectRoutes } from './select.handlers';
import { taggingRoutes } from './tagging.handlers';
import { versioningRoutes } from './versioning.handlers';

export * from './bucket.handlers';
export * from './copy.handlers';
export * from './handler.types';
export * from './multipart.handlers';
export * from './object.handlers';

/** Every COS operation the emulator serves. */
export const cosRoutes: readonly CosHandlerRoute[] = [
  ...objectRoutes,
  ...copyRoutes,
  ...appendRoutes,
  ...multipartRoutes,
  ...bucketRoutes,
  ...deleteObjectsRoutes,
  ...aclRoutes,
  ...corsRoutes,
  ...taggingRoutes,
  ...versioningRoutes,
  ...downloadProcessingRoutes,
  ...bucketConfigRoutes,
  ...bucketLocationRoutes,
  ...restoreRoutes,
  ...imageInspectRoutes,
  ...selectRoutes,
];

import { cosErrors } from '../errors/cos-errors';
import { imageMetadataRoutes, serveDownloadProcessing } from './download.handler';
import { PROCESSING_SUBRESOURCE } from '../routing/cos-router';
import type { CosOperation } from '../routing/operations';
import type { CosHandler, CosHandlerRoute, HandlerContext } from './handler.types';

/** `GET /<key>?imageMogr2/...` (`?imageView2/...`, `?watermark/...`, pipes): the processing code answers it. */
async function getObjectProcessed(context: HandlerContext): Promise<void> {
  if (!(await serveDownloadProcessing(context))) {
    throw cosErrors.notImplemented('The emulator does not implement this download-time processing.');
  }
}

/** The processing code's handler of `?<kind>` (`imageInfo`, `imageAve`, `exif`); 501 when it has none. */
function metadataHandler(kind: string): CosHandler {
  const route = imageMetadataRoutes.find((r) => r.subresources.length === 1 && r.subresources[0] === kind);
  return (
    route?.handler ??
    (async () => {
      throw cosErrors.notImplemented(`The emulator does not implement ?${kind}.`);
    })
  );
}

function metadataRoute(operation: CosOperation, kind: string): CosHandlerRoute {
  return { operation, method: 'GET', scope: 'object', subresources: [kind], handler: metadataHandler(kind) };
}

/**
 * Download-time processing, routed under its own operation names (so that it is never served as the untouched
 * original, and faults and the request log name it): GetObjectProcessed, ImageInfo, ImageAve, GetExif, answered by
 * the processing code (`processing/download/`).
 */
export const downloadProcessingRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'GetObjectProcessed',
    method: 'GET',
    scope: 'object',
    subresources: [PROCESSING_SUBRESOURCE],
    handler: getObjectProcessed,
  },
  metadataRoute('ImageInfo', 'imageInfo'),
  metadataRoute('ImageAve', 'imageAve'),
  metadataRoute('GetExif', 'exif'),
];

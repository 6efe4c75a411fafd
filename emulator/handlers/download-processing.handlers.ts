import { cosErrors } from '../errors/cos-errors';
import { PROCESSING_SUBRESOURCE } from '../routing/cos-router';
import type { CosHandlerRoute, HandlerContext } from './handler.types';

/**
 * Download-time processing (`GET /<key>?imageMogr2/...`, `?imageInfo`, `?imageAve`, `?exif`): routed under their
 * own names so that they are never served as the untouched original; 501 `NotImplemented` until the processing
 * code answers them.
 */
async function notYetProcessed(context: HandlerContext): Promise<void> {
  throw cosErrors.notImplemented(
    `The emulator does not implement ${context.exchange.operation} (download-time processing) yet.`,
  );
}

/** Download-time processing routes: GetObjectProcessed, ImageInfo, ImageAve, GetExif. */
export const downloadProcessingRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'GetObjectProcessed',
    method: 'GET',
    scope: 'object',
    subresources: [PROCESSING_SUBRESOURCE],
    handler: notYetProcessed,
  },
  {
    operation: 'ImageInfo',
    method: 'GET',
    scope: 'object',
    subresources: ['imageInfo'],
    handler: notYetProcessed,
  },
  {
    operation: 'ImageAve',
    method: 'GET',
    scope: 'object',
    subresources: ['imageAve'],
    handler: notYetProcessed,
  },
  { operation: 'GetExif', method: 'GET', scope: 'object', subresources: ['exif'], handler: notYetProcessed },
];

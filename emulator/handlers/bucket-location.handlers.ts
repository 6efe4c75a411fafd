import { buildXml } from '../xml/xml';
import type { CosHandlerRoute, HandlerContext } from './handler.types';

/**
 * GET Bucket location (COS's "GET Bucket location" page): `<LocationConstraint>ap-guangzhou</LocationConstraint>`,
 * the bucket's region, which the SDK's getBucketLocation reads as `data.LocationConstraint`.
 */
async function getBucketLocation(context: HandlerContext): Promise<void> {
  context.exchange.sendXml(200, buildXml({ LocationConstraint: context.env.region }));
}

/** The bucket location route: GetBucketLocation. */
export const bucketLocationRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'GetBucketLocation',
    method: 'GET',
    scope: 'bucket',
    subresources: ['location'],
    handler: getBucketLocation,
  },
];

import { checkBucketName } from '../storage/bucket-name';
import { cosErrors } from '../errors/cos-errors';
import { cannedAclOf } from './stored-attributes';
import { compareKeys } from '../storage/key-order';
import { listAllMyBucketsXml, listBucketResultXml } from './bucket.xml';
import { listMultipartUploadsXml } from './multipart.xml';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { header, integerParam } from './handler.utils';
import { pageListing } from './listing';

/** `encoding-type` of a listing: `url` or nothing (400 `InvalidArgument` otherwise). */
export function encodingTypeOf(context: HandlerContext): string | undefined {
  const encodingType = context.target.query.get('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url') {
    throw cosErrors.invalidArgument('encoding-type must be "url".');
  }
  return encodingType;
}

/** GET Bucket (List Objects): `prefix`, `delimiter` (CommonPrefixes), `marker`, `max-keys`, `encoding-type`. */
async function getBucket(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, target } = context;
  const prefix = target.query.get('prefix') ?? '';
  const delimiter = target.query.get('delimiter') || undefined;
  const marker = target.query.get('marker') ?? '';
  const maxKeys = integerParam(target.query, 'max-keys', { min: 0, max: 1000, fallback: 1000, clamp: true });
  const encodingType = encodingTypeOf(context);
  const page = pageListing(
    env.store.listObjects(bucket, prefix),
    { prefix, delimiter, maxKeys },
    marker,
    (o) => !marker || compareKeys(o.key, marker) > 0,
  );
  exchange.sendXml(
    200,
    listBucketResultXml(
      {
        bucket,
        prefix,
        delimiter,
        marker,
        maxKeys,
        contents: page.items,
        commonPrefixes: page.commonPrefixes,
        isTruncated: page.isTruncated,
        nextMarker: page.nextMarker,
        encodingType,
      },
      env.appId,
    ),
  );
}

/** HEAD Bucket: 200 with `x-cos-bucket-region` (the bucket exists and the signature holds). */
async function headBucket(context: HandlerContext): Promise<void> {
  context.exchange.sendEmpty(200, { 'x-cos-bucket-region': context.env.region });
}

/** List Multipart Uploads (`GET /?uploads`): `prefix`, `delimiter`, `key-marker`, `upload-id-marker`, `max-uploads`. */
async function listMultipartUploads(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, target } = context;
  const prefix = target.query.get('prefix') ?? '';
  const delimiter = target.query.get('delimiter') || undefined;
  const keyMarker = target.query.get('key-marker') ?? '';
  const uploadIdMarker = keyMarker ? (target.query.get('upload-id-marker') ?? '') : '';
  const maxUploads = integerParam(target.query, 'max-uploads', {
    min: 0,
    max: 1000,
    fallback: 1000,
    clamp: true,
  });
  const encodingType = encodingTypeOf(context);
  const page = pageListing(
    env.store.listMultipartUploads(bucket),
    { prefix, delimiter, maxKeys: maxUploads },
    keyMarker,
    (u) => {
      if (!keyMarker) return true;
      const order = compareKeys(u.key, keyMarker);
      // Past the key marker; at it, only uploads after the upload-id marker (all of them skipped without one).
      return order > 0 || (order === 0 && uploadIdMarker !== '' && u.uploadId > uploadIdMarker);
    },
  );
  exchange.sendXml(
    200,
    listMultipartUploadsXml(
      {
        bucket,
        prefix,
        delimiter,
        keyMarker,
        uploadIdMarker,
        maxUploads,
        uploads: page.items,
        commonPrefixes: page.commonPrefixes,
        isTruncated: page.isTruncated,
        nextKeyMarker: page.nextMarker,
        nextUploadIdMarker: page.lastItem?.uploadId ?? '',
        encodingType,
      },
      env.appId,
    ),
  );
}

/** GET Service: the emulator's buckets. */
async function getService(context: HandlerContext): Promise<void> {
  const { env } = context;
  context.exchange.sendXml(200, listAllMyBucketsXml(env.store.listBuckets(), env.region, env.appId));
}

/**
 * PUT Bucket: creates the bucket (`<name>-<appid>` of this emulator's APPID; 400 `InvalidBucketName` otherwise),
 * with the canned `x-cos-acl` when sent; 409 `BucketAlreadyOwnedByYou` when it exists.
 */
async function putBucket(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  if (env.store.hasBucket(bucket)) throw cosErrors.bucketAlreadyOwnedByYou();
  try {
    checkBucketName(bucket, env.appId);
  } catch (error) {
    throw cosErrors.invalidBucketName((error as Error).message);
  }
  const acl = cannedAclOf(header(exchange.req, 'x-cos-acl'), false);
  await env.store.createBucket(bucket);
  if (acl) await env.store.setBucketConfig(bucket, { acl });
  exchange.sendEmpty(200, { Location: `/${bucket}` });
}

/** DELETE Bucket: 204; 409 `BucketNotEmpty` while it holds an object, a version, a delete marker or an open upload. */
async function deleteBucket(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  if (env.store.listVersions(bucket).length || env.store.listMultipartUploads(bucket).length) {
    throw cosErrors.bucketNotEmpty();
  }
  await env.store.deleteBucket(bucket);
  exchange.sendEmpty(204);
}

/** Bucket and service routes: PutBucket, DeleteBucket, GetBucket, HeadBucket, ListMultipartUploads, GetService. */
export const bucketRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'PutBucket',
    method: 'PUT',
    scope: 'bucket',
    subresources: [],
    bucketMayBeAbsent: true,
    handler: putBucket,
  },
  { operation: 'DeleteBucket', method: 'DELETE', scope: 'bucket', subresources: [], handler: deleteBucket },
  { operation: 'GetBucket', method: 'GET', scope: 'bucket', subresources: [], handler: getBucket },
  { operation: 'HeadBucket', method: 'HEAD', scope: 'bucket', subresources: [], handler: headBucket },
  {
    operation: 'ListMultipartUploads',
    method: 'GET',
    scope: 'bucket',
    subresources: ['uploads'],
    handler: listMultipartUploads,
  },
  { operation: 'GetService', method: 'GET', scope: 'service', subresources: [], handler: getService },
];

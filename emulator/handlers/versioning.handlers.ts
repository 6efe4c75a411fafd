import { cosErrors } from '../errors/cos-errors';
import { compareKeys } from '../storage/key-order';
import { NULL_VERSION_ID, type ObjectMeta } from '../storage/object-store';
import { listVersionsResultXml } from './bucket.xml';
import { buildXml } from '../xml/xml';
import { encodingTypeOf } from './bucket.handlers';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { integerParam } from './handler.utils';
import { pageListing } from './listing';
import { child, readXmlBody, textOf } from './xml-body';

/**
 * PUT Bucket versioning: `<VersioningConfiguration><Status>Enabled|Suspended</Status></VersioningConfiguration>`.
 * Once enabled, versioning can be suspended but never turned off (as COS); another status is 400 `MalformedXML`.
 */
async function putBucketVersioning(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  const doc = await readXmlBody(context);
  const status = textOf(child(doc.VersioningConfiguration, 'Status'));
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw cosErrors.malformedXml('<VersioningConfiguration><Status> must be Enabled or Suspended.');
  }
  await env.store.setBucketConfig(bucket, { ...env.store.getBucketConfig(bucket), versioning: status });
  exchange.sendEmpty(200);
}

/** GET Bucket versioning: the status, or an empty `<VersioningConfiguration/>` when it was never enabled. */
async function getBucketVersioning(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  const status = env.store.getBucketConfig(bucket).versioning;
  exchange.sendXml(200, buildXml({ VersioningConfiguration: status ? { Status: status } : '' }));
}

/**
 * GET Bucket Object versions (`GET /?versions`): every version and delete marker, by key then newest first;
 * `prefix`, `delimiter`, `key-marker` + `version-id-marker`, `max-keys`, `encoding-type`.
 */
async function listObjectVersions(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, target } = context;
  const prefix = target.query.get('prefix') ?? '';
  const delimiter = target.query.get('delimiter') || undefined;
  const keyMarker = target.query.get('key-marker') ?? '';
  const versionIdMarker = keyMarker ? (target.query.get('version-id-marker') ?? '') : '';
  const maxKeys = integerParam(target.query, 'max-keys', { min: 0, max: 1000, fallback: 1000, clamp: true });
  const encodingType = encodingTypeOf(context);
  const versions = env.store.listVersions(bucket, prefix);
  const entries = versions.map((meta, i) => ({
    meta,
    key: meta.key,
    isLatest: versions[i - 1]?.key !== meta.key,
  }));
  const idOf = (meta: ObjectMeta) => meta.versionId ?? NULL_VERSION_ID;
  const markerAt = entries.findIndex((e) => e.key === keyMarker && idOf(e.meta) === versionIdMarker);
  const page = pageListing(entries, { prefix, delimiter, maxKeys }, keyMarker, (entry) => {
    if (!keyMarker) return true;
    const order = compareKeys(entry.key, keyMarker);
    // At the key marker, only the versions after the version-id marker (none of them without one).
    return order > 0 || (order === 0 && markerAt >= 0 && entries.indexOf(entry) > markerAt);
  });
  exchange.sendXml(
    200,
    listVersionsResultXml(
      {
        bucket,
        prefix,
        delimiter,
        keyMarker,
        versionIdMarker,
        maxKeys,
        entries: page.items,
        commonPrefixes: page.commonPrefixes,
        isTruncated: page.isTruncated,
        nextKeyMarker: page.nextMarker,
        nextVersionIdMarker: page.lastItem && idOf(page.lastItem.meta),
        encodingType,
      },
      env.appId,
    ),
  );
}

/** Versioning routes: PutBucketVersioning, GetBucketVersioning, ListObjectVersions. */
export const versioningRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'PutBucketVersioning',
    method: 'PUT',
    scope: 'bucket',
    subresources: ['versioning'],
    handler: putBucketVersioning,
  },
  {
    operation: 'GetBucketVersioning',
    method: 'GET',
    scope: 'bucket',
    subresources: ['versioning'],
    handler: getBucketVersioning,
  },
  {
    operation: 'ListObjectVersions',
    method: 'GET',
    scope: 'bucket',
    subresources: ['versions'],
    handler: listObjectVersions,
  },
];

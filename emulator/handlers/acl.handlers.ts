import { cosErrors } from '../errors/cos-errors';
import type { ObjectStore, StoredHeaders } from '../storage/object-store';
import { ownerTree } from './bucket.xml';
import { buildXml } from '../xml/xml';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { cannedAclOf, OBJECT_ACL_HEADER, OBJECT_GRANTS_HEADER } from './stored-attributes';
import {
  type AclGrant,
  cannedAclOfGrants,
  grantsOfCannedAcl,
  grantsOfHeaders,
  grantsOfPolicy,
  grantTrees,
} from './acl-grants';
import { bucketSubresources } from '../storage/bucket-subresources';
import { header } from './handler.utils';
import { readXmlBody } from './xml-body';

const GRANTS_SUBRESOURCE = 'acl-grants';

/**
 * The ACL that decides anonymous access to an object (its own, else its bucket's, else `private`) or, without
 * a key, to a bucket.
 */
export function effectiveAcl(store: ObjectStore, bucket: string, key?: string): string {
  const own = key ? store.headObject(bucket, key)?.headers[OBJECT_ACL_HEADER] : undefined;
  return own ?? store.getBucketConfig(bucket).acl ?? 'private';
}

/** What a PUT ?acl sets: the canned ACL, and the grants GET answers when they are more than the canned ACL's. */
interface RequestedAcl {
  canned: string | undefined;
  grants: AclGrant[] | undefined;
}

/**
 * The ACL a PUT ?acl sets: `x-cos-acl` and / or `x-cos-grant-*` headers (the grants, with the canned ACL's public
 * ones), else an `<AccessControlPolicy>` body (its grants are the whole ACL, as COS's GET then answers them).
 */
async function requestedAcl(context: HandlerContext, allowDefault: boolean): Promise<RequestedAcl> {
  const { req } = context.exchange;
  const cannedHeader = header(req, 'x-cos-acl');
  const headerGrants = grantsOfHeaders(req);
  if (cannedHeader !== undefined || headerGrants.length) {
    const canned =
      cannedHeader !== undefined ? cannedAclOf(cannedHeader, allowDefault) : cannedAclOfGrants(headerGrants);
    // With grants, GET answers them and the canned ACL's public ones, not the owner's FULL_CONTROL: the SDK suite
    // ("putObjectAcl() xml" reads the bucket ACL its "decodeAcl" test set to private + one READ grant) expects one.
    const ownerId = ownerTree(context.env.appId).ID;
    const publicGrants = grantsOfCannedAcl(canned ?? 'private', ownerId).filter((g) => g.uri);
    return { canned, grants: headerGrants.length ? [...publicGrants, ...headerGrants] : undefined };
  }
  const grants = grantsOfPolicy(await readXmlBody(context, ['AccessControlPolicy.AccessControlList.Grant']));
  return { canned: cannedAclOfGrants(grants), grants };
}

/** `<AccessControlPolicy>` of an ACL: its stored grants, else the canned ACL's. */
function accessControlPolicyXml(acl: string, grants: readonly AclGrant[] | undefined, appId: string): string {
  const owner = ownerTree(appId);
  const listed = grants ?? grantsOfCannedAcl(acl, owner.ID);
  return buildXml({
    AccessControlPolicy: { Owner: owner, AccessControlList: { Grant: grantTrees(listed, owner) } },
  });
}

function storedGrants(json: string | undefined): AclGrant[] | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as AclGrant[]);
}

async function putObjectAcl(context: HandlerContext): Promise<void> {
  const { env, bucket, key, exchange } = context;
  const meta = env.store.headObject(bucket, key);
  if (!meta) throw cosErrors.noSuchKey();
  const { canned, grants } = await requestedAcl(context, true);
  const headers: StoredHeaders = { ...meta.headers };
  if (canned === undefined) delete headers[OBJECT_ACL_HEADER];
  else headers[OBJECT_ACL_HEADER] = canned;
  if (grants === undefined) delete headers[OBJECT_GRANTS_HEADER];
  else headers[OBJECT_GRANTS_HEADER] = JSON.stringify(grants);
  if (!(await env.store.updateObjectHeaders(bucket, key, headers))) throw cosErrors.noSuchKey();
  exchange.sendEmpty(200);
}

async function getObjectAcl(context: HandlerContext): Promise<void> {
  const { env, bucket, key, exchange } = context;
  const meta = env.store.headObject(bucket, key);
  if (!meta) throw cosErrors.noSuchKey();
  const grants = storedGrants(meta.headers[OBJECT_GRANTS_HEADER]);
  exchange.sendXml(200, accessControlPolicyXml(effectiveAcl(env.store, bucket, key), grants, env.appId));
}

async function putBucketAcl(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  const { canned, grants } = await requestedAcl(context, false);
  await env.store.setBucketConfig(bucket, { ...env.store.getBucketConfig(bucket), acl: canned ?? 'private' });
  await bucketSubresources.set(env.store, bucket, GRANTS_SUBRESOURCE, grants && JSON.stringify(grants));
  exchange.sendEmpty(200);
}

async function getBucketAcl(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  const grants = storedGrants(bucketSubresources.get(env.store, bucket, GRANTS_SUBRESOURCE));
  exchange.sendXml(
    200,
    accessControlPolicyXml(env.store.getBucketConfig(bucket).acl ?? 'private', grants, env.appId),
  );
}

/** ACL routes: PutObjectAcl, GetObjectAcl, PutBucketAcl, GetBucketAcl. */
export const aclRoutes: readonly CosHandlerRoute[] = [
  { operation: 'PutObjectAcl', method: 'PUT', scope: 'object', subresources: ['acl'], handler: putObjectAcl },
  { operation: 'GetObjectAcl', method: 'GET', scope: 'object', subresources: ['acl'], handler: getObjectAcl },
  { operation: 'PutBucketAcl', method: 'PUT', scope: 'bucket', subresources: ['acl'], handler: putBucketAcl },
  { operation: 'GetBucketAcl', method: 'GET', scope: 'bucket', subresources: ['acl'], handler: getBucketAcl },
];

import { cosErrors } from '../errors/cos-errors';
import type { ObjectStore, StoredHeaders } from '../storage/object-store';
import { ownerTree } from './bucket.xml';
import { buildXml, type ParsedXml, type XmlTree } from '../xml/xml';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { cannedAclOf, OBJECT_ACL_HEADER } from './stored-attributes';
import { header } from './handler.utils';
import { child, listOf, readXmlBody, textOf } from './xml-body';

const ALL_USERS = 'http://cam.qcloud.com/groups/global/AllUsers';

/**
 * The ACL that decides anonymous access to an object (its own, else its bucket's, else `private`) or, without
 * a key, to a bucket.
 */
export function effectiveAcl(store: ObjectStore, bucket: string, key?: string): string {
  const own = key ? store.headObject(bucket, key)?.headers[OBJECT_ACL_HEADER] : undefined;
  return own ?? store.getBucketConfig(bucket).acl ?? 'private';
}

/** The canned ACL an `<AccessControlPolicy>` body amounts to (AllUsers READ: public-read, and WRITE: -write). */
function aclOfPolicy(doc: ParsedXml): string {
  const grants = listOf(child(child(doc.AccessControlPolicy, 'AccessControlList'), 'Grant'));
  const everyone = new Set<string>();
  for (const grant of grants) {
    const grantee = child(grant, 'Grantee');
    const uri = textOf(child(grantee, 'URI'));
    const id = textOf(child(grantee, 'ID'));
    if (uri === ALL_USERS || id === 'qcs::cam::anyone:anyone')
      everyone.add(textOf(child(grant, 'Permission')) ?? '');
  }
  if (everyone.has('FULL_CONTROL') || (everyone.has('READ') && everyone.has('WRITE')))
    return 'public-read-write';
  return everyone.has('READ') ? 'public-read' : 'private';
}

/** The ACL a PUT ?acl sets: its `x-cos-acl` header, else its `<AccessControlPolicy>` body. */
async function requestedAcl(context: HandlerContext, allowDefault: boolean): Promise<string | undefined> {
  const canned = header(context.exchange.req, 'x-cos-acl');
  if (canned !== undefined) return cannedAclOf(canned, allowDefault);
  return aclOfPolicy(await readXmlBody(context, ['AccessControlPolicy.AccessControlList.Grant']));
}

/** `<AccessControlPolicy>` of a canned ACL: the owner's FULL_CONTROL, and AllUsers' READ / WRITE when public. */
function accessControlPolicyXml(acl: string, appId: string): string {
  const owner = ownerTree(appId);
  const grants: XmlTree[] = [{ Grantee: owner, Permission: 'FULL_CONTROL' }];
  if (acl !== 'private') grants.push({ Grantee: { URI: ALL_USERS }, Permission: 'READ' });
  if (acl === 'public-read-write') grants.push({ Grantee: { URI: ALL_USERS }, Permission: 'WRITE' });
  return buildXml({ AccessControlPolicy: { Owner: owner, AccessControlList: { Grant: grants } } });
}

async function putObjectAcl(context: HandlerContext): Promise<void> {
  const { env, bucket, key, exchange } = context;
  const meta = env.store.headObject(bucket, key);
  if (!meta) throw cosErrors.noSuchKey();
  const acl = await requestedAcl(context, true);
  const headers: StoredHeaders = { ...meta.headers };
  if (acl === undefined) delete headers[OBJECT_ACL_HEADER];
  else headers[OBJECT_ACL_HEADER] = acl;
  if (!(await env.store.updateObjectHeaders(bucket, key, headers))) throw cosErrors.noSuchKey();
  exchange.sendEmpty(200);
}

async function getObjectAcl(context: HandlerContext): Promise<void> {
  const { env, bucket, key, exchange } = context;
  const meta = env.store.headObject(bucket, key);
  if (!meta) throw cosErrors.noSuchKey();
  exchange.sendXml(200, accessControlPolicyXml(effectiveAcl(env.store, bucket, key), env.appId));
}

async function putBucketAcl(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  const acl = (await requestedAcl(context, false)) ?? 'private';
  await env.store.setBucketConfig(bucket, { ...env.store.getBucketConfig(bucket), acl });
  exchange.sendEmpty(200);
}

async function getBucketAcl(context: HandlerContext): Promise<void> {
  const { env, bucket, exchange } = context;
  exchange.sendXml(
    200,
    accessControlPolicyXml(env.store.getBucketConfig(bucket).acl ?? 'private', env.appId),
  );
}

/** ACL routes: PutObjectAcl, GetObjectAcl, PutBucketAcl, GetBucketAcl. */
export const aclRoutes: readonly CosHandlerRoute[] = [
  { operation: 'PutObjectAcl', method: 'PUT', scope: 'object', subresources: ['acl'], handler: putObjectAcl },
  { operation: 'GetObjectAcl', method: 'GET', scope: 'object', subresources: ['acl'], handler: getObjectAcl },
  { operation: 'PutBucketAcl', method: 'PUT', scope: 'bucket', subresources: ['acl'], handler: putBucketAcl },
  { operation: 'GetBucketAcl', method: 'GET', scope: 'bucket', subresources: ['acl'], handler: getBucketAcl },
];

import type { IncomingMessage } from 'node:http';
import { cosErrors } from '../errors/cos-errors';
import type { ParsedXml, XmlTree } from '../xml/xml';
import { header } from './handler.utils';
import { child, listOf, textOf } from './xml-body';

/** The group every anonymous requester belongs to (COS's ACL page). */
export const ALL_USERS = 'http://cam.qcloud.com/groups/global/AllUsers';

/** The permissions of an ACL grant (COS's PUT Bucket acl / PUT Object acl pages). */
const PERMISSIONS: ReadonlySet<string> = new Set(['READ', 'WRITE', 'FULL_CONTROL', 'READ_ACP', 'WRITE_ACP']);

/** The `x-cos-grant-*` headers and the permission each grants. */
const GRANT_HEADERS: ReadonlyArray<readonly [header: string, permission: string]> = [
  ['x-cos-grant-read', 'READ'],
  ['x-cos-grant-write', 'WRITE'],
  ['x-cos-grant-read-acp', 'READ_ACP'],
  ['x-cos-grant-write-acp', 'WRITE_ACP'],
  ['x-cos-grant-full-control', 'FULL_CONTROL'],
];

/** One grant: a user (`id`, `qcs::cam::uin/<uin>:uin/<uin>`) or a group (`uri`), and a permission. */
export interface AclGrant {
  id?: string;
  uri?: string;
  permission: string;
}

/** The grants of `x-cos-grant-*` headers: `id="qcs::cam::uin/1:uin/1", uri="..."`; 400 `InvalidArgument` else. */
export function grantsOfHeaders(req: IncomingMessage): AclGrant[] {
  const grants: AclGrant[] = [];
  for (const [name, permission] of GRANT_HEADERS) {
    const value = header(req, name)?.trim();
    if (!value) continue;
    for (const entry of value
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const match = /^(id|uri)="([^"]+)"$/i.exec(entry);
      if (!match)
        throw cosErrors.invalidArgument(`${name} takes id="..." or uri="..." entries, got ${entry}.`);
      const grantee = match[1]!.toLowerCase() === 'id' ? { id: match[2] } : { uri: match[2] };
      if (!grants.some((g) => g.permission === permission && g.id === grantee.id && g.uri === grantee.uri)) {
        grants.push({ ...grantee, permission });
      }
    }
  }
  return grants;
}

/** The grants of an `<AccessControlPolicy>` body; 400 `MalformedXML` for a grant without grantee or permission. */
export function grantsOfPolicy(doc: ParsedXml): AclGrant[] {
  return listOf(child(child(doc.AccessControlPolicy, 'AccessControlList'), 'Grant')).map((grant) => {
    const grantee = child(grant, 'Grantee');
    const id = textOf(child(grantee, 'ID'));
    const uri = textOf(child(grantee, 'URI'));
    const permission = textOf(child(grant, 'Permission')) ?? '';
    if ((!id && !uri) || !PERMISSIONS.has(permission)) {
      throw cosErrors.malformedXml('Each Grant needs a Grantee (ID or URI) and a Permission.');
    }
    return id ? { id, permission } : { uri, permission };
  });
}

/** The canned ACL grants amount to for anonymous access (AllUsers READ: public-read, and WRITE: -write). */
export function cannedAclOfGrants(grants: readonly AclGrant[]): string {
  const everyone = new Set(
    grants.filter((g) => g.uri === ALL_USERS || g.id === 'qcs::cam::anyone:anyone').map((g) => g.permission),
  );
  if (everyone.has('FULL_CONTROL') || (everyone.has('READ') && everyone.has('WRITE')))
    return 'public-read-write';
  return everyone.has('READ') ? 'public-read' : 'private';
}

/** The grants of a canned ACL: the owner's FULL_CONTROL, and AllUsers' READ / WRITE when public. */
export function grantsOfCannedAcl(acl: string, ownerId: string): AclGrant[] {
  const grants: AclGrant[] = [{ id: ownerId, permission: 'FULL_CONTROL' }];
  if (acl !== 'private') grants.push({ uri: ALL_USERS, permission: 'READ' });
  if (acl === 'public-read-write') grants.push({ uri: ALL_USERS, permission: 'WRITE' });
  return grants;
}

/** `<Grant>` elements of grants, as GET ?acl answers them. */
export function grantTrees(grants: readonly AclGrant[], ownerTree: XmlTree): XmlTree[] {
  return grants.map((g) => ({
    Grantee: g.uri ? { URI: g.uri } : g.id === ownerTree.ID ? ownerTree : { ID: g.id, DisplayName: g.id },
    Permission: g.permission,
  }));
}

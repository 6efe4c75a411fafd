import { cosErrors } from '../errors/cos-errors';
import { NULL_VERSION_ID } from '../storage/object-store';
import { buildXml } from '../xml/xml';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { child, listOf, readXmlBody, textOf } from './xml-body';

/** Most keys one batch delete names, as COS allows. */
export const MAX_DELETE_KEYS = 1000;

/**
 * Delete Multiple Objects (`POST /?delete`): `<Delete><Quiet>?</Quiet><Object><Key/><VersionId/>?</Object>*</Delete>`. Every
 * named key is deleted (a missing one counts as deleted, as COS answers); the answer lists each `<Deleted>`, or
 * with `<Quiet>true</Quiet>` only the `<Error>`s. More than 1000 keys or none: 400 `MalformedXML`.
 */
async function deleteObjects(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket } = context;
  const doc = await readXmlBody(context, ['Delete.Object']);
  const root = doc.Delete;
  const objects = listOf(child(root, 'Object'));
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) {
    throw cosErrors.malformedXml(`<Delete> must name from 1 to ${MAX_DELETE_KEYS} <Object><Key>.`);
  }
  const named = objects.map((o) => {
    const key = textOf(child(o, 'Key'));
    if (!key) throw cosErrors.malformedXml('Every <Object> needs a <Key>.');
    return { key, versionId: textOf(child(o, 'VersionId')) || undefined };
  });
  const quiet = textOf(child(root, 'Quiet'))?.toLowerCase() === 'true';
  const deleted = [];
  for (const { key, versionId } of named) {
    const outcome = await env.store.deleteObject(bucket, key, versionId);
    // A version named is answered with its id; a delete marker added, with the marker's.
    deleted.push({
      Key: key,
      VersionId: versionId,
      DeleteMarker: outcome?.deleteMarker || undefined,
      DeleteMarkerVersionId: outcome?.deleteMarker ? (outcome.versionId ?? NULL_VERSION_ID) : undefined,
    });
  }
  exchange.sendXml(200, buildXml({ DeleteResult: { Deleted: quiet ? [] : deleted } }));
}

/** Batch delete route: DeleteObjects. */
export const deleteObjectsRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'DeleteObjects',
    method: 'POST',
    scope: 'bucket',
    subresources: ['delete'],
    handler: deleteObjects,
  },
];

import { cosErrors } from '../errors/cos-errors';
import type { StoredHeaders } from '../storage/object-store';
import { buildXml } from '../xml/xml';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { checkTags, OBJECT_TAGGING_HEADER, storedTags } from './stored-attributes';
import { child, listOf, readXmlBody, textOf } from './xml-body';

function findObjectHeaders(context: HandlerContext): StoredHeaders {
  const meta = context.env.store.headObject(context.bucket, context.key);
  if (!meta) throw cosErrors.noSuchKey();
  return meta.headers;
}

async function saveTags(context: HandlerContext, tags: Array<[string, string]>): Promise<void> {
  const headers = { ...findObjectHeaders(context) };
  if (tags.length) headers[OBJECT_TAGGING_HEADER] = new URLSearchParams(tags).toString();
  else delete headers[OBJECT_TAGGING_HEADER];
  if (!(await context.env.store.updateObjectHeaders(context.bucket, context.key, headers))) {
    throw cosErrors.noSuchKey();
  }
}

/** PUT Object tagging: `<Tagging><TagSet><Tag><Key/><Value/></Tag>*</TagSet></Tagging>` replaces the tags. */
async function putObjectTagging(context: HandlerContext): Promise<void> {
  findObjectHeaders(context);
  const doc = await readXmlBody(context, ['Tagging.TagSet.Tag']);
  const tags = listOf(child(child(doc.Tagging, 'TagSet'), 'Tag')).map((tag): [string, string] => [
    textOf(child(tag, 'Key')) ?? '',
    textOf(child(tag, 'Value')) ?? '',
  ]);
  checkTags(tags);
  await saveTags(context, tags);
  context.exchange.sendEmpty(200);
}

/** GET Object tagging: the tags (an empty `TagSet` when none). */
async function getObjectTagging(context: HandlerContext): Promise<void> {
  const tags = storedTags(findObjectHeaders(context));
  context.exchange.sendXml(
    200,
    buildXml({ Tagging: { TagSet: { Tag: tags.map(([Key, Value]) => ({ Key, Value })) } } }),
  );
}

/** DELETE Object tagging: 204, the tags removed. */
async function deleteObjectTagging(context: HandlerContext): Promise<void> {
  await saveTags(context, []);
  context.exchange.sendEmpty(204);
}

/** Object tagging routes: PutObjectTagging, GetObjectTagging, DeleteObjectTagging. */
export const taggingRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'PutObjectTagging',
    method: 'PUT',
    scope: 'object',
    subresources: ['tagging'],
    handler: putObjectTagging,
  },
  {
    operation: 'GetObjectTagging',
    method: 'GET',
    scope: 'object',
    subresources: ['tagging'],
    handler: getObjectTagging,
  },
  {
    operation: 'DeleteObjectTagging',
    method: 'DELETE',
    scope: 'object',
    subresources: ['tagging'],
    handler: deleteObjectTagging,
  },
];

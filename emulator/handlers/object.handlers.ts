import type { OutgoingHttpHeaders } from 'node:http';
import { cosErrors } from '../errors/cos-errors';
import { parseRange } from '../http/range';
import type { ObjectAttributes, ObjectMeta } from '../storage/object-store';
import { uploadResultXml } from './object.xml';
import { evaluateConditions } from './conditions';
import { checkUploadHeaders, receiveUpload, receiveUploadInMemory } from './body-upload';
import { checkReferer } from './bucket-referer';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { readAll } from '../util/read-all';
import { runPicOperations, storeBytes } from '../processing/run-pic-operations';
import { checkReadable } from './restore.handlers';
import { encryptionHeaders, sseHeader } from './server-side-encryption';
import { limitTraffic } from '../http/traffic-limit';
import {
  checkKey,
  checkTrafficLimit,
  contentTypeOf,
  crc64Headers,
  header,
  objectHeaders,
  picServices,
  quotedMd5,
  storedHeadersOf,
  versionHeaders,
} from './handler.utils';

/** `response-*` query parameters of GET Object and the header each one overrides. */
const RESPONSE_OVERRIDES: ReadonlyArray<readonly [param: string, header: string]> = [
  ['response-content-type', 'Content-Type'],
  ['response-content-language', 'Content-Language'],
  ['response-expires', 'Expires'],
  ['response-cache-control', 'Cache-Control'],
  ['response-content-disposition', 'Content-Disposition'],
  ['response-content-encoding', 'Content-Encoding'],
];

/**
 * The version a request addresses (`?versionId=`), else the current one. 404 `NoSuchKey` (with
 * `x-cos-delete-marker: true` when the latest version is a delete marker), 404 `NoSuchVersion` for an unknown
 * version id, 405 `MethodNotAllowed` for a delete marker's id, as COS answers them.
 */
function findObject(context: HandlerContext): ObjectMeta {
  const { env, bucket, key, exchange } = context;
  const versionId = requestedVersion(context);
  const meta = env.store.headObject(bucket, key, versionId);
  if (versionId !== undefined) {
    if (!meta) throw cosErrors.noSuchVersion();
    if (meta.deleteMarker) {
      exchange.res.setHeader('x-cos-delete-marker', 'true');
      throw cosErrors.methodNotAllowed('The specified method is not allowed against a delete marker.');
    }
    return meta;
  }
  if (!meta) {
    const latest = env.store.listVersions(bucket, key).find((v) => v.key === key);
    if (latest?.deleteMarker) {
      exchange.res.setHeader('x-cos-delete-marker', 'true');
      if (latest.versionId) exchange.res.setHeader('x-cos-version-id', latest.versionId);
    }
    throw cosErrors.noSuchKey();
  }
  return meta;
}

/** The `versionId` query parameter, when one is given. */
function requestedVersion(context: HandlerContext): string | undefined {
  return context.target.query.get('versionId') || undefined;
}

/**
 * PUT Object: stores the body. With `Pic-Operations`, the body is received into memory and processed first; the
 * original and the outputs are stored together only when every rule succeeded (a refused request stores nothing,
 * not even the original), and the answer is `<UploadResult>`.
 */
async function putObject(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, key } = context;
  const { req } = exchange;
  checkKey(key);
  const preconditions = checkUploadHeaders(context, env.maxObjectSize);
  const picOperations = header(req, 'pic-operations');
  if (picOperations === undefined) {
    const body = await receiveUpload(context, preconditions, env.maxObjectSize);
    const meta = await env.store.commitObject(body.staged, {
      bucket,
      key,
      size: body.size,
      etag: quotedMd5(body.md5),
      crc64: body.crc64,
      contentType: contentTypeOf(req, key),
      headers: { ...storedHeadersOf(req), ...encryptionHeaders(env.store, bucket, req) },
    });
    exchange.sendEmpty(200, {
      ETag: meta.etag,
      ...versionHeaders(meta),
      ...crc64Headers(meta),
      ...sseHeader(meta),
    });
    return;
  }
  let attributes: ObjectAttributes;
  const { original: meta, result } = await runPicOperations(
    {
      trigger: 'PutObject',
      bucket,
      key,
      picOperations,
      requestId: exchange.requestId,
      sourceSize: preconditions.length,
      readSource: async () => {
        const body = await receiveUploadInMemory(context, preconditions, env.maxObjectSize);
        attributes = {
          bucket,
          key,
          size: body.bytes.length,
          etag: quotedMd5(body.md5),
          crc64: body.crc64,
          contentType: contentTypeOf(req, key),
          headers: { ...storedHeadersOf(req), ...encryptionHeaders(env.store, bucket, req) },
        };
        return { bytes: body.bytes, original: attributes };
      },
      storeOriginal: (bytes) => storeBytes(env.store, attributes, bytes),
    },
    picServices(context),
  );
  exchange.sendXml(200, uploadResultXml(meta, context.target, result), {
    ETag: (result.original ?? meta).etag,
    ...versionHeaders(meta),
    ...crc64Headers(meta),
    ...sseHeader(meta),
  });
}

/** GET Object, with `Range` (206 / 416), conditional headers (304 / 412) and `response-*` overrides. */
async function getObject(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, key, target } = context;
  checkReferer(env.store, bucket, exchange.req);
  checkReadable(findObject(context));
  const reader = await env.store.openObject(bucket, key, requestedVersion(context));
  if (!reader) throw cosErrors.noSuchKey();
  const { meta } = reader;
  try {
    const condition = evaluateConditions((name) => header(context.exchange.req, name), meta);
    if (condition === 412) throw cosErrors.preconditionFailed();
    const headers: OutgoingHttpHeaders = objectHeaders(meta);
    if (condition === 304) {
      await reader.close();
      exchange.sendEmpty(304, { ETag: meta.etag, 'Last-Modified': headers['Last-Modified'] });
      return;
    }
    for (const [param, name] of RESPONSE_OVERRIDES) {
      const value = target.query.get(param);
      if (value !== undefined) headers[name] = value;
    }
    const range = parseRange(header(exchange.req, 'range'), meta.size);
    if (range === 'unsatisfiable') {
      exchange.res.setHeader('Content-Range', `bytes */${meta.size}`);
      throw cosErrors.invalidRange(meta.size);
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
      headers['Content-Length'] = range.end - range.start + 1;
    } else {
      headers['Content-Length'] = meta.size;
    }
    const body = limitTraffic(reader.stream(range), checkTrafficLimit(exchange.req, target.query));
    await exchange.sendStream(range ? 206 : 200, headers, body);
  } catch (error) {
    await reader.close().catch(() => undefined);
    throw error;
  }
}

/** HEAD Object: the headers GET would answer, no body. */
async function headObject(context: HandlerContext): Promise<void> {
  checkReferer(context.env.store, context.bucket, context.exchange.req);
  const meta = findObject(context);
  const condition = evaluateConditions((name) => header(context.exchange.req, name), meta);
  if (condition === 412) throw cosErrors.preconditionFailed();
  const headers = objectHeaders(meta);
  if (condition === 304) {
    context.exchange.sendEmpty(304, { ETag: meta.etag, 'Last-Modified': headers['Last-Modified'] });
    return;
  }
  context.exchange.sendEmpty(200, { ...headers, 'Content-Length': meta.size });
}

/**
 * DELETE Object: 204, whether or not the object existed. Under versioning, without `versionId` a delete marker
 * is added (`x-cos-delete-marker: true`, `x-cos-version-id` its id); with one, that version is removed for good.
 */
async function deleteObject(context: HandlerContext): Promise<void> {
  const outcome = await context.env.store.deleteObject(
    context.bucket,
    context.key,
    requestedVersion(context),
  );
  context.exchange.sendEmpty(204, {
    ...(outcome?.versionId ? { 'x-cos-version-id': outcome.versionId } : {}),
    ...(outcome?.deleteMarker ? { 'x-cos-delete-marker': 'true' } : {}),
  });
}

/**
 * `POST /<key>?image_process`: processes a stored object (cloud data processing) and stores the outputs, all of
 * them or, when a rule fails, none.
 */
async function imageProcess(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, key } = context;
  const picOperations = header(exchange.req, 'pic-operations');
  if (picOperations === undefined) {
    throw cosErrors.invalidArgument('POST ?image_process needs a Pic-Operations header.');
  }
  let original = findObject(context);
  const { result } = await runPicOperations(
    {
      trigger: 'ImageProcess',
      bucket,
      key,
      picOperations,
      requestId: exchange.requestId,
      sourceSize: original.size,
      readSource: async () => {
        const reader = await env.store.openObject(bucket, key);
        if (!reader) throw cosErrors.noSuchKey();
        original = reader.meta;
        return { bytes: await readAll(reader.stream()), original };
      },
      storeOriginal: async () => original,
    },
    picServices(context),
  );
  exchange.sendXml(200, uploadResultXml(original, context.target, result));
}

/** Object routes: PutObject, GetObject, HeadObject, DeleteObject, ImageProcess. */
export const objectRoutes: readonly CosHandlerRoute[] = [
  { operation: 'PutObject', method: 'PUT', scope: 'object', subresources: [], handler: putObject },
  { operation: 'GetObject', method: 'GET', scope: 'object', subresources: [], handler: getObject },
  { operation: 'HeadObject', method: 'HEAD', scope: 'object', subresources: [], handler: headObject },
  { operation: 'DeleteObject', method: 'DELETE', scope: 'object', subresources: [], handler: deleteObject },
  {
    operation: 'ImageProcess',
    method: 'POST',
    scope: 'object',
    subresources: ['image_process'],
    handler: imageProcess,
  },
];

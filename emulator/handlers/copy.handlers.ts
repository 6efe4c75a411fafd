import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cosErrors } from '../errors/cos-errors';
import type { ObjectMeta, ObjectReader, StagedBody } from '../storage/object-store';
import { normalizeKey } from '../routing/resolve-target';
import { copyObjectResultXml, copyPartResultXml } from './object.xml';
import { OBJECT_ACL_HEADER } from './stored-attributes';
import { evaluateConditions } from './conditions';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import {
  checkKey,
  contentTypeOf,
  crc64Headers,
  header,
  quotedMd5,
  storedHeadersOf,
  versionHeaders,
} from './handler.utils';
import { Crc64 } from '../util/crc64';
import { findUpload, orNoSuchUpload, partNumberOf } from './multipart.handlers';

/** The object `x-cos-copy-source` names. */
export interface CopySource {
  bucket: string;
  region: string;
  key: string;
  versionId?: string;
}

// `<bucket>-<appid>.cos.<region>.<domain>/<url-encoded key>[?versionId=...]`, as the SDK's getSourceParams reads it.
const COPY_SOURCE = /^\/?([^./]+-\d+)\.cos\.([^./]+)\.[^/]+\/([^?]+)(?:\?versionId=([^&]*))?$/;

/** Parses `x-cos-copy-source`; 400 `InvalidArgument` when it names no bucket and key. */
export function parseCopySource(value: string): CopySource {
  const match = COPY_SOURCE.exec(value.trim());
  if (!match) {
    throw cosErrors.invalidArgument(
      'x-cos-copy-source must be <bucket>-<appid>.cos.<region>.myqcloud.com/<key>.',
    );
  }
  let key: string;
  try {
    key = normalizeKey(match[3].split('/').map((s) => decodeURIComponent(s)));
  } catch {
    throw cosErrors.invalidArgument('x-cos-copy-source is not correctly percent-encoded.');
  }
  if (!key) throw cosErrors.invalidArgument('x-cos-copy-source names no object key.');
  return {
    bucket: match[1],
    region: match[2],
    key,
    versionId: match[4] ? decodeURIComponent(match[4]) : undefined,
  };
}

/**
 * Opens the source of a copy: 404 `NoSuchBucket` for a bucket the emulator does not have (or another region's),
 * 404 `NoSuchKey` for a missing object, 412 when an `x-cos-copy-source-if-*` condition fails.
 */
async function openCopySource(
  context: HandlerContext,
): Promise<{ source: CopySource; reader: ObjectReader }> {
  const { exchange, env } = context;
  const source = parseCopySource(header(exchange.req, 'x-cos-copy-source') ?? '');
  if (!env.store.hasBucket(source.bucket) || source.region !== env.region) throw cosErrors.noSuchBucket();
  const reader = await env.store.openObject(source.bucket, source.key, source.versionId);
  if (!reader) throw source.versionId === undefined ? cosErrors.noSuchKey() : cosErrors.noSuchVersion();
  if (
    evaluateConditions((name) => header(exchange.req, `x-cos-copy-source-${name}`), reader.meta) !== undefined
  ) {
    await reader.close();
    throw cosErrors.preconditionFailed();
  }
  return { source, reader };
}

/** Streams stored bytes (a range of them) into a staged body, hashing them; drops the staging on failure. */
async function copyBytes(
  reader: ObjectReader,
  staged: StagedBody,
  range?: { start: number; end: number },
): Promise<{ size: number; md5: Buffer; crc64: string }> {
  const hash = createHash('md5');
  const crc = new Crc64();
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      crc.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await pipeline(reader.stream(range), meter, staged.sink);
  } catch (error) {
    await staged.discard();
    await reader.close().catch(() => undefined);
    throw error;
  }
  return { size, md5: hash.digest(), crc64: crc.value };
}

/**
 * PUT Object - Copy (`PUT /<key>` with `x-cos-copy-source`): copies the source's bytes, from this bucket or
 * another. `x-cos-metadata-directive: Copy` (default) keeps the source's Content-Type and metadata, `Replaced`
 * takes the request's; copying an object onto itself needs `Replaced` or another storage class (400
 * `InvalidRequest`). Answer: `<CopyObjectResult>` with the new ETag and LastModified.
 */
async function putObjectCopy(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, key } = context;
  const { req } = exchange;
  checkKey(key);
  const directive = (header(req, 'x-cos-metadata-directive') ?? 'Copy').trim();
  if (directive !== 'Copy' && directive !== 'Replaced') {
    throw cosErrors.invalidArgument('x-cos-metadata-directive must be Copy or Replaced.');
  }
  const requested = storedHeadersOf(req);
  const { source, reader } = await openCopySource(context);
  const storageClass = requested['x-cos-storage-class'];
  if (
    source.bucket === bucket &&
    source.key === key &&
    directive === 'Copy' &&
    storageClass === reader.meta.headers['x-cos-storage-class']
  ) {
    await reader.close();
    throw cosErrors.invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata or storage class.",
    );
  }
  let attributes: { contentType: string; headers: Record<string, string> };
  if (directive === 'Replaced') {
    attributes = { contentType: contentTypeOf(req, key), headers: requested };
  } else {
    const headers = { ...reader.meta.headers };
    delete headers['x-cos-storage-class'];
    delete headers[OBJECT_ACL_HEADER];
    if (storageClass) headers['x-cos-storage-class'] = storageClass;
    if (requested[OBJECT_ACL_HEADER]) headers[OBJECT_ACL_HEADER] = requested[OBJECT_ACL_HEADER];
    attributes = { contentType: reader.meta.contentType, headers };
  }
  const staged = await env.store.stageBody(bucket);
  const copied = await copyBytes(reader, staged);
  const meta: ObjectMeta = await env.store.commitObject(staged, {
    bucket,
    key,
    size: copied.size,
    etag: quotedMd5(copied.md5),
    crc64: copied.crc64,
    ...attributes,
  });
  exchange.sendXml(200, copyObjectResultXml(meta), {
    ...versionHeaders(meta),
    ...crc64Headers(meta),
    ...(source.versionId ? { 'x-cos-copy-source-version-id': source.versionId } : {}),
  });
}

/** Reads `x-cos-copy-source-range: bytes=first-last` against the source size; 400 `InvalidArgument` if it does not fit. */
function copyRange(value: string | undefined, size: number): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || start > end || end >= size) {
    throw cosErrors.invalidArgument(
      `x-cos-copy-source-range must be bytes=first-last within the source object (${size} bytes).`,
    );
  }
  return { start, end };
}

/**
 * Upload Part - Copy (`PUT /<key>?partNumber=N&uploadId=ID` with `x-cos-copy-source`): the part is the source's
 * bytes, or the `x-cos-copy-source-range` of them. Answer: `<CopyPartResult>` with the part's ETag.
 */
async function uploadPartCopy(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket } = context;
  const partNumber = partNumberOf(context);
  const upload = findUpload(context);
  const { reader } = await openCopySource(context);
  let range: { start: number; end: number } | undefined;
  try {
    range = copyRange(header(exchange.req, 'x-cos-copy-source-range'), reader.meta.size);
  } catch (error) {
    await reader.close();
    throw error;
  }
  const staged = await orNoSuchUpload(context, upload.uploadId, env.store.stageBody(bucket, upload.uploadId));
  const copied = await copyBytes(reader, staged, range);
  const part = await orNoSuchUpload(
    context,
    upload.uploadId,
    env.store.commitPart(staged, {
      bucket,
      uploadId: upload.uploadId,
      partNumber,
      size: copied.size,
      etag: quotedMd5(copied.md5),
      crc64: copied.crc64,
    }),
  );
  exchange.sendXml(200, copyPartResultXml(part), crc64Headers(part));
}

/** Copy routes: PutObjectCopy and UploadPartCopy (selected by the `x-cos-copy-source` header). */
export const copyRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'PutObjectCopy',
    method: 'PUT',
    scope: 'object',
    subresources: [],
    header: 'x-cos-copy-source',
    handler: putObjectCopy,
  },
  {
    operation: 'UploadPartCopy',
    method: 'PUT',
    scope: 'object',
    subresources: ['partNumber', 'uploadId'],
    header: 'x-cos-copy-source',
    handler: uploadPartCopy,
  },
];

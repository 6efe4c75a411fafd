import { createHash } from 'node:crypto';
import { cosErrors } from '../errors/cos-errors';
import { declaredLength } from '../http/request-body';
import { type MultipartUploadInfo, NoSuchUploadError } from '../storage/object-store';
import { Crc64, crc64OfStream } from '../util/crc64';
import { completeMultipartUploadXml, initiateMultipartUploadXml, listPartsXml } from './multipart.xml';
import type { ParsedXml, ParsedXmlValue } from '../xml/xml';
import { readXmlBody } from './xml-body';
import { checkUploadHeaders, receiveUpload } from './body-upload';
import { encryptionHeaders, sseHeader } from './server-side-encryption';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { runPicOperations } from '../processing/run-pic-operations';
import { readAll } from '../util/read-all';
import {
  checkKey,
  contentTypeOf,
  crc64Headers,
  header,
  integerParam,
  picServices,
  quotedMd5,
  storedHeadersOf,
  unquote,
  versionHeaders,
} from './handler.utils';
import { checkForbidOverwrite } from './forbid-overwrite';

/** Largest part number COS accepts. */
export const MAX_PART_NUMBER = 10000;

/** Largest CompleteMultipartUpload body read (10000 parts take about 850 KB). */

/** The upload named by `?uploadId`, which must belong to the addressed key; 404 `NoSuchUpload` otherwise. */
export function findUpload(context: HandlerContext): MultipartUploadInfo {
  const uploadId = context.target.query.get('uploadId') ?? '';
  const upload = context.env.store.getMultipartUpload(context.bucket, uploadId);
  if (!upload || upload.key !== context.key) throw cosErrors.noSuchUpload();
  return upload;
}

/**
 * Runs a store task of an upload; when it fails because the upload ended meanwhile (aborted or completed:
 * the store's {@link NoSuchUploadError}, or any failure once the upload is gone), answers 404 `NoSuchUpload`.
 */
export async function orNoSuchUpload<T>(
  context: HandlerContext,
  uploadId: string,
  task: Promise<T>,
): Promise<T> {
  try {
    return await task;
  } catch (error) {
    if (
      error instanceof NoSuchUploadError ||
      !context.env.store.getMultipartUpload(context.bucket, uploadId)
    ) {
      throw cosErrors.noSuchUpload();
    }
    throw error;
  }
}

/** Initiate Multipart Upload (`POST /<key>?uploads`): the content type and metadata apply to the object. */
async function initiateMultipartUpload(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, key } = context;
  checkKey(key);
  const upload = await env.store.createMultipartUpload(bucket, key, {
    contentType: contentTypeOf(exchange.req, key),
    headers: { ...storedHeadersOf(exchange.req), ...encryptionHeaders(env.store, bucket, exchange.req) },
  });
  exchange.sendXml(200, initiateMultipartUploadXml(upload), sseHeader(upload));
}

/** The `?partNumber` of an Upload Part (plain or copy); 400 `InvalidArgument` outside 1 to 10000. */
export function partNumberOf(context: HandlerContext): number {
  const partNumber = integerParam(context.target.query, 'partNumber', {
    min: 1,
    max: MAX_PART_NUMBER,
    fallback: 0,
  });
  if (partNumber === 0) {
    throw cosErrors.invalidArgument(`partNumber must be an integer from 1 to ${MAX_PART_NUMBER}.`);
  }
  return partNumber;
}

/** Upload Part (`PUT /<key>?partNumber=N&uploadId=ID`): stores the part apart until Complete. */
async function uploadPart(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket } = context;
  const partNumber = partNumberOf(context);
  const upload = findUpload(context);
  const preconditions = checkUploadHeaders(context, env.maxObjectSize);
  const body = await orNoSuchUpload(
    context,
    upload.uploadId,
    receiveUpload(context, preconditions, env.maxObjectSize, upload.uploadId),
  );
  const part = await orNoSuchUpload(
    context,
    upload.uploadId,
    env.store.commitPart(body.staged, {
      bucket,
      uploadId: upload.uploadId,
      partNumber,
      size: body.size,
      etag: quotedMd5(body.md5),
      crc64: body.crc64,
    }),
  );
  exchange.sendEmpty(200, { ETag: part.etag, ...crc64Headers(part) });
}

function text(value: ParsedXmlValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The `(PartNumber, ETag)` list of a CompleteMultipartUpload body; 400 `MalformedXML` when it has none. */
function partsOf(doc: ParsedXml): Array<{ partNumber: number; etag: string }> {
  const root = doc.CompleteMultipartUpload;
  const parts = root && typeof root === 'object' && !Array.isArray(root) ? root.Part : undefined;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw cosErrors.malformedXml('The XML must be <CompleteMultipartUpload> with at least one <Part>.');
  }
  return parts.map((part) => {
    const fields = part && typeof part === 'object' && !Array.isArray(part) ? part : {};
    const number = text(fields.PartNumber);
    const etag = text(fields.ETag);
    if (!number || !/^\d+$/.test(number) || etag === undefined) {
      throw cosErrors.malformedXml('Every <Part> needs a numeric <PartNumber> and an <ETag>.');
    }
    return { partNumber: Number(number), etag };
  });
}

/**
 * Checks a Complete's part list against the uploaded parts (ascending, every part uploaded with that ETag, every
 * part but the last at least the minimum size, the total within the largest object) and says what joining them
 * makes: the size, the ETag (`"<md5 of the concatenated binary part MD5s>-<parts>"`), and whether every part
 * had a CRC-64 (COS then answers the object's).
 */
function joinedParts(
  context: HandlerContext,
  uploadId: string,
  requested: ReadonlyArray<{ partNumber: number; etag: string }>,
): { total: number; etag: string; partNumbers: number[]; crcKnown: boolean } {
  const { env, bucket } = context;
  const stored = new Map(env.store.listParts(bucket, uploadId).map((p) => [p.partNumber, p]));
  requested.forEach(({ partNumber }, index) => {
    if (index > 0 && partNumber <= requested[index - 1].partNumber) throw cosErrors.invalidPartOrder();
  });
  let total = 0;
  const digests: Buffer[] = [];
  requested.forEach(({ partNumber, etag }, index) => {
    const part = stored.get(partNumber);
    if (!part || unquote(part.etag) !== unquote(etag)) {
      throw cosErrors.invalidPart(
        `Part ${partNumber} was not uploaded, or its ETag does not match: every part must be uploaded and listed with the ETag it was given.`,
      );
    }
    if (index < requested.length - 1 && part.size < env.minPartSize) {
      throw cosErrors.entityTooSmall(
        `Part ${partNumber} is ${part.size} bytes: every part but the last must be at least ${env.minPartSize} bytes.`,
      );
    }
    total += part.size;
    digests.push(Buffer.from(unquote(part.etag), 'hex'));
  });
  if (total > env.maxObjectSize) throw cosErrors.entityTooLarge(env.maxObjectSize);

  const etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${requested.length}"`;
  const partNumbers = requested.map((p) => p.partNumber);
  const crcKnown = requested.every(({ partNumber }) => stored.get(partNumber)?.crc64 !== undefined);
  return { total, etag, partNumbers, crcKnown };
}

/**
 * Complete Multipart Upload (`POST /<key>?uploadId=ID`): checks the part list ({@link joinedParts}) and joins the
 * parts. With `Pic-Operations`, the joined parts are
 * processed first; the upload is completed and the outputs stored only when every rule succeeded.
 */
async function completeMultipartUpload(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, key } = context;
  const { req } = exchange;
  const upload = findUpload(context);
  checkForbidOverwrite(context);
  const picOperations = header(req, 'pic-operations');
  if (picOperations !== undefined && declaredLength(req) === undefined) {
    throw cosErrors.missingContentLength(
      'A request carrying Pic-Operations must declare its Content-Length: CI does not read chunked bodies.',
    );
  }
  const requested = partsOf(await readXmlBody(context, ['CompleteMultipartUpload.Part']));
  const { total, etag, partNumbers, crcKnown } = joinedParts(context, upload.uploadId, requested);
  if (picOperations === undefined) {
    const crc64 = crcKnown
      ? await orNoSuchUpload(
          context,
          upload.uploadId,
          env.store.openUploadParts(bucket, upload.uploadId, partNumbers).then(crc64OfStream),
        )
      : undefined;
    const object = await orNoSuchUpload(
      context,
      upload.uploadId,
      env.store.completeMultipartUpload(bucket, upload.uploadId, partNumbers, etag, crc64),
    );
    exchange.sendXml(200, completeMultipartUploadXml(object, context.target), {
      ...versionHeaders(object),
      ...crc64Headers(object),
    });
    return;
  }

  // Processing runs on the joined parts BEFORE the upload is completed: when it fails, nothing is stored and
  // the upload stays open (the client may retry Complete, or abort it).
  const { original: object, result } = await runPicOperations(
    {
      trigger: 'CompleteMultipartUpload',
      bucket,
      key,
      picOperations,
      requestId: exchange.requestId,
      sourceSize: total,
      readSource: async () => ({
        bytes: await orNoSuchUpload(
          context,
          upload.uploadId,
          env.store.openUploadParts(bucket, upload.uploadId, partNumbers).then(readAll),
        ),
        original: { bucket, key, size: total, etag, contentType: upload.contentType },
      }),
      storeOriginal: (source) => {
        checkPartsUnchanged(context, upload.uploadId, requested);
        const crc64 = crcKnown ? new Crc64().update(source).value : undefined;
        return orNoSuchUpload(
          context,
          upload.uploadId,
          env.store.completeMultipartUpload(bucket, upload.uploadId, partNumbers, etag, crc64),
        );
      },
    },
    picServices(context),
  );
  exchange.sendXml(200, completeMultipartUploadXml(object, context.target, result), {
    ...versionHeaders(object),
    ...crc64Headers(object),
  });
}

/**
 * Refuses (400 `InvalidPart`) a Complete whose parts were replaced while its source was being processed: the
 * object would then not be the image that was processed.
 */
function checkPartsUnchanged(
  context: HandlerContext,
  uploadId: string,
  requested: ReadonlyArray<{ partNumber: number; etag: string }>,
): void {
  const now = new Map(context.env.store.listParts(context.bucket, uploadId).map((p) => [p.partNumber, p]));
  for (const { partNumber, etag } of requested) {
    if (unquote(now.get(partNumber)?.etag ?? '') !== unquote(etag)) {
      throw cosErrors.invalidPart(`Part ${partNumber} was replaced while the upload was being completed.`);
    }
  }
}

/** Abort Multipart Upload (`DELETE /<key>?uploadId=ID`): 204, parts dropped; 404 `NoSuchUpload`. */
async function abortMultipartUpload(context: HandlerContext): Promise<void> {
  const upload = findUpload(context);
  if (!(await context.env.store.abortMultipartUpload(context.bucket, upload.uploadId))) {
    throw cosErrors.noSuchUpload();
  }
  context.exchange.sendEmpty(204);
}

/** List Parts (`GET /<key>?uploadId=ID`), paged by `max-parts` and `part-number-marker`. */
async function listParts(context: HandlerContext): Promise<void> {
  const { exchange, env, bucket, target } = context;
  const upload = findUpload(context);
  const maxParts = integerParam(target.query, 'max-parts', {
    min: 0,
    max: 1000,
    fallback: 1000,
    clamp: true,
  });
  const marker = integerParam(target.query, 'part-number-marker', {
    min: 0,
    max: MAX_PART_NUMBER,
    fallback: 0,
  });
  const after = env.store.listParts(bucket, upload.uploadId).filter((p) => p.partNumber > marker);
  const parts = after.slice(0, maxParts);
  const isTruncated = after.length > parts.length;
  exchange.sendXml(
    200,
    listPartsXml(
      {
        upload,
        parts,
        partNumberMarker: marker,
        maxParts,
        isTruncated,
        nextPartNumberMarker: parts.length ? parts[parts.length - 1].partNumber : marker,
        encodingType: target.query.get('encoding-type'),
      },
      env.appId,
    ),
  );
}

/** Multipart routes: Initiate, UploadPart, Complete, Abort, ListParts. */
export const multipartRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'InitiateMultipartUpload',
    method: 'POST',
    scope: 'object',
    subresources: ['uploads'],
    handler: initiateMultipartUpload,
  },
  {
    operation: 'UploadPart',
    method: 'PUT',
    scope: 'object',
    subresources: ['partNumber', 'uploadId'],
    handler: uploadPart,
  },
  {
    operation: 'CompleteMultipartUpload',
    method: 'POST',
    scope: 'object',
    subresources: ['uploadId'],
    handler: completeMultipartUpload,
  },
  {
    operation: 'AbortMultipartUpload',
    method: 'DELETE',
    scope: 'object',
    subresources: ['uploadId'],
    handler: abortMultipartUpload,
  },
  { operation: 'ListParts', method: 'GET', scope: 'object', subresources: ['uploadId'], handler: listParts },
];

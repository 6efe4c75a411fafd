import type { IncomingMessage } from 'node:http';
import { cosErrors } from '../errors/cos-errors';
import { bucketSubresources } from '../storage/bucket-subresources';
import type { ObjectStore, StoredHeaders } from '../storage/object-store';
import { parseXmlDocument } from '../xml/xml';
import { header } from './handler.utils';
import { child, textOf } from './xml-body';

/** The header naming an object's server-side encryption (COS's "服务端加密概述" / PUT Object pages). */
export const SSE_HEADER = 'x-cos-server-side-encryption';

/** The values COS takes in `x-cos-server-side-encryption`: SSE-COS, SSE-KMS, and SM4. */
const SSE_VALUES: ReadonlySet<string> = new Set(['AES256', 'cos/kms', 'SM4']);

/** A bucket's default encryption (PUT Bucket encryption `SSEAlgorithm`) as the object header it gives. */
const DEFAULT_TO_HEADER: Readonly<Record<string, string>> = { AES256: 'AES256', KMS: 'cos/kms', SM4: 'SM4' };

/**
 * The server-side encryption an upload is stored with: the request's `x-cos-server-side-encryption` (400
 * `InvalidArgument` for another value), else the bucket's default encryption, else none. The emulator keeps the
 * bytes as they are (nothing is encrypted at rest); the header is stored and answered on PUT, GET and HEAD.
 */
export function encryptionHeaders(store: ObjectStore, bucket: string, req: IncomingMessage): StoredHeaders {
  const requested = header(req, SSE_HEADER)?.trim();
  if (requested !== undefined) {
    if (!SSE_VALUES.has(requested)) {
      throw cosErrors.invalidArgument(`${SSE_HEADER} must be one of ${[...SSE_VALUES].join(', ')}.`);
    }
    return { [SSE_HEADER]: requested };
  }
  const document = bucketSubresources.get(store, bucket, 'encryption');
  if (!document) return {};
  const rule = child(
    child(parseXmlDocument(document).ServerSideEncryptionConfiguration, 'Rule'),
    'ApplySideEncryptionConfiguration',
  );
  const algorithm = textOf(child(rule, 'SSEAlgorithm'));
  const value = algorithm ? DEFAULT_TO_HEADER[algorithm] : undefined;
  return value ? { [SSE_HEADER]: value } : {};
}

/** `x-cos-server-side-encryption` of a stored object, for the answer of the request that stored it. */
export function sseHeader(meta: { headers: StoredHeaders }): StoredHeaders {
  const value = meta.headers[SSE_HEADER];
  return value === undefined ? {} : { [SSE_HEADER]: value };
}

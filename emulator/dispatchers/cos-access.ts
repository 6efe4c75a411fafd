import type { IncomingHttpHeaders } from 'node:http';
import { parsePicOperations } from '../../lib/core/pic-operations';
import { parseCopySource } from '../handlers/copy.handlers';
import type { ClassifiedRequest } from '../routing/classified-request';

/** One bucket (or object) a request reads or writes, and how. */
export interface Touch {
  bucket: string;
  /** The object, for a read of one (its own ACL may differ from its bucket's). */
  key?: string;
  /** `read`: an object (GET, HEAD, download processing); `list`: a bucket; `write`: into a bucket. */
  access: 'read' | 'list' | 'write';
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The buckets a `Pic-Operations` header writes its outputs to besides the request's own: each rule's `bucket`.
 * A header that does not parse touches none (the handler refuses it, 400, before anything is written).
 */
function ruleBuckets(headers: IncomingHttpHeaders): string[] {
  const value = headerOf(headers, 'pic-operations');
  if (value === undefined) return [];
  try {
    return parsePicOperations(value).rules.flatMap((rule) => (rule.bucket ? [rule.bucket] : []));
  } catch {
    return [];
  }
}

/**
 * The object a copy reads (`x-cos-copy-source`); none when the header does not parse (the handler answers 400).
 * COS's PUT Object - Copy reference (tencentcloud.com/document/api/436/10881): a copy needs read permission on
 * the source (or its ACL `public-read`) and write permission on the destination bucket, as a GET there and a PUT here.
 */
function copySource(headers: IncomingHttpHeaders): Touch[] {
  try {
    const { bucket, key } = parseCopySource(headerOf(headers, 'x-cos-copy-source') ?? '');
    return [{ bucket, key, access: 'read' }];
  } catch {
    return [];
  }
}

/**
 * Everything an anonymous (unsigned) request would read or write, or `undefined` for an operation an anonymous
 * caller may never run. What is touched is what the request really reaches, as the front door classified it:
 * the object behind a style URL (`a.jpg!thumb` reads `a.jpg`), every bucket a `Pic-Operations` rule writes to, the
 * object a copy reads.
 */
export function anonymousTouches(
  request: ClassifiedRequest,
  headers: IncomingHttpHeaders,
): Touch[] | undefined {
  const { bucket, key, operation } = request;
  if (!bucket) return undefined;
  switch (operation) {
    // Download-time processing reads the object: COS asks of it what GET asks.
    case 'GetObject':
    case 'HeadObject':
    case 'GetObjectProcessed':
    case 'ImageInfo':
    case 'ImageAve':
    case 'GetExif':
      return [{ bucket, key, access: 'read' }];
    case 'GetBucket':
    case 'HeadBucket':
      return [{ bucket, access: 'list' }];
    case 'PutObject':
      return [bucket, ...ruleBuckets(headers)].map((b) => ({ bucket: b, access: 'write' }));
    case 'PutObjectCopy':
      return [{ bucket, access: 'write' }, ...copySource(headers)];
    case 'DeleteObject':
      return [{ bucket, access: 'write' }];
    default:
      return undefined;
  }
}

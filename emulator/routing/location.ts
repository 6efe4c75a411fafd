import { encodeKeyPath } from '../../lib/protocol/cos-v5/encode';
import type { CosTarget } from './resolve-target';

/** Where a request was addressed: the authority the client used and its addressing style. */
export type LocationOrigin = Pick<CosTarget, 'host' | 'style' | 'bucket'>;

/**
 * The `Location` answered for an object, without scheme, on the host the client addressed, as COS does on its
 * own (`<bucket>.cos.<region>.myqcloud.com/<key>`): `<host>/<key>` virtual-hosted, `<host>/<bucket>/<key>`
 * path-style (`127.0.0.1:9000/photos-1250000000/a.jpg`), so that it points at the emulator, not at Tencent.
 */
export function objectLocation(bucket: string, key: string, origin: LocationOrigin): string {
  if (origin.style === 'path') return `${origin.host}/${bucket}${encodeKeyPath(key)}`;
  // Virtual-hosted: the bucket is the host's first label; an output written to another bucket gets its own.
  const host =
    origin.bucket && origin.host.startsWith(`${origin.bucket}.`)
      ? `${bucket}${origin.host.slice(origin.bucket.length)}`
      : origin.host;
  return `${host}${encodeKeyPath(key)}`;
}

/** The `Resource` of an error envelope, named as COS names it: the object's or the bucket's, or the request path. */
export function errorResource(region: string, bucket: string | undefined, key: string, path: string): string {
  if (!bucket) return path;
  return `${bucket}.cos.${region}.myqcloud.com${key ? encodeKeyPath(key) : '/'}`;
}

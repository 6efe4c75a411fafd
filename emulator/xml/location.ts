import { encodeKeyPath } from '../../lib/protocol/cos-v5/encode';

/** The `Location` COS answers for an object: `<bucket>.cos.<region>.myqcloud.com/<encoded key>`, no scheme. */
export function objectLocation(bucket: string, region: string, key: string): string {
  return `${bucket}.cos.${region}.myqcloud.com${encodeKeyPath(key)}`;
}

/** The `Resource` of an error envelope: the object's location, the bucket's host, or the request path. */
export function errorResource(region: string, bucket: string | undefined, key: string, path: string): string {
  if (!bucket) return path;
  return key ? objectLocation(bucket, region, key) : `${bucket}.cos.${region}.myqcloud.com/`;
}

/**
 * RFC 3986 encoding as COS signs it: `encodeURIComponent` plus `!'()*`, so only `A-Z a-z 0-9 - _ . ~` stay
 * unencoded (cos-nodejs-sdk-v5 `camSafeUrlEncode`, cos-go-sdk-v5 `safeURLEncode`).
 */
export function cosEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** Encodes an object key for the request path: every segment encoded, `/` kept. */
export function encodeKeyPath(key: string): string {
  return '/' + key.split('/').map(cosEncode).join('/');
}

import { cosErrors } from '../errors/cos-errors';
import { QueryParams } from './query-params';

/** How the request named its bucket. */
export type AddressingStyle = 'virtual-hosted' | 'path';

/** What a request addresses: bucket, key, and the pathnames its signature may cover. */
export interface CosTarget {
  style: AddressingStyle;
  /** The authority the client addressed: the absolute-form target's, else the `Host` header. */
  host: string;
  /** `name-appid`, or `undefined` for a service request (`GET /` with no bucket). */
  bucket?: string;
  /** Region named by a virtual-hosted host (`<bucket>.cos.<region>.<domain>`). */
  region?: string;
  /** Decoded object key; `''` for a bucket request. */
  key: string;
  /**
   * Decoded pathnames a q-sign signature may be computed over. Virtual-hosted: `/<key>`. Path-style:
   * `/<key>` (what this project's client signs) and `/<bucket>/<key>` (what path-style SDKs signed).
   */
  signingPathnames: string[];
  query: QueryParams;
}

// `<bucket>.cos.<region>.<domain>`: myqcloud.com, tencentcos.cn, or any domain pointed at the emulator.
const VIRTUAL_HOST = /^([^.]+)\.cos\.([^.]+)\.(.+)$/i;
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i;

/** The hostname of a `host[:port]` authority, lower-cased (IPv6 brackets kept). */
function hostnameOf(authority: string): string {
  const host = authority.replace(/^[^@]*@/, '');
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

function decodeSegments(segments: string[]): string[] {
  try {
    return segments.map((s) => decodeURIComponent(s));
  } catch {
    throw cosErrors.invalidUri('The request path is not correctly percent-encoded.');
  }
}

/**
 * The key COS addresses for a decoded path: empty and `.` segments dropped, `..` kept as a literal segment. The
 * official SDK's suite (cos-nodejs-sdk-v5 `test/test.js`, "getObject() 手动关闭合并 Key 校验", run against COS)
 * stores and reads back the keys `/abc/../` and `///abc/.//def//../../` with the SDK's own `simplifyPath` check
 * off: COS does not resolve `..` (the SDK's check only refuses what it cannot tell from a bucket listing). A
 * trailing `/` (a folder object, `photos/`) is kept.
 *
 * @example normalizeKey(['', 'a', '.', 'b', '', '..', 'c', '']) // 'a/b/../c/'
 */
export function normalizeKey(segments: readonly string[]): string {
  const key = segments.filter((segment) => segment !== '' && segment !== '.').join('/');
  return key && segments[segments.length - 1] === '' ? key + '/' : key;
}

/** The pathnames a signature may cover for `key`: the normalized one, and the path as the client sent it. */
function pathnamesFor(key: string, raw: string): string[] {
  return raw === key ? ['/' + key] : ['/' + key, '/' + raw];
}

/**
 * Works out the bucket and key of a request, from a virtual-hosted `Host` (also when the request line is in
 * absolute form, as through a proxy) or, when the host names no bucket, from a path-style `/<bucket>/<key>`.
 * The key is decoded segment by segment (clients percent-encode it in the path and sign it decoded).
 *
 * @example
 * resolveTarget({ url: '/photos/a%20b.jpg', headers: { host: 'b-1250000000.cos.ap-guangzhou.myqcloud.com' } })
 * // { style: 'virtual-hosted', bucket: 'b-1250000000', key: 'photos/a b.jpg', ... }
 */
export function resolveTarget(req: { url?: string; headers: { host?: string } }): CosTarget {
  const url = req.url ?? '/';
  let authority = req.headers.host ?? '';
  let path: string;
  let rawQuery: string;
  const absolute = ABSOLUTE_FORM.exec(url);
  if (absolute) {
    authority = absolute[1] || authority;
    path = absolute[2] || '/';
    rawQuery = absolute[3] ?? '';
  } else {
    const q = url.indexOf('?');
    path = q < 0 ? url : url.slice(0, q);
    rawQuery = q < 0 ? '' : url.slice(q + 1);
  }
  if (!path.startsWith('/')) throw cosErrors.invalidUri();
  const query = QueryParams.parse(rawQuery);
  const hostname = hostnameOf(authority);
  const segments = decodeSegments(path.slice(1).split('/'));

  const virtual = hostname.startsWith('service.cos.') ? null : VIRTUAL_HOST.exec(hostname);
  if (virtual) {
    const key = normalizeKey(segments);
    // `///` or `/./` names neither an object nor the bucket (`/`): the same suite expects an error there.
    if (!key && path !== '/') {
      throw cosErrors.invalidUri(`The path ${path} addresses no object: it has only empty or "." segments.`);
    }
    return {
      style: 'virtual-hosted',
      host: authority,
      bucket: virtual[1],
      region: virtual[2],
      key,
      signingPathnames: pathnamesFor(key, segments.join('/')),
      query,
    };
  }

  const [bucket = '', ...rest] = segments;
  if (!bucket) {
    return { style: 'path', host: authority, key: '', signingPathnames: ['/'], query };
  }
  const key = normalizeKey(rest);
  const signingPathnames = key
    ? [...pathnamesFor(key, rest.join('/')), `/${bucket}/${key}`]
    : ['/', `/${bucket}/`, `/${bucket}`];
  return { style: 'path', host: authority, bucket, key, signingPathnames, query };
}

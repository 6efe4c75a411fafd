import { COS_MAX_KEY_BYTES as MAX_KEY_BYTES } from '../../lib/core/pic-operations';
import type { FilesV2Address } from '../routing/files-v2-address';
import { filesV2Errors } from './files-v2.errors';

export type { FilesV2Address } from '../routing/files-v2-address';

// A COS virtual host (`<bucket>.cos.<region>.<domain>`) serves object keys, even `files/v2/...` ones.
const COS_VIRTUAL_HOST = /^[^.]+\.cos\.[^.]+\./i;
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)([^?#]*)/i;
const PREFIX = '/files/v2';

function splitTarget(req: { url?: string; headers: { host?: string } }): { host: string; path: string } {
  const url = req.url ?? '/';
  const absolute = ABSOLUTE_FORM.exec(url);
  if (absolute) return { host: absolute[1] || (req.headers.host ?? ''), path: absolute[2] || '/' };
  const q = url.indexOf('?');
  return { host: req.headers.host ?? '', path: q < 0 ? url : url.slice(0, q) };
}

/**
 * True when a request is for the files-v2 API: its path starts with `/files/v2/` (or is `/files/v2`) and its host
 * is not a COS virtual host (there `/files/v2/...` is an object key of that bucket). Never throws.
 */
export function isFilesV2Request(req: { url?: string; headers: { host?: string } }): boolean {
  const { host, path } = splitTarget(req);
  if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
  return !COS_VIRTUAL_HOST.test(host);
}

/**
 * Reads `/files/v2/<appid>/<bucket>/<key>` (bucket as its short name, each key segment percent-decoded); -4001
 * for a path without APPID, bucket or key, a key over 850 bytes, or bad percent-encoding.
 * @example parseFilesV2Path('/files/v2/1250000000/photos/a%20b.jpg') // { bucket: 'photos-1250000000', key: 'a b.jpg', ... }
 */
export function parseFilesV2Path(req: { url?: string; headers: { host?: string } }): FilesV2Address {
  const { path } = splitTarget(req);
  const [appId = '', bucketShort = '', ...rest] = path.slice(PREFIX.length + 1).split('/');
  let key: string;
  try {
    key = rest.map((segment) => decodeURIComponent(segment)).join('/');
  } catch {
    throw filesV2Errors.invalidParameter('the request path is not correctly percent-encoded');
  }
  if (!/^\d+$/.test(appId) || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(bucketShort)) {
    throw filesV2Errors.invalidParameter('the path must be /files/v2/<appid>/<bucket>/<key>');
  }
  if (!key || key.endsWith('/')) {
    throw filesV2Errors.invalidParameter(
      'the path names no file: only file operations are served (/files/v2/<appid>/<bucket>/<key>)',
    );
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw filesV2Errors.invalidParameter(`the key is longer than ${MAX_KEY_BYTES} bytes`);
  }
  return { appId, bucketShort, bucket: `${bucketShort}-${appId}`, key };
}

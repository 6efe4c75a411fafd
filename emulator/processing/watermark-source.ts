import type { ObjectStore } from '../storage/object-store';
import { MAX_SOURCE_BYTES_CEILING } from './processing-limits';

/** What {@link createWatermarkLoader} needs. */
export interface WatermarkLoaderOptions {
  store: Pick<ObjectStore, 'openObject'>;
  /** The emulator's region: a `<bucket>.cos.<region>.<domain>` URL must name it. */
  region: string;
  /** True for an authority (`host:port`) that is the emulator itself (then the URL is path-style). */
  isOwnHost: (authority: string) => boolean;
  /** Largest watermark read, in bytes. Default 32 MiB. */
  maxBytes?: number;
}

/** Loads the bytes behind a `watermark/1` URL for a rule running on an object of `sourceBucket`. */
export type WatermarkLoader = (sourceBucket: string, url: string) => Promise<Buffer | undefined>;

// `<bucket>.cos.<region>.<domain>`, or the CI origin `<bucket>.ci.<region>.<domain>` (`pic` on older pages).
const ORIGIN_HOST = /^([a-z0-9-]+)\.(?:cos|ci|pic)\.([a-z0-9-]+)\.[^/]+$/i;

function decodePath(segments: string[]): string | undefined {
  try {
    return segments.map((s) => decodeURIComponent(s)).join('/');
  } catch {
    return undefined;
  }
}

/** The bucket and key a watermark URL names, or `undefined` when it is not one of the emulator's objects. */
function locate(url: string, options: WatermarkLoaderOptions): { bucket: string; key: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // CI reads watermarks over http from the origin domain only (not https, not a CDN).
  if (parsed.protocol !== 'http:') return undefined;
  const segments = parsed.pathname.split('/').slice(1);
  const origin = ORIGIN_HOST.exec(parsed.hostname);
  if (origin) {
    if (origin[2].toLowerCase() !== options.region) return undefined;
    const key = decodePath(segments);
    return key ? { bucket: origin[1].toLowerCase(), key } : undefined;
  }
  if (!options.isOwnHost(parsed.host)) return undefined;
  const [bucket, ...rest] = segments;
  const key = decodePath(rest);
  return bucket && key ? { bucket, key } : undefined;
}

/**
 * The `loadWatermark` of the emulator: a `watermark/1` URL is read from the emulator's own store, from the same
 * bucket as the image being processed (CI's rule), addressed as `http://<bucket>.cos.<region>.myqcloud.com/<key>`
 * (or the `ci` origin domain), or path-style on the emulator's own URL (`http://127.0.0.1:PORT/<bucket>/<key>`).
 * Any other URL, another bucket, a missing object or one over `maxBytes` gives `undefined` (the rule then fails
 * with `InvalidArgument`).
 * @example createWatermarkLoader({ store, region: 'ap-guangzhou', isOwnHost })('b-1250000000', 'http://b-1250000000.cos.ap-guangzhou.myqcloud.com/logo.png')
 */
export function createWatermarkLoader(options: WatermarkLoaderOptions): WatermarkLoader {
  const maxBytes = options.maxBytes ?? MAX_SOURCE_BYTES_CEILING;
  return async (sourceBucket, url) => {
    const target = locate(url, options);
    if (!target || target.bucket !== sourceBucket) return undefined;
    const reader = await options.store.openObject(target.bucket, target.key);
    if (!reader) return undefined;
    if (reader.meta.size > maxBytes) {
      await reader.close();
      return undefined;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of reader.stream()) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
}

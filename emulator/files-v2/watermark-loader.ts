import type { ObjectStore } from '../storage/object-store';

const COS_VIRTUAL_HOST = /^([^.]+)\.cos\.[^.]+\./i;

/**
 * The `loadWatermark` of the engine for files-v2: a `watermark/1` URL names an object of the emulator, either
 * virtual-hosted (`http://<bucket>.cos.<region>.myqcloud.com/<key>`, the form CI documents) or path-style on the
 * emulator (`<emulator url>/<bucket>/<key>`). Answers its bytes, or `undefined` when there is no such object.
 */
export function watermarkLoader(store: ObjectStore): (url: string) => Promise<Buffer | undefined> {
  return async (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    let segments: string[];
    try {
      segments = parsed.pathname.slice(1).split('/').map(decodeURIComponent);
    } catch {
      return undefined;
    }
    const virtual = COS_VIRTUAL_HOST.exec(parsed.hostname);
    const bucket = virtual ? virtual[1]! : segments.shift();
    const key = segments.join('/');
    if (!bucket || !key) return undefined;
    const reader = await store.openObject(bucket, key);
    if (!reader) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of reader.stream()) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
}

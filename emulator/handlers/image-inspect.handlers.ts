import { Readable } from 'node:stream';
import { cosErrors } from '../errors/cos-errors';
import type { CosHandlerRoute, HandlerContext } from './handler.types';
import { readAll } from '../util/read-all';

/** Largest source CI inspects (CI's "异常图片检测 / Abnormal Image Detection" page: 32 MB). */
const MAX_INSPECTED_BYTES = 32 * 1024 * 1024;

/** The format of an image by its signature bytes, as CI names it (`PNG`, `JPG`, ...); `undefined` otherwise. */
function imageFormat(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'PNG';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPG';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'GIF';
  if (bytes.subarray(0, 2).toString('latin1') === 'BM') return 'BMP';
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'WEBP';
  return undefined;
}

/** Where the image itself ends, for the two containers CI inspects (PNG: after `IEND`; BMP: its header's size). */
function imageEnd(bytes: Buffer, format: string): number {
  if (format === 'BMP' && bytes.length >= 6) return Math.min(bytes.readUInt32LE(2), bytes.length);
  if (format === 'PNG') {
    let offset = 8;
    while (offset + 12 <= bytes.length) {
      const length = bytes.readUInt32BE(offset);
      const type = bytes.subarray(offset + 4, offset + 8).toString('latin1');
      offset += 12 + length;
      if (type === 'IEND') return Math.min(offset, bytes.length);
    }
  }
  return bytes.length;
}

/**
 * CI `GET /<key>?ci-process=ImageInspect` (CI's "Abnormal Image Detection" page): answers `picSize`, `picType`,
 * `suspicious`, `suspiciousBeginByte`, `suspiciousEndByte`, `suspiciousSize`, `suspiciousType`. A stand-in for
 * CI's detector: a PNG or BMP followed by more bytes is suspicious from where the image ends (type `MPEG-TS` when
 * those bytes start with the TS sync byte 0x47, else `unknown`); anything else is not. Other `ci-process` values
 * answer 501.
 */
async function imageInspect(context: HandlerContext): Promise<void> {
  const { env, bucket, key, exchange, target } = context;
  const process = target.query.get('ci-process');
  if (process !== 'ImageInspect') {
    throw cosErrors.notImplemented(`The emulator does not implement ci-process=${process ?? ''}.`);
  }
  const meta = env.store.headObject(bucket, key);
  if (!meta) throw cosErrors.noSuchKey();
  if (meta.size > MAX_INSPECTED_BYTES)
    throw cosErrors.invalidArgument('ImageInspect takes images up to 32 MB.');
  const reader = await env.store.openObject(bucket, key);
  if (!reader) throw cosErrors.noSuchKey();
  const bytes = await readAll(reader.stream());
  const format = imageFormat(bytes);
  if (!format) throw cosErrors.invalidArgument('The object is not an image CI can inspect.');
  const end = imageEnd(bytes, format);
  const suspicious = end < bytes.length;
  const answer = {
    picSize: bytes.length,
    picType: format,
    suspicious,
    suspiciousBeginByte: suspicious ? end : 0,
    suspiciousEndByte: suspicious ? bytes.length - 1 : 0,
    suspiciousSize: suspicious ? bytes.length - end : 0,
    suspiciousType: suspicious ? (bytes[end] === 0x47 ? 'MPEG-TS' : 'unknown') : '',
  };
  const body = Buffer.from(JSON.stringify(answer), 'utf8');
  await exchange.sendStream(
    200,
    { 'Content-Type': 'application/json', 'Content-Length': body.length },
    Readable.from([body]),
  );
}

/** The CI `ci-process` route of an object: ImageInspect. */
export const imageInspectRoutes: readonly CosHandlerRoute[] = [
  {
    operation: 'ImageInspect',
    method: 'GET',
    scope: 'object',
    subresources: ['ci-process'],
    handler: imageInspect,
  },
];

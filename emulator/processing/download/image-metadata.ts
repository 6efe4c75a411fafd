import { createHash } from 'node:crypto';
import exifReader from 'exif-reader';
import { averageColour, readImageHeader, type ImageHeader } from '../image-probe';
import { CiProcessingError } from '../processing.error';
import { loadSharp } from '../sharp-runtime';

/** `?imageInfo` as CI answers it: every value a string (`"width":"960"`). */
export interface ImageInfoJson {
  format: string;
  width: string;
  height: string;
  size: string;
  md5: string;
  photo_rgb: string;
  frame_count: string;
}

/**
 * The JSON of `GET <object>?imageInfo`, in CI's shape: lower-case format, numbers as strings, `md5` of the bytes,
 * `photo_rgb` the average colour, `frame_count` the frames (1 for a still image).
 */
export async function imageInfoJson(source: Buffer, header?: ImageHeader): Promise<ImageInfoJson> {
  const h = header ?? (await readImageHeader(source, 'the object'));
  return {
    format: h.type,
    width: String(h.width),
    height: String(h.height),
    size: String(source.length),
    md5: createHash('md5').update(source).digest('hex'),
    photo_rgb: await averageColour(source, h, 'the object'),
    frame_count: String(h.pages),
  };
}

/** The JSON of `GET <object>?imageAve`: `{"RGB":"0xRRGGBB"}`. */
export async function imageAveJson(source: Buffer, header?: ImageHeader): Promise<{ RGB: string }> {
  const h = header ?? (await readImageHeader(source, 'the object'));
  return { RGB: await averageColour(source, h, 'the object') };
}

function text(value: unknown): string {
  if (value instanceof Date)
    return value
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, '')
      .replace(/-/g, ':');
  if (Buffer.isBuffer(value)) return value.toString('latin1').replace(/\0+$/, '');
  if (Array.isArray(value)) return value.map(text).join(' ');
  return String(value);
}

/**
 * The JSON of `GET <object>?exif`, read from the image's real EXIF (exif-reader): `{"<Tag>":{"val":"<text>"}}` for
 * each tag of the image, photo, GPS and interoperability directories (the thumbnail's are left out). An image
 * without EXIF answers `{"error":"no exif data"}`, as CI's exif page says ("如图片无 EXIF 信息,将返回
 * {"error" : "no exif data"}", https://cloud.tencent.com/document/api/460/6926).
 */
export async function exifJson(
  source: Buffer,
): Promise<Record<string, { val: string }> | { error: 'no exif data' }> {
  await readImageHeader(source, 'the object');
  const sharp = loadSharp();
  const metadata = await sharp(source).metadata();
  if (!metadata.exif) return { error: 'no exif data' };
  let parsed: ReturnType<typeof exifReader>;
  try {
    parsed = exifReader(metadata.exif);
  } catch (cause) {
    throw new CiProcessingError('InvalidArgument', 'the image EXIF data cannot be read', { cause });
  }
  const out: Record<string, { val: string }> = {};
  for (const group of [parsed.Image, parsed.Photo, parsed.GPSInfo, parsed.Iop]) {
    for (const [name, value] of Object.entries(group ?? {})) {
      if (value !== undefined && value !== null) out[name] = { val: text(value) };
    }
  }
  return out;
}

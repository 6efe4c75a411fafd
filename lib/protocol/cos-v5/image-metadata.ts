import { CiProtocolError } from '../../core/errors';
import {
  assignDefined,
  normalizeCiFormat,
  numberOf,
  rawFieldsOf,
  textOf,
  type CiImageAverage,
  type CiImageBasicInfo,
  type CiImageExif,
} from '../../core/result';

type Json = Record<string, unknown>;

function parseObject(text: string, what: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new CiProtocolError(`CI answered ${what} with a body that is not JSON`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CiProtocolError(`CI answered ${what} with JSON that is not an object`);
  }
  return doc as Json;
}

const str = textOf;
const num = numberOf;

const INFO_FIELDS = ['format', 'width', 'height', 'size', 'md5', 'photo_rgb', 'frame_count'];

/** Parses the JSON of `?imageInfo` (numbers arrive as strings). */
export function parseImageInfoJson(text: string): CiImageBasicInfo {
  const doc = parseObject(text, '?imageInfo');
  return assignDefined<CiImageBasicInfo>(
    { raw: rawFieldsOf(doc, INFO_FIELDS) },
    {
      format: normalizeCiFormat(str(doc.format)),
      width: num(doc.width),
      height: num(doc.height),
      size: num(doc.size),
      md5: str(doc.md5),
      photoRgb: str(doc.photo_rgb),
      frameCount: num(doc.frame_count),
    },
  );
}

/** Parses the JSON of `?imageAve` (`{"RGB":"0xRRGGBB"}`). */
export function parseImageAveJson(text: string): CiImageAverage {
  const doc = parseObject(text, '?imageAve');
  return assignDefined<CiImageAverage>({ raw: rawFieldsOf(doc, ['RGB']) }, { rgb: str(doc.RGB) });
}

/**
 * Parses the JSON of `?exif` (`{"<Tag>":{"val":"..."}}`). An image without EXIF is CI's `{"error":"no exif
 * data"}` (https://cloud.tencent.com/document/api/460/6926): no tags.
 */
export function parseExifJson(text: string): CiImageExif {
  const doc = parseObject(text, '?exif');
  if (doc.error === 'no exif data') return { tags: {}, raw: doc };
  const tags: Record<string, string> = {};
  for (const [name, value] of Object.entries(doc)) {
    const val = typeof value === 'object' && value !== null ? str((value as Json).val) : str(value);
    if (val !== undefined) tags[name] = val;
  }
  return assignDefined<CiImageExif>({ tags, raw: doc }, { orientation: num(tags.Orientation) });
}

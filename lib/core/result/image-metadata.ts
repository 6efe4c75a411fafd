import type { CiRawFields } from './image-info';

/** `GET <object>?imageInfo`: CI's basic information about a stored image (CI sends the numbers as strings). */
export interface CiImageBasicInfo {
  /** Format, upper case as in processing results (`JPEG`; CI writes `jpeg` here). */
  format?: string;
  /** Width in pixels. */
  width?: number;
  /** Height in pixels. */
  height?: number;
  /** Size in bytes. */
  size?: number;
  /** MD5 of the object, hex. */
  md5?: string;
  /** Main colour, `0xRRGGBB` (`photo_rgb`). */
  photoRgb?: string;
  /** Frames of an animated image (`frame_count`). */
  frameCount?: number;
  /** Every other field, as received. */
  raw: CiRawFields;
}

/** `GET <object>?imageAve`: the image's average colour. */
export interface CiImageAverage {
  /** `0xRRGGBB` (`RGB`). */
  rgb?: string;
  /** Every other field, as received. */
  raw: CiRawFields;
}

/** `GET <object>?exif`: the image's EXIF tags. */
export interface CiImageExif {
  /** Each tag's value as text (`{ Orientation: '6', Make: 'Canon' }`), from CI's `{ "<Tag>": { "val": "..." } }`. */
  tags: Record<string, string>;
  /** EXIF orientation (1-8), when the image has one. */
  orientation?: number;
  /** Every field as received. */
  raw: CiRawFields;
}

import type sharp from 'sharp';
import type { Sharp } from 'sharp';
import type { CiImageFormat } from '../../lib/core/media/image-format';
import { decodeBmp, isBmp, readBmpHeader } from './bmp';
import { estimateJpegQuality } from './jpeg-quality';
import { CiProcessingError } from './processing.error';
import { resolveProcessingLimits, type ProcessingLimits } from './processing-limits';
import { asDecodeError, vipsMessage } from './sharp-errors';
import { ensureSharpConfigured, loadSharp } from './sharp-runtime';

/** A source format as CI names it in `OriginalInfo` / `original_info` (upper case). */
export type CiSourceFormat = 'JPEG' | 'PNG' | 'GIF' | 'WEBP' | 'BMP' | 'HEIF' | 'AVIF' | 'TIFF';

/** What an image's header says, read without decoding pixels. */
export interface ImageHeader {
  /** The format as CI names it in `OriginalInfo` (`JPEG`, `PNG`, ...). */
  format: CiSourceFormat;
  /** The same format in lower case, as output formats are named (`jpeg`, `png`, ...). */
  type: CiImageFormat;
  /** Stored width in pixels (before any EXIF rotation). */
  width: number;
  /** Stored height in pixels; of one frame for an animated image. */
  height: number;
  /** Frames: more than 1 only for an animated GIF or WebP. */
  pages: number;
  /** EXIF orientation 1-8 (1 when absent). */
  orientation: number;
  /** JPEG: estimated from the quantisation tables; 100 for other formats. */
  quality: number;
  /** The image has an alpha channel. */
  hasAlpha: boolean;
  /** Per-frame delays in ms, for an animated image. */
  delay?: number[];
  /** Animation loop count (0: forever), for an animated image. */
  loop?: number;
}

/** {@link ImageHeader} plus the average colour. */
export interface ImageProbe extends ImageHeader {
  /** Average colour `0xrrggbb` (CI's `Ave`), absent when asked for with `average: false`. */
  ave?: string;
}

/** Options of {@link probeImage}. */
export interface ProbeImageOptions {
  /**
   * Compute `ave`, which decodes a small thumbnail (shrink-on-load for JPEG) and so also proves the pixels are
   * readable (a truncated or corrupt body fails here). Default `true`.
   */
  average?: boolean;
  /** Name of the image in error messages. Default `the image`. */
  what?: string;
}

const FORMATS: Partial<Record<string, [CiSourceFormat, CiImageFormat]>> = {
  jpeg: ['JPEG', 'jpeg'],
  png: ['PNG', 'png'],
  gif: ['GIF', 'gif'],
  webp: ['WEBP', 'webp'],
  tiff: ['TIFF', 'tiff'],
};

function notAnImage(what: string, detail: string, cause?: unknown): CiProcessingError {
  return new CiProcessingError(
    'InvalidImageFormat',
    `${what} is not an image the emulator decodes (${detail})`,
    {
      cause,
    },
  );
}

/**
 * Reads format, size, frames, orientation and quality from the header only: no pixel is decoded, so a
 * decompression bomb costs nothing here. Throws `CiProcessingError` `InvalidImageFormat` for a body that is not
 * a JPEG, PNG, GIF, WebP, BMP, AVIF or TIFF (SVG and other formats libvips reads are refused as CI refuses them;
 * HEVC-coded HEIF is refused because sharp's prebuilt libvips cannot decode it).
 */
export async function readImageHeader(buffer: Buffer, what = 'the image'): Promise<ImageHeader> {
  if (buffer.length === 0) throw notAnImage(what, 'it is empty');
  if (isBmp(buffer)) {
    let header;
    try {
      header = readBmpHeader(buffer);
    } catch (error) {
      throw notAnImage(what, (error as Error).message, error);
    }
    if (header.width <= 0 || header.height <= 0)
      throw notAnImage(what, `BMP size ${header.width}x${header.height}`);
    return {
      format: 'BMP',
      type: 'bmp',
      width: header.width,
      height: header.height,
      pages: 1,
      orientation: 1,
      quality: 100,
      hasAlpha: header.bitsPerPixel === 32 && header.compression === 3,
    };
  }
  ensureSharpConfigured();
  let metadata: sharp.Metadata;
  try {
    // limitInputPixels is off here: the header is all that is read, and the limits are checked by the caller.
    metadata = await loadSharp()(buffer, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw notAnImage(what, vipsMessage(error), error);
  }
  let names = FORMATS[metadata.format];
  if (metadata.format === 'heif') {
    if (metadata.compression !== 'av1')
      throw notAnImage(what, 'HEVC-coded HEIF: no HEVC decoder in this libvips build');
    names = ['AVIF', 'avif'];
  }
  if (!names) throw notAnImage(what, `${metadata.format} is not a format CI processes`);
  const animated = (names[1] === 'gif' || names[1] === 'webp') && (metadata.pages ?? 1) > 1;
  const header: ImageHeader = {
    format: names[0],
    type: names[1],
    width: metadata.width,
    height: metadata.height,
    pages: animated ? (metadata.pages ?? 1) : 1,
    orientation: metadata.orientation ?? 1,
    quality: names[1] === 'jpeg' ? (estimateJpegQuality(buffer) ?? 100) : 100,
    hasAlpha: metadata.hasAlpha,
  };
  if (animated) {
    if (metadata.delay) header.delay = metadata.delay;
    if (metadata.loop !== undefined) header.loop = metadata.loop;
  }
  return header;
}

/**
 * Throws `CiProcessingError` `ImageResolutionExceed` when an image is over the limits: a side over `maxSide`,
 * more than `maxPixels` pixels (width × height × frames), or more than `maxFrames` frames.
 */
export function checkImageLimits(
  size: { width: number; height: number; pages?: number },
  limits: Pick<ProcessingLimits, 'maxPixels' | 'maxSide' | 'maxFrames'>,
  what = 'the image',
): void {
  const pages = size.pages ?? 1;
  const label = `${size.width}x${size.height}${pages > 1 ? ` x ${pages} frames` : ''}`;
  const fail = (limit: string): never => {
    throw new CiProcessingError('ImageResolutionExceed', `${what} is ${label}, over the ${limit} limit`);
  };
  if (size.width > limits.maxSide || size.height > limits.maxSide) fail(`${limits.maxSide}-pixel side`);
  if (size.width * size.height * pages > limits.maxPixels) fail(`${limits.maxPixels}-pixel`);
  if (pages > limits.maxFrames) fail(`${limits.maxFrames}-frame`);
}

/** Options of {@link openImage}. */
export interface OpenImageOptions {
  /** Frames to load from an animated image (`cgif`). Default all. */
  pages?: number;
  /** First frame to load, 0-based (`frame/<n>`). Default 0. */
  page?: number;
  /** Pixel limit handed to libvips as a second line of defence. Default 100 M. */
  maxPixels?: number;
}

/**
 * Opens an image for processing with sharp: all frames of an animated image, failing on corrupt or truncated
 * pixel data, BMP decoded by this package's codec. The caller has checked the limits with the header.
 */
export function openImage(buffer: Buffer, header: ImageHeader, options: OpenImageOptions = {}): Sharp {
  ensureSharpConfigured();
  const maxPixels = options.maxPixels ?? resolveProcessingLimits().maxPixels;
  if (header.type === 'bmp') {
    let pixels;
    try {
      pixels = decodeBmp(buffer);
    } catch (error) {
      throw new CiProcessingError(
        'InvalidImageFormat',
        `the BMP cannot be decoded (${(error as Error).message})`,
        {
          cause: error,
        },
      );
    }
    return loadSharp()(pixels.data, {
      raw: { width: pixels.width, height: pixels.height, channels: pixels.channels },
      limitInputPixels: maxPixels,
    });
  }
  const page = header.pages > 1 ? Math.min(options.page ?? 0, header.pages - 1) : 0;
  const pages = header.pages > 1 ? Math.min(options.pages ?? header.pages, header.pages - page) : 1;
  return loadSharp()(buffer, {
    failOn: 'error',
    limitInputPixels: maxPixels,
    ...(pages > 1 ? { pages } : {}),
    ...(page > 0 ? { page } : {}),
  });
}

/**
 * The average colour `0xrrggbb` of an image (its first frame), from a thumbnail at most 64 pixels wide: JPEG
 * shrink-on-load keeps it cheap even for a large photo. Throws `InvalidImageFormat` when the pixels cannot be read.
 */
export async function averageColour(
  buffer: Buffer,
  header: ImageHeader,
  what = 'the image',
): Promise<string> {
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await openImage(buffer, header, { pages: 1 })
      .resize(64, 64, { fit: 'inside' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw asDecodeError(error, what);
  }
  const { data, info } = raw;
  const sums = [0, 0, 0];
  const pixels = info.width * info.height;
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) sums[c] += data[i * info.channels + Math.min(c, info.channels - 1)];
  }
  return `0x${sums
    .map((sum) =>
      Math.round(sum / pixels)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/**
 * Probes an image as CI's `is_pic_info` does: format, size, quality, average colour, EXIF orientation and
 * frames. The limits are checked from the header before any pixel is decoded (`ImageResolutionExceed`), so a
 * 1 KB PNG that declares 50000x50000 is refused in milliseconds. Not an image, corrupt or truncated:
 * `InvalidImageFormat`.
 * @example const info = await probeImage(buffer, { maxPixels: 50_000_000 }); // { format: 'JPEG', width: 4000, ... }
 */
export async function probeImage(
  buffer: Buffer,
  limits: Partial<ProcessingLimits> = {},
  options: ProbeImageOptions = {},
): Promise<ImageProbe> {
  const resolved = resolveProcessingLimits(limits);
  const what = options.what ?? 'the image';
  const header = await readImageHeader(buffer, what);
  checkImageLimits(header, resolved, what);
  if (options.average === false) return header;
  return { ...header, ave: await averageColour(buffer, header, what) };
}

/** Image formats recognised from their magic bytes. */
export type CiImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'heif' | 'avif' | 'tiff';

/** Formats CI decodes on upload (https://www.tencentcloud.com/document/product/1045/39731): the default allow-list. */
export const CI_DECODABLE_FORMATS: readonly CiImageFormat[] = ['jpeg', 'png', 'gif', 'webp', 'bmp', 'heif'];

/** What the magic bytes say a file is. */
export interface SniffedImageType {
  format: CiImageFormat;
  /** MIME type of the format (`image/jpeg`). */
  mimetype: string;
  /** Usual file extension without a dot (`jpg`). */
  ext: string;
}

/** Bytes the sniffer needs at most (file-type's sample size). */
export const SNIFF_BYTES = 4100;

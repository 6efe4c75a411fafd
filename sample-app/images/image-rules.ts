import { imageMogr2, imageView2, type CiUploadRule } from '../../lib';

/**
 * The variants every uploaded image gets, by name; `fileid` templates keep them beside the original. The
 * sized ones only shrink (`thumbnail/<W>x<H>>`): a 720-px photo stays 720 px in "large", never upscaled.
 */
export const IMAGE_VARIANTS = {
  thumb: {
    fileid: '{name}-thumb.webp',
    rule: imageMogr2().thumbnail({ width: 200, height: 200, mode: 'shrink' }).format('webp'),
  },
  large: {
    fileid: '{name}-1080.jpg',
    rule: imageMogr2().thumbnail({ width: 1080, height: 1080, mode: 'shrink' }).format('jpg').quality(80),
  },
  avatar: {
    fileid: '{name}-avatar.png',
    rule: imageView2({ mode: 1, width: 96, height: 96, format: 'png' }),
  },
} satisfies Record<string, CiUploadRule>;

/** The rules of `POST /images` and `POST /galleries`. */
export const IMAGE_RULES: CiUploadRule[] = Object.values(IMAGE_VARIANTS);

/**
 * Styles a client may ask for on `POST /images/variants`: a fixed server-side set, so a client never sends raw
 * rules (the same defence imgproxy and thumbor use against abuse).
 */
export const SAMPLE_STYLES = {
  grayscale: imageMogr2().grayscale().format('jpg').quality(85),
  blur: imageMogr2().blur({ radius: 8, sigma: 5 }).format('jpg'),
  square: imageView2({ mode: 1, width: 320, height: 320, format: 'webp' }),
  rotate: imageMogr2().rotate(90).format('png'),
};

/** Names of {@link SAMPLE_STYLES}. */
export type SampleStyle = keyof typeof SAMPLE_STYLES;

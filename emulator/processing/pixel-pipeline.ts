import type sharp from 'sharp';
import type { OverlayOptions, Sharp } from 'sharp';
import { encodeBmp } from './bmp';
import type { Rect, Size } from './geometry';
import { CiProcessingError } from './processing.error';
import { asDecodeError, vipsMessage } from './sharp-errors';
import { loadSharp } from './sharp-runtime';

/**
 * The order in which one sharp (libvips) pass applies operations. An operation joins the current pass only when it
 * comes after every operation already in it in this order; otherwise the pass is materialised to raw pixels (no
 * encode, no quality loss) and a new pass starts, so a rule's operations always run in the order it writes them.
 */
const Slot = {
  Orient: 0,
  PreExtract: 1,
  Resize: 2,
  PostExtract: 3,
  Extend: 4,
  Flip: 5,
  Rotate: 6,
  Blur: 7,
  Sharpen: 8,
  Composite: 9,
  Linear: 10,
} as const;
type Slot = (typeof Slot)[keyof typeof Slot];

/** Output encoders the pipeline drives (`bmp` by this package's codec, the rest by libvips). */
export type EncodeFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff' | 'bmp';

/** How {@link PixelPipeline.encode} writes the image. */
export interface EncodeSpec {
  format: EncodeFormat;
  /** 1-100, for jpeg, webp and avif. */
  quality: number;
  /** Progressive JPEG (`interlace/1`). */
  progressive?: boolean;
  /** mozjpeg's trellis tables (`yjpeg`, CI's optimised JPEG). */
  mozjpeg?: boolean;
  /** `imageSlim`: mozjpeg tables for JPEG, the strongest zlib effort for PNG. */
  slim?: boolean;
  /** Keep EXIF, ICC and XMP of the source (CI keeps them unless `strip`). Only possible while no pass was materialised. */
  keepMetadata?: boolean;
  /** Frame delays (ms) of an animated output. */
  delay?: number[];
  /** Loop count of an animated output. */
  loop?: number;
}

/** An encoded image and its measured size. */
export interface EncodedImage {
  data: Buffer;
  width: number;
  /** Of one frame. */
  height: number;
  pages: number;
}

/** A colour with opacity (alpha 0-1). */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  alpha: number;
}

const WHITE: Rgba = { r: 255, g: 255, b: 255, alpha: 1 };

/** Pipeline state the executor needs to plan operations. */
export interface PipelineOptions {
  /** Size of one frame of the input. */
  size: Size;
  /** Frames loaded. */
  pages: number;
  hasAlpha: boolean;
  /** The input still carries the source's EXIF (so sharp's own auto-orient and metadata copy work). */
  fromSource: boolean;
  /** EXIF orientation still to apply on `auto-orient`. */
  orientation: number;
  /** Checks a planned output size against the limits; throws `ImageResolutionExceed`. */
  checkSize: (size: Size, pages: number) => void;
  /** Name of the source in decode errors. */
  what: string;
}

/**
 * Image operations on real pixels, run as few libvips passes as the operation order allows (see {@link Slot}):
 * `thumbnail/400x` is exactly one `sharp(buf).resize(...).jpeg()` pass, as fast as calling sharp directly.
 */
export class PixelPipeline {
  private slot = -1;
  private hasResize = false;
  private linearMap: [number, number] | undefined;
  private known = true;
  private width: number;
  private height: number;
  /** Frames of the image (1 for a still image). */
  pages: number;
  /** The image may have transparent pixels. */
  hasAlpha: boolean;
  /** EXIF orientation not yet applied (1 once auto-oriented or stripped). */
  orientation: number;
  private fromSource: boolean;

  constructor(
    private image: Sharp,
    private readonly options: PipelineOptions,
  ) {
    this.width = options.size.width;
    this.height = options.size.height;
    this.pages = options.pages;
    this.hasAlpha = options.hasAlpha;
    this.orientation = options.orientation;
    this.fromSource = options.fromSource;
  }

  /** The current size of one frame (materialises the pass when an arbitrary rotation made it unknown). */
  async size(): Promise<Size> {
    if (!this.known) await this.flush();
    return { width: this.width, height: this.height };
  }

  private canJoin(slot: Slot): boolean {
    if (slot === Slot.Orient) return this.slot < 0;
    // sharp flips after resizing but before a post-resize crop or an extension.
    if (slot === Slot.Flip) return this.slot <= Slot.Resize;
    // sharp rotates after resizing and reads the resize box in the rotated frame: rotate only ahead of any resize.
    if (slot === Slot.Rotate)
      return !this.hasResize && (this.slot <= Slot.PreExtract || this.slot === Slot.Flip);
    if (slot === Slot.Linear) return this.slot <= Slot.Linear;
    return slot > this.slot;
  }

  private async enter(slot: Slot): Promise<void> {
    if (!this.canJoin(slot)) await this.flush();
    this.slot = slot;
  }

  /** Runs the current pass to raw pixels and starts a new pass on them. */
  async flush(): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
    const { data, info } = await this.run(this.image.raw());
    const pageHeight = this.pages > 1 ? (info.pageHeight ?? info.height / this.pages) : info.height;
    this.image = loadSharp()(data, {
      raw: {
        width: info.width,
        height: info.height,
        channels: info.channels,
        ...(this.pages > 1 ? { pageHeight } : {}),
      },
      limitInputPixels: false,
    });
    this.slot = -1;
    this.hasResize = false;
    this.linearMap = undefined;
    this.fromSource = false;
    this.known = true;
    this.width = info.width;
    this.height = pageHeight;
    this.hasAlpha = info.channels === 2 || info.channels === 4;
    return { data, info };
  }

  private async run(image: Sharp): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
    try {
      return await image.toBuffer({ resolveWithObject: true });
    } catch (error) {
      const mapped = asDecodeError(error, this.options.what);
      if (mapped !== error) throw mapped;
      if (error instanceof Error && /not supported for multi-page/i.test(error.message)) {
        throw new CiProcessingError(
          'InvalidArgument',
          `not possible on an animated image (${vipsMessage(error)})`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  /** Applies `fn` to every frame separately (operations libvips cannot do on a multi-frame strip). */
  private async mapFrames(fn: (frame: Sharp) => Sharp): Promise<void> {
    const { data, info } = await this.flush();
    const frameBytes = info.width * this.height * info.channels;
    const frames = await Promise.all(
      Array.from({ length: this.pages }, (_, page) =>
        this.run(
          fn(
            loadSharp()(data.subarray(page * frameBytes, (page + 1) * frameBytes), {
              raw: { width: info.width, height: this.height, channels: info.channels },
            }),
          ).raw(),
        ),
      ),
    );
    const first = frames[0].info;
    this.image = loadSharp()(Buffer.concat(frames.map((frame) => frame.data)), {
      raw: {
        width: first.width,
        height: first.height * this.pages,
        channels: first.channels,
        pageHeight: first.height,
      },
      limitInputPixels: false,
    });
    this.width = first.width;
    this.height = first.height;
    this.hasAlpha = first.channels === 2 || first.channels === 4;
  }

  /** Scales every frame to exactly `size` (`fill`), or covers it and crops (`cover`, with a crop strategy). */
  async resize(size: Size, cover?: { position: 'centre' | 'attention' }): Promise<void> {
    this.options.checkSize(size, this.pages);
    await this.enter(Slot.Resize);
    this.hasResize = true;
    // libvips' smart-crop strategies work on one frame only.
    const position = this.pages > 1 ? 'centre' : (cover?.position ?? 'centre');
    this.image.resize(size.width, size.height, cover ? { fit: 'cover', position } : { fit: 'fill' });
    this.width = size.width;
    this.height = size.height;
  }

  /** Crops every frame to `rect` (already clipped to the image). */
  async extract(rect: Rect): Promise<void> {
    await this.size();
    const slot = this.hasResize || this.slot >= Slot.PreExtract ? Slot.PostExtract : Slot.PreExtract;
    // After a flush sharp sees a pre-resize crop where this marks a post-resize one: stricter, never out of order.
    await this.enter(slot);
    this.image.extract(rect);
    this.width = rect.width;
    this.height = rect.height;
  }

  /** Adds borders of `background` around every frame. */
  async extend(
    edges: { top: number; bottom: number; left: number; right: number },
    background: string,
  ): Promise<void> {
    const { width, height } = await this.size();
    const size = { width: width + edges.left + edges.right, height: height + edges.top + edges.bottom };
    this.options.checkSize(size, this.pages);
    await this.enter(Slot.Extend);
    this.image.extend({ ...edges, background });
    this.width = size.width;
    this.height = size.height;
  }

  /** Mirrors the image: `vertical` top to bottom, `horizontal` left to right. */
  async flip(direction: 'vertical' | 'horizontal'): Promise<void> {
    // On a multi-frame strip a vertical flip would also reverse the frame order.
    if (direction === 'vertical' && this.pages > 1) return this.mapFrames((frame) => frame.flip());
    await this.enter(Slot.Flip);
    if (direction === 'vertical') this.image.flip();
    else this.image.flop();
  }

  /** Rotates clockwise by `degrees`; the corners an arbitrary angle uncovers get `background`. */
  async rotate(degrees: number, background: Rgba): Promise<void> {
    const angle = ((degrees % 360) + 360) % 360;
    if (angle === 0) return;
    if (this.pages > 1 && angle !== 180) {
      await this.mapFrames((frame) => frame.rotate(angle, { background }));
    } else {
      await this.enter(Slot.Rotate);
      this.image.rotate(angle, { background });
      if (angle === 90 || angle === 270) [this.width, this.height] = [this.height, this.width];
      else if (angle !== 180) this.known = false;
    }
    if (angle % 90 !== 0) this.hasAlpha = this.hasAlpha || background.alpha === 0;
  }

  /** Applies the pending EXIF orientation (sharp's own auto-orient while the pass still reads the source). */
  async autoOrient(): Promise<void> {
    const orientation = this.orientation;
    if (orientation <= 1 || orientation > 8) return;
    this.orientation = 1;
    // sharp's own auto-orient cannot turn a multi-frame image by 90 degrees: frames go the explicit way.
    if (this.fromSource && this.pages === 1 && this.canJoin(Slot.Orient)) {
      this.slot = Slot.Orient;
      this.image.autoOrient();
      if (orientation >= 5) [this.width, this.height] = [this.height, this.width];
      return;
    }
    // The EXIF is gone from a materialised pass: apply it as flop-then-rotate (libvips: rotate-then-flop).
    const rotation = [0, 0, 0, 180, 180, 90, 90, 270, 270][orientation];
    const flop = [2, 4, 5, 7].includes(orientation);
    if (flop) await this.flip('horizontal');
    await this.rotate(flop ? (360 - rotation) % 360 : rotation, WHITE);
  }

  /** Gaussian blur of standard deviation `sigma` (at least 0.3, libvips' minimum). */
  async blur(sigma: number): Promise<void> {
    await this.enter(Slot.Blur);
    this.image.blur(Math.min(1000, Math.max(0.3, sigma)));
  }

  /** Unsharp mask of standard deviation `sigma`. */
  async sharpen(sigma: number): Promise<void> {
    await this.enter(Slot.Sharpen);
    this.image.sharpen({ sigma: Math.min(10, Math.max(0.01, sigma)) });
  }

  /** Composites overlays over the current frame size. */
  async composite(overlays: OverlayOptions[], options: { producesAlpha?: boolean } = {}): Promise<void> {
    await this.size();
    await this.enter(Slot.Composite);
    this.image.composite(overlays);
    if (options.producesAlpha) this.hasAlpha = true;
  }

  /** `out = a × in + b` on the colour channels (alpha kept); consecutive calls compose. */
  async linear(a: number, b: number): Promise<void> {
    const joins = this.slot === Slot.Linear;
    await this.enter(Slot.Linear);
    if (joins && this.linearMap) this.linearMap = [a * this.linearMap[0], a * this.linearMap[1] + b];
    else this.linearMap = [a, b];
    this.image.linear(this.linearMap[0], this.linearMap[1]);
  }

  /** Converts to grey levels (a point operation: libvips runs it early, which only matters after a composite). */
  async greyscale(): Promise<void> {
    if (this.slot >= Slot.Composite) await this.flush();
    this.image.greyscale();
  }

  /** Encodes the image; `bmp` is written by this package's encoder from raw pixels. */
  async encode(spec: EncodeSpec): Promise<EncodedImage> {
    const alphaLess = spec.format === 'jpeg' || spec.format === 'bmp';
    // sharp flattens before resizing and compositing: after a composite the transparency is only there in a later pass.
    if (alphaLess && this.hasAlpha && this.slot >= Slot.Composite) await this.flush();
    const image = this.image.clone();
    if (alphaLess && this.hasAlpha) image.flatten({ background: '#ffffff' });
    if (spec.keepMetadata && this.fromSource) image.keepMetadata();
    else if (spec.keepMetadata && this.orientation > 1) image.withMetadata({ orientation: this.orientation });
    const animation =
      this.pages > 1
        ? {
            ...(spec.delay && spec.delay.length === this.pages ? { delay: spec.delay } : {}),
            ...(spec.loop !== undefined ? { loop: spec.loop } : {}),
          }
        : {};
    const quality = Math.min(100, Math.max(1, Math.round(spec.quality)));
    switch (spec.format) {
      case 'jpeg':
        image.jpeg({
          quality,
          progressive: spec.progressive ?? false,
          mozjpeg: (spec.mozjpeg ?? false) || (spec.slim ?? false),
        });
        break;
      case 'png':
        image.png(spec.slim ? { compressionLevel: 9, adaptiveFiltering: true, effort: 10 } : {});
        break;
      case 'webp':
        image.webp({ quality, ...animation });
        break;
      case 'gif':
        image.gif(animation);
        break;
      case 'avif':
        image.avif({ quality });
        break;
      case 'tiff':
        image.tiff();
        break;
      case 'bmp': {
        const { data, info } = await this.run(image.removeAlpha().toColourspace('srgb').raw());
        return {
          data: encodeBmp(data, info.width, info.height),
          width: info.width,
          height: info.height,
          pages: 1,
        };
      }
    }
    const { data, info } = await this.run(image);
    const pages = info.pages ?? 1;
    return {
      data,
      width: info.width,
      height: pages > 1 ? (info.pageHeight ?? info.height / pages) : info.height,
      pages,
    };
  }
}

/** Bytes in one MiB. */
const MB = 1024 * 1024;

/** Limits on what the emulator decodes and produces (CI's older published limits by default). */
export interface ProcessingLimits {
  /** Most pixels of one image, all frames counted (width × height × frames). Default 100 000 000. */
  maxPixels: number;
  /** Longest side in pixels, of the source and of any planned output. Default 30000. */
  maxSide: number;
  /** Most frames of an animated image. Default 300 (CI's GIF limit). */
  maxFrames: number;
  /** Largest source in bytes. Default 20 MiB; at most 32 MiB (CI's newer limit). */
  maxSourceBytes: number;
}

/** The defaults of {@link ProcessingLimits}. */
export const DEFAULT_PROCESSING_LIMITS: Readonly<ProcessingLimits> = {
  maxPixels: 100_000_000,
  maxSide: 30_000,
  maxFrames: 300,
  maxSourceBytes: 20 * MB,
};

/** The most `maxSourceBytes` may be set to: 32 MiB. */
export const MAX_SOURCE_BYTES_CEILING = 32 * MB;

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`processing limit ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Fills unset limits with {@link DEFAULT_PROCESSING_LIMITS} and checks them. Throws `RangeError` for a value that
 * is not a positive integer or a `maxSourceBytes` over 32 MiB (a configuration mistake, not a request error).
 * @example resolveProcessingLimits({ maxSourceBytes: 32 * 1024 * 1024 })
 */
export function resolveProcessingLimits(limits: Partial<ProcessingLimits> = {}): ProcessingLimits {
  const out: ProcessingLimits = {
    maxPixels: positiveInteger('maxPixels', limits.maxPixels ?? DEFAULT_PROCESSING_LIMITS.maxPixels),
    maxSide: positiveInteger('maxSide', limits.maxSide ?? DEFAULT_PROCESSING_LIMITS.maxSide),
    maxFrames: positiveInteger('maxFrames', limits.maxFrames ?? DEFAULT_PROCESSING_LIMITS.maxFrames),
    maxSourceBytes: positiveInteger(
      'maxSourceBytes',
      limits.maxSourceBytes ?? DEFAULT_PROCESSING_LIMITS.maxSourceBytes,
    ),
  };
  if (out.maxSourceBytes > MAX_SOURCE_BYTES_CEILING) {
    throw new RangeError(
      `processing limit maxSourceBytes ${out.maxSourceBytes} is over CI's ceiling of ${MAX_SOURCE_BYTES_CEILING} (32 MiB)`,
    );
  }
  return out;
}

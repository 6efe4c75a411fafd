import { CiProcessingError } from './processing.error';

/** What libvips says when it cannot read pixels: a corrupt, truncated or unsupported image. */
const DECODE_FAILURE =
  /premature end|truncat|corrupt|libpng|libjpeg|vips(png|jpeg|spng|gif|webp|tiff|heif)|(jpeg|png|gif|webp|tiff|heif)(load|save)?(_buffer)?:|unsupported image format|Input Buffer is empty|bad seek|read error|out of order read|unable to (parse|decode)|not a known (file|image) format/i;

/** The first line of a libvips message, at most 200 characters (libvips repeats itself on many lines). */
export function vipsMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0].trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/**
 * Turns a sharp failure into `InvalidImageFormat` when it is a decoding failure (corrupt, truncated or unreadable
 * pixels); any other error comes back unchanged (an emulator bug should surface as one, not as a 400).
 */
export function asDecodeError(error: unknown, what: string): unknown {
  if (error instanceof CiProcessingError) return error;
  if (error instanceof Error && DECODE_FAILURE.test(error.message)) {
    return new CiProcessingError(
      'InvalidImageFormat',
      `${what} is corrupt or truncated (${vipsMessage(error)})`,
      {
        cause: error,
      },
    );
  }
  return error;
}

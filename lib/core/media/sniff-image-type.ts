import type { CiImageFormat, SniffedImageType } from './image-format';

/**
 * `file-type` is ESM-only and offers no `require` condition: loaded with `import()`, which the CommonJS build
 * keeps (tsc `nodenext`), so a CommonJS app and its jest need no module mapping for it (jest resolves an
 * `import()` with the `import` condition when run with `--experimental-vm-modules`, as the Nest CLI's CommonJS
 * template does).
 */
let fileType: Promise<typeof import('file-type')> | undefined;

const BY_MIME: Record<string, { format: CiImageFormat; ext: string }> = {
  'image/jpeg': { format: 'jpeg', ext: 'jpg' },
  'image/png': { format: 'png', ext: 'png' },
  'image/gif': { format: 'gif', ext: 'gif' },
  'image/webp': { format: 'webp', ext: 'webp' },
  'image/bmp': { format: 'bmp', ext: 'bmp' },
  'image/heif': { format: 'heif', ext: 'heif' },
  'image/heic': { format: 'heif', ext: 'heic' },
  'image/heif-sequence': { format: 'heif', ext: 'heif' },
  'image/heic-sequence': { format: 'heif', ext: 'heic' },
  'image/avif': { format: 'avif', ext: 'avif' },
  'image/tiff': { format: 'tiff', ext: 'tif' },
};

/**
 * Tells the image type from the first bytes (magic numbers, via `file-type`), never from a name or a client's
 * mimetype. Returns `undefined` for anything that is not one of the image formats CI knows.
 */
export async function sniffImageType(head: Uint8Array): Promise<SniffedImageType | undefined> {
  if (head.length === 0) return undefined;
  const { fileTypeFromBuffer } = await (fileType ??= import('file-type'));
  const found = await fileTypeFromBuffer(head);
  const known = found && BY_MIME[found.mime];
  return known ? { ...known, mimetype: found.mime } : undefined;
}

/**
 * The image type a MIME type names (`image/jpeg` → jpeg, `jpg`), for a type declared before the bytes exist (an
 * upload ticket); `undefined` for anything else. Never a substitute for sniffing the bytes.
 */
export function imageTypeOfMime(mimetype: string): SniffedImageType | undefined {
  const mime = mimetype.trim().toLowerCase();
  const known = BY_MIME[mime];
  return known ? { ...known, mimetype: mime } : undefined;
}

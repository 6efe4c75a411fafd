/**
 * A small BMP codec: libvips (sharp's prebuilt build) neither reads nor writes BMP, and CI does both.
 * Reads uncompressed 1/4/8-bit (palette), 24-bit and 32-bit (BI_RGB or BI_BITFIELDS) files; writes 24-bit BI_RGB.
 */

/** What a BMP header says, read without touching the pixels. */
export interface BmpHeader {
  width: number;
  height: number;
  /** Bits per pixel. */
  bitsPerPixel: number;
  /** BI_RGB 0, BI_RLE8 1, BI_RLE4 2, BI_BITFIELDS 3, ... */
  compression: number;
  /** Rows stored top row first (negative height in the file). */
  topDown: boolean;
  /** Byte offset of the pixel array. */
  dataOffset: number;
  /** Size of the DIB header. */
  dibSize: number;
}

/** Decoded BMP pixels, ready for `sharp(data, { raw: { width, height, channels } })`. */
export interface BmpPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** True when the bytes start like a Windows bitmap (`BM` + a known DIB header size). */
export function isBmp(bytes: Uint8Array): boolean {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return false;
  const dibSize = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readUInt32LE(14);
  return [12, 40, 52, 56, 64, 108, 124].includes(dibSize);
}

/** Reads the BMP header; throws `Error` when it is not a BMP header this codec understands. */
export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  if (!isBmp(bytes)) throw new Error('not a BMP file');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const dibSize = buf.readUInt32LE(14);
  const dataOffset = buf.readUInt32LE(10);
  if (dibSize === 12) {
    return {
      width: buf.readUInt16LE(18),
      height: buf.readUInt16LE(20),
      bitsPerPixel: buf.readUInt16LE(24),
      compression: 0,
      topDown: false,
      dataOffset,
      dibSize,
    };
  }
  if (buf.length < 14 + 40) throw new Error('BMP header is truncated');
  const rawHeight = buf.readInt32LE(22);
  return {
    width: buf.readInt32LE(18),
    height: Math.abs(rawHeight),
    bitsPerPixel: buf.readUInt16LE(28),
    compression: buf.readUInt32LE(30),
    topDown: rawHeight < 0,
    dataOffset,
    dibSize,
  };
}

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/**
 * Decodes a BMP to raw RGB (or RGBA when the file has an alpha mask). Throws `Error` for RLE or other compressed
 * variants, unsupported bit depths and truncated pixel data.
 */
export function decodeBmp(bytes: Uint8Array): BmpPixels {
  const header = readBmpHeader(bytes);
  const { width, height, bitsPerPixel: bpp, compression, dibSize } = header;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (width <= 0 || height <= 0) throw new Error(`BMP size ${width}x${height} is not valid`);
  if (!(compression === 0 || (compression === 3 && (bpp === 16 || bpp === 32)))) {
    throw new Error(`BMP compression ${compression} is not supported`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp))
    throw new Error(`BMP with ${bpp} bits per pixel is not supported`);

  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
  if (compression === 3) {
    const at = 14 + 40; // right after a 40-byte header, or the same place inside a V2+ header
    masks = [buf.readUInt32LE(at), buf.readUInt32LE(at + 4), buf.readUInt32LE(at + 8), 0];
    if (dibSize >= 56) masks[3] = buf.readUInt32LE(14 + 52);
  }
  const hasAlpha = masks[3] !== 0;
  const channels: 3 | 4 = hasAlpha ? 4 : 3;
  const palette: number[][] = [];
  if (bpp <= 8) {
    const entrySize = dibSize === 12 ? 3 : 4;
    const used = dibSize >= 40 ? buf.readUInt32LE(46) : 0;
    const count = used || 1 << bpp;
    const start = 14 + dibSize;
    for (let i = 0; i < count && start + i * entrySize + 2 < buf.length; i++) {
      const at = start + i * entrySize;
      palette.push([buf[at + 2], buf[at + 1], buf[at]]);
    }
  }
  const stride = Math.ceil((bpp * width) / 32) * 4;
  if (header.dataOffset + stride * height > buf.length) throw new Error('BMP pixel data is truncated');
  const out = Buffer.alloc(width * height * channels);
  const fields = masks.map(maskShift);
  for (let y = 0; y < height; y++) {
    const row = header.dataOffset + (header.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (bpp <= 8) {
        const bit = x * bpp;
        const index = (buf[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const colour = palette[index] ?? [0, 0, 0];
        out[o] = colour[0];
        out[o + 1] = colour[1];
        out[o + 2] = colour[2];
      } else if (bpp === 24) {
        out[o] = buf[row + x * 3 + 2];
        out[o + 1] = buf[row + x * 3 + 1];
        out[o + 2] = buf[row + x * 3];
      } else {
        const value = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
        for (let c = 0; c < channels; c++) {
          const { shift, max } = fields[c];
          out[o + c] = max === 0 ? 0 : Math.round((((value & masks[c]) >>> shift) * 255) / max);
        }
      }
    }
  }
  return { data: out, width, height, channels };
}

/** Encodes raw 8-bit RGB pixels (3 channels, row-major, top row first) as a 24-bit BI_RGB BMP. */
export function encodeBmp(rgb: Uint8Array, width: number, height: number): Buffer {
  if (rgb.length !== width * height * 3) throw new Error('encodeBmp needs width × height × 3 bytes of RGB');
  const stride = Math.ceil((24 * width) / 32) * 4;
  const dataSize = stride * height;
  const out = Buffer.alloc(54 + dataSize);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(54 + dataSize, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(dataSize, 34);
  out.writeInt32LE(2835, 38); // 72 dpi
  out.writeInt32LE(2835, 42);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[row + x * 3] = rgb[i + 2];
      out[row + x * 3 + 1] = rgb[i + 1];
      out[row + x * 3 + 2] = rgb[i];
    }
  }
  return out;
}

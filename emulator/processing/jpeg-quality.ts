/** IJG's (JPEG Annex K) luminance quantisation table, natural (row-major) order. */
const STD_LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
  29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103,
  121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** IJG's chrominance quantisation table, natural order. */
const STD_CHROMINANCE = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
];

/** Natural-order index of the k-th coefficient of a DQT table (which is stored in zig-zag order). */
const NATURAL_ORDER = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
  53, 60, 61, 54, 47, 55, 62, 63,
];

/** The table libjpeg's `jpeg_set_quality(q, force_baseline=TRUE)` derives from `base`. */
function ijgTable(base: readonly number[], quality: number): number[] {
  const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - quality * 2;
  return base.map((value) => Math.min(255, Math.max(1, Math.floor((value * scale + 50) / 100))));
}

/** Reads the DQT tables (by table id, natural order) of a JPEG, up to its first scan. */
export function readJpegQuantTables(jpeg: Uint8Array): Map<number, number[]> {
  const tables = new Map<number, number[]>();
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return tables;
  let pos = 2;
  while (pos + 4 <= jpeg.length) {
    if (jpeg[pos] !== 0xff) break;
    const marker = jpeg[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    pos += 2;
    if (marker === 0xd9 || marker === 0xda) break; // EOI or start of scan: no table follows
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // markers without a length
    const length = (jpeg[pos] << 8) | jpeg[pos + 1];
    const end = pos + length;
    if (length < 2 || end > jpeg.length) break;
    if (marker === 0xdb) {
      let p = pos + 2;
      while (p < end) {
        const precision = jpeg[p] >> 4;
        const id = jpeg[p] & 0x0f;
        const size = precision === 0 ? 64 : 128;
        if (p + 1 + size > end) break;
        const table = new Array<number>(64);
        for (let k = 0; k < 64; k++) {
          table[NATURAL_ORDER[k]] =
            precision === 0 ? jpeg[p + 1 + k] : (jpeg[p + 1 + 2 * k] << 8) | jpeg[p + 2 + 2 * k];
        }
        tables.set(id, table);
        p += 1 + size;
      }
    }
    pos = end;
  }
  return tables;
}

/**
 * Estimates the quality (1-100) a JPEG was encoded with, from its quantisation tables: the IJG quality whose scaled
 * standard tables (luminance, and chrominance when present) are closest to the file's. Exact for files written by
 * libjpeg, libjpeg-turbo, sharp/libvips or ImageMagick with standard tables; an approximation for custom tables.
 * Returns `undefined` when the bytes hold no quantisation table.
 * @example estimateJpegQuality(await sharp(img).jpeg({ quality: 80 }).toBuffer()) // 80
 */
export function estimateJpegQuality(jpeg: Uint8Array): number | undefined {
  const tables = readJpegQuantTables(jpeg);
  const luminance = tables.get(0);
  if (!luminance) return undefined;
  const chrominance = tables.get(1);
  let best = 100;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let quality = 100; quality >= 1; quality--) {
    const lum = ijgTable(STD_LUMINANCE, quality);
    let distance = 0;
    for (let i = 0; i < 64; i++) distance += Math.abs(lum[i] - luminance[i]);
    if (chrominance) {
      const chr = ijgTable(STD_CHROMINANCE, quality);
      for (let i = 0; i < 64; i++) distance += Math.abs(chr[i] - chrominance[i]);
    }
    if (distance < bestDistance) {
      bestDistance = distance;
      best = quality;
    }
  }
  return best;
}

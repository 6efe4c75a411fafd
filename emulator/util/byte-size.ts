const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a size in bytes with an optional binary unit (`k`, `kb`, `m`, `mb`, `g`, `gb`, `t`, `tb`, any case;
 * 1 kb = 1024 bytes). Throws a `TypeError` naming `what` when the text is not a size.
 *
 * @example
 * parseByteSize('20mb') // 20971520
 * parseByteSize('1.5k') // 1536
 */
export function parseByteSize(text: string, what = 'size'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new TypeError(
      `${what} must be a number of bytes, optionally with a unit (20mb, 5gb): got "${text}"`,
    );
  }
  return Math.floor(Number(match[1]) * unit);
}

/** Formats a byte count for people: `5 GiB`, `20 MiB`, `512 B`. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} B`;
}

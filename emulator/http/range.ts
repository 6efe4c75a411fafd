/** An inclusive byte range of an object. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Interprets a `Range` header against an object of `size` bytes. Returns the range to serve, `'unsatisfiable'`
 * (416), or `undefined` to serve the whole object (no header, a unit other than bytes, several ranges or a
 * syntax error: RFC 9110 lets a server ignore those).
 *
 * @example
 * parseRange('bytes=0-99', 1000) // { start: 0, end: 99 }
 * parseRange('bytes=-10', 1000)  // { start: 990, end: 999 }
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

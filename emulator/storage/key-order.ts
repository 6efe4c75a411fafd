/** Compares object keys in UTF-8 byte order, the order COS lists them in. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Compares multipart uploads by key, then initiation time, then upload id. */
export function compareUploads(
  a: { key: string; initiated: Date; uploadId: string },
  b: { key: string; initiated: Date; uploadId: string },
): number {
  return (
    compareKeys(a.key, b.key) ||
    a.initiated.getTime() - b.initiated.getTime() ||
    (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0)
  );
}

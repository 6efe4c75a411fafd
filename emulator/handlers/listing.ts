import { compareKeys } from '../storage/key-order';

/** How to page a listing: COS's `prefix`, `delimiter` and a page size. */
export interface ListingQuery {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
}

/** One page: the items and common prefixes in key order, and where the next page starts. */
export interface ListingPage<T> {
  items: T[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix on the page. */
  nextMarker?: string;
  /** The last item on the page, when the last entry is an item. */
  lastItem?: T;
}

/**
 * Pages sorted items the way COS lists a bucket: keys under `prefix`, keys that contain `delimiter` after
 * the prefix rolled up into one common prefix each, at most `maxKeys` entries (items + prefixes).
 * `isAfterMarker` skips what a previous page returned; a common prefix at or before `marker` is skipped too.
 */
export function pageListing<T extends { key: string }>(
  sorted: readonly T[],
  query: ListingQuery,
  marker: string,
  isAfterMarker: (item: T) => boolean,
): ListingPage<T> {
  const page: ListingPage<T> = { items: [], commonPrefixes: [], isTruncated: false };
  let count = 0;
  let lastPrefix: string | undefined;
  for (const item of sorted) {
    if (!item.key.startsWith(query.prefix) || !isAfterMarker(item)) continue;
    let commonPrefix: string | undefined;
    if (query.delimiter) {
      const at = item.key.indexOf(query.delimiter, query.prefix.length);
      if (at >= 0) commonPrefix = item.key.slice(0, at + query.delimiter.length);
    }
    if (commonPrefix !== undefined) {
      if (commonPrefix === lastPrefix || (marker && compareKeys(commonPrefix, marker) <= 0)) continue;
    }
    if (count === query.maxKeys) {
      page.isTruncated = true;
      break;
    }
    count++;
    if (commonPrefix !== undefined) {
      lastPrefix = commonPrefix;
      page.commonPrefixes.push(commonPrefix);
      page.nextMarker = commonPrefix;
      page.lastItem = undefined;
    } else {
      page.items.push(item);
      page.nextMarker = item.key;
      page.lastItem = item;
    }
  }
  return page;
}

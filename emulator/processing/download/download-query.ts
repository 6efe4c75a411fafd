/** The metadata answers CI serves on GET: `?imageInfo`, `?imageAve`, `?exif`. */
export type DownloadMetadataKind = 'imageInfo' | 'imageAve' | 'exif';

/** What a GET asks CI to do with the object instead of serving it as stored. */
export type DownloadProcess =
  { kind: 'rule'; rule: string } | { kind: 'style'; name: string } | { kind: DownloadMetadataKind };

/** Query parameters that belong to COS itself (signature, overrides), never a processing rule. */
const COS_PARAM = /^(q-|x-cos-|response-)|^(sign|versionId)$/;
const METADATA: ReadonlySet<string> = new Set<DownloadMetadataKind>(['imageInfo', 'imageAve', 'exif']);

/**
 * Finds the download-time processing a GET's query asks for: `?imageInfo` / `?imageAve` / `?exif`, or a rule given
 * as a parameter without a value (`?imageMogr2/thumbnail/200x`, `?style/thumb`, `?a|b`). Any other parameter that
 * is not COS's own and has no value is taken as a rule too, so that an operation the emulator does not know is
 * answered with CI's error, never with the untouched original. `undefined` when the GET is a plain download.
 * @example downloadProcessOf([['imageMogr2/thumbnail/100x', '']]) // { kind: 'rule', rule: 'imageMogr2/thumbnail/100x' }
 */
export function downloadProcessOf(
  entries: ReadonlyArray<readonly [name: string, value: string]>,
): DownloadProcess | undefined {
  for (const [name, value] of entries) {
    if (COS_PARAM.test(name)) continue;
    if (METADATA.has(name)) return { kind: name as DownloadMetadataKind };
    if (value === '' && (/[/|]/.test(name) || /^[A-Za-z][A-Za-z0-9]*$/.test(name)))
      return { kind: 'rule', rule: name };
  }
  return undefined;
}

/** CI's style separators, tried in this order. */
export const STYLE_SEPARATORS = ['!', '-', '_', '/'] as const;

/**
 * Splits `<key><separator><style>` when `<style>` is a defined style and `<key>` exists; `undefined` otherwise
 * (an object whose key merely contains a separator is never mistaken for a style URL: it is only tried when the
 * whole key is not an object).
 */
export function splitStyleKey(
  key: string,
  hasStyle: (name: string) => boolean,
  hasObject: (key: string) => boolean,
): { key: string; style: string } | undefined {
  for (const separator of STYLE_SEPARATORS) {
    const at = key.lastIndexOf(separator);
    if (at <= 0) continue;
    const base = key.slice(0, at);
    const name = key.slice(at + 1);
    if (name && hasStyle(name) && hasObject(base)) return { key: base, style: name };
  }
  return undefined;
}

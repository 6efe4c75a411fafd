/**
 * `JSON.stringify`, then every character above U+007E written as a `\uXXXX` escape (astral characters as their
 * surrogate pair), so the text is pure printable ASCII and still the same JSON value.
 *
 * Why: a `Pic-Operations` value is an HTTP header. Node's `http` refuses header values with characters above
 * U+00FF (`ERR_INVALID_CHAR`) and sends U+0080-U+00FF as single Latin-1 bytes, which COS would not read as UTF-8.
 * Tencent's official Python SDK builds the header with `json.dumps` (`ensure_ascii=True`), which sends exactly
 * these escapes; any JSON parser on the COS side reads them back to the original characters.
 * @example stringifyAsciiJson({ fileid: '图.jpg' }) // '{"fileid":"\\u56fe.jpg"}'
 */
export function stringifyAsciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

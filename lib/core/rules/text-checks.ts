// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` has a C0 control character (U+0000-U+001F) or DEL (U+007F). */
export function hasControlChar(text: string): boolean {
  return CONTROL_CHAR.test(text);
}

/** True when `text` has a lone UTF-16 surrogate, which UTF-8 (and so base64 or a COS key) cannot carry. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** True when `text` can be one `/`-separated segment of a rule: not empty, no `/`, `|` or control character. */
export function isRuleToken(text: string): boolean {
  return text.length > 0 && !/[/|]/.test(text) && !hasControlChar(text);
}

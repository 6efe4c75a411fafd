const URL_SAFE_BASE64 = /^[A-Za-z0-9_-]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes text as CI's "URL-safe base64": UTF-8, base64 with `+`->`-` and `/`->`_`, no `=` padding
 * (the form of the watermark examples in CI's docs).
 * @example encodeUrlSafeBase64('#FFFFFF') // 'I0ZGRkZGRg'
 */
export function encodeUrlSafeBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * Decodes CI's URL-safe base64 (padded or not) to UTF-8 text. Returns `undefined` when `value` is not URL-safe
 * base64 or does not decode to valid UTF-8, so callers can report the bad token in their own words.
 * @example decodeUrlSafeBase64('I0ZGRkZGRg==') // '#FFFFFF'
 */
export function decodeUrlSafeBase64(value: string): string | undefined {
  if (value.length === 0 || !URL_SAFE_BASE64.test(value)) return undefined;
  const body = value.replace(/=+$/, '');
  // A length of 4n+1 cannot come from any byte string; padding must complete a 4-char group.
  if (body.length % 4 === 1) return undefined;
  if (body.length !== value.length && value.length % 4 !== 0) return undefined;
  try {
    return utf8.decode(Buffer.from(body, 'base64url'));
  } catch {
    return undefined;
  }
}

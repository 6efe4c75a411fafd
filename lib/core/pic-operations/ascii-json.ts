/**
 * `JSON.stringify`, then every character above U+007E written as a `\uXXXX` escape (astral characters as their
 * surrogate pair), so the text is pure printable ASCII and still the same JSON value.
 *
 * Sources: the seed says "Pic-Operations is a string in .json format", so CI reads it with a JSON parser, and JSON
 * (RFC 8259 section 7) defines `\u56fe` as the same character as `图`. The official Go SDK
 * (`tencentyun/cos-go-sdk-v5` `ci.go` `EncodePicOperations`) uses `json.Marshal`, which writes non-ASCII as raw
 * UTF-8 bytes (it escapes only `<`, `>`, `&`); the Python SDK (`cos-python-sdk-v5` `demo/ci_image.py`) passes the
 * caller's string through. Raw UTF-8 from Node would mean passing the header's UTF-8 bytes as a Latin-1 string
 * (Node's `http` and undici refuse characters above U+00FF) and every reader decoding them back; the escapes reach
 * the same JSON value in plain ASCII (test/conformance holds the Go SDK's form and this one side by side).
 * @example stringifyAsciiJson({ fileid: '图.jpg' }) // '{"fileid":"\\u56fe.jpg"}'
 */
export function stringifyAsciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

import fc from 'fast-check';
import { stringifyAsciiJson } from './ascii-json';

describe('stringifyAsciiJson', () => {
  it('writes what Python json.dumps writes', () => {
    // Python: json.dumps({"fileid": "图.jpg", "x": "é\u007f😀"}, separators=(",", ":"))
    expect(stringifyAsciiJson({ fileid: '图.jpg', x: 'é\u007f😀' })).toBe(
      '{"fileid":"\\u56fe.jpg","x":"\\u00e9\\u007f\\ud83d\\ude00"}',
    );
  });

  it('leaves ASCII as JSON.stringify writes it', () => {
    expect(stringifyAsciiJson({ a: 'b"c\\d\n', n: 1 })).toBe(JSON.stringify({ a: 'b"c\\d\n', n: 1 }));
  });

  it('is printable ASCII and the same JSON value, for any value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = stringifyAsciiJson(value);
        expect(text).toMatch(/^[\u0020-\u007e]*$/);
        expect(JSON.parse(text)).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

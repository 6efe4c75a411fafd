import fc from 'fast-check';
import { decodeUrlSafeBase64, encodeUrlSafeBase64 } from './url-safe-base64';

describe('URL-safe base64', () => {
  it('encodes like the CI docs: "-" and "_", no padding', () => {
    expect(encodeUrlSafeBase64('#FFFFFF')).toBe('I0ZGRkZGRg');
    expect(encodeUrlSafeBase64('腾讯云·万象优图')).toBe('6IW-6K6v5LqRwrfkuIfosaHkvJjlm74');
    expect(encodeUrlSafeBase64('???')).toBe('Pz8_');
  });

  it('decodes padded and unpadded forms', () => {
    expect(decodeUrlSafeBase64('I0ZGRkZGRg==')).toBe('#FFFFFF');
    expect(decodeUrlSafeBase64('I0ZGRkZGRg')).toBe('#FFFFFF');
  });

  it.each(['', 'a', 'aGk+', 'aG/k', 'aGk==x', 'I0ZGRkZGRg=', '_w'])('refuses %j', (value) => {
    expect(decodeUrlSafeBase64(value)).toBeUndefined();
  });

  it('gets back any well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (text) => {
        const encoded = encodeUrlSafeBase64(text);
        expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeUrlSafeBase64(encoded)).toBe(text);
      }),
    );
  });
});

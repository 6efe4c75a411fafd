import { hasControlChar, hasLoneSurrogate, isRuleToken } from './text-checks';

describe('text checks', () => {
  it('finds C0 control characters and DEL, nothing else', () => {
    for (let code = 0; code < 0x20; code++)
      expect(hasControlChar(`a${String.fromCharCode(code)}`)).toBe(true);
    expect(hasControlChar('a\u007f')).toBe(true);
    expect(hasControlChar(' ~\u0080é图😀')).toBe(false);
  });

  it('finds lone surrogates', () => {
    expect(hasLoneSurrogate('a\ud800')).toBe(true);
    expect(hasLoneSurrogate('\udc00a')).toBe(true);
    expect(hasLoneSurrogate('\ude00\ud83d')).toBe(true);
    expect(hasLoneSurrogate('😀')).toBe(false);
  });

  it('tells rule tokens', () => {
    expect(isRuleToken('200x')).toBe(true);
    expect(isRuleToken('图 x')).toBe(true);
    for (const bad of ['', 'a/b', 'a|b', 'a\tb']) expect(isRuleToken(bad)).toBe(false);
  });
});

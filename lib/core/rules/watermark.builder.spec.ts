import { isCiValidationError } from '../errors';
import { parseRule } from './rule.parser';
import { watermarkImage, watermarkText } from './watermark.builder';

const LOGO = 'http://examplebucket-1250000000.cos.ap-shanghai.myqcloud.com/shuiyin_2.png';

describe('watermark builders', () => {
  it('writes an image watermark with the URL in unpadded URL-safe base64', () => {
    const builder = watermarkImage({ url: LOGO, gravity: 'southeast', dx: 10, dy: 20, blogo: 1 });
    const encoded = Buffer.from(LOGO)
      .toString('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(builder.toString()).toBe(`watermark/1/image/${encoded}/gravity/southeast/dx/10/dy/20/blogo/1`);
    expect(builder.toRule()).toStrictEqual({
      steps: [{ kind: 'watermark', type: 1, image: LOGO, gravity: 'southeast', dx: 10, dy: 20, blogo: 1 }],
    });
    expect(parseRule(builder.toString())).toStrictEqual(builder.toRule());
  });

  it('writes the text watermark of the docs in key order', () => {
    const builder = watermarkText({
      text: '腾讯云·万象优图',
      font: 'tahoma.ttf',
      fontSize: 20,
      fill: '#FFFFFF',
      dissolve: 50,
      gravity: 'northeast',
      dx: 5,
      dy: 6,
      batch: true,
      degree: 45,
    });
    expect(builder.toString()).toBe(
      'watermark/2/text/6IW-6K6v5LqRwrfkuIfosaHkvJjlm74/font/dGFob21hLnR0Zg/fontsize/20/fill/I0ZGRkZGRg' +
        '/dissolve/50/gravity/northeast/dx/5/dy/6/batch/1/degree/45',
    );
    expect(parseRule(builder.toString())).toStrictEqual(builder.toRule());
  });

  it('writes only the text when nothing else is given', () => {
    expect(watermarkText({ text: 'hi' }).toString()).toBe('watermark/2/text/aGk');
    expect(watermarkText({ text: 'hi', batch: false }).toRule()).toStrictEqual({
      steps: [{ kind: 'watermark', type: 2, text: 'hi' }],
    });
  });

  it('uses "-" and "_" where base64 has "+" and "/"', () => {
    // '>>>?' encodes to 'Pj4+Pw==' in standard base64.
    expect(watermarkText({ text: '>>>?' }).toString()).toBe('watermark/2/text/Pj4-Pw');
    expect(watermarkText({ text: '???' }).toString()).toBe('watermark/2/text/Pz8_');
  });

  it.each<[string, () => unknown, RegExp]>([
    ['an empty text', () => watermarkText({ text: '' }), /watermark\/2: text must be a non-empty string/],
    ['a lone surrogate', () => watermarkText({ text: 'a\ud800' }), /text has a lone UTF-16 surrogate/],
    [
      'dissolve 0',
      () => watermarkText({ text: 'a', dissolve: 0 }),
      /watermark\/2: dissolve 0 is not an integer in 1\.\.100/,
    ],
    ['a colour name', () => watermarkText({ text: 'a', fill: 'red' }), /fill "red" is not a #RRGGBB colour/],
    ['font size 0', () => watermarkText({ text: 'a', fontSize: 0 }), /fontsize 0 is not a positive integer/],
    ['degree 400', () => watermarkText({ text: 'a', degree: 400 }), /degree 400/],
    [
      'a relative URL',
      () => watermarkImage({ url: '/logo.png' }),
      /watermark\/1: image "\/logo.png" is not an absolute http\(s\) URL/,
    ],
    ['an ftp URL', () => watermarkImage({ url: 'ftp://x/logo.png' }), /is not an absolute http\(s\) URL/],
    [
      'blogo 3',
      () => watermarkImage({ url: LOGO, blogo: 3 as 1 }),
      /watermark\/1: blogo 3 is not one of 1, 2/,
    ],
    ['negative dy', () => watermarkImage({ url: LOGO, dy: -3 }), /dy -3 is not a non-negative integer/],
    ['a bad gravity', () => watermarkImage({ url: LOGO, gravity: 'top' as 'north' }), /gravity "top"/],
  ])('refuses %s with RULE_MALFORMED', (_name, build, message) => {
    expect.assertions(2);
    try {
      build();
    } catch (error) {
      expect(isCiValidationError(error) && error.reason).toBe('RULE_MALFORMED');
      expect((error as Error).message).toMatch(message);
    }
  });
});

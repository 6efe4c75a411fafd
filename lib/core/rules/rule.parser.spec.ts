import { isCiValidationError, type CiValidationError } from '../errors';
import { parseRule } from './rule.parser';
import { serializeRule } from './rule.serializer';
import type { CiRule } from './rule.types';

function refusal(text: string, strict = false): CiValidationError {
  try {
    parseRule(text, { strict });
  } catch (error) {
    if (isCiValidationError(error)) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseRule', () => {
  it('reads the examples of the docs and the seed', () => {
    expect(parseRule('imageView2/format/png')).toStrictEqual({
      steps: [{ kind: 'imageView2', format: 'png' }],
    });
    expect(parseRule('imageMogr2/thumbnail/!50p/ignore-error/1')).toStrictEqual({
      steps: [
        { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'scale', scale: 50 }, { op: 'ignore-error' }] },
      ],
    });
    expect(
      parseRule(
        'imageMogr2/thumbnail/!50p|watermark/2/text/6IW-6K6v5LqRwrfkuIfosaHkvJjlm74/fill/I0ZGRkZGRg==',
      ),
    ).toStrictEqual({
      steps: [
        { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'scale', scale: 50 }] },
        { kind: 'watermark', type: 2, text: '腾讯云·万象优图', fill: '#FFFFFF' },
      ],
    });
    expect(parseRule('style/test')).toStrictEqual({ steps: [{ kind: 'style', name: 'test' }] });
  });

  it.each<[string, CiRule['steps'][number]]>([
    [
      'imageMogr2/thumbnail/!50px',
      { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'widthScale', scale: 50 }] },
    ],
    [
      'imageMogr2/thumbnail/!x50p',
      { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'heightScale', scale: 50 }] },
    ],
    [
      'imageMogr2/thumbnail/!200x100r',
      { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'cover', width: 200, height: 100 }] },
    ],
    [
      'imageMogr2/thumbnail/200x100>',
      { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'shrink', width: 200, height: 100 }] },
    ],
    [
      'imageMogr2/thumbnail/200x100<',
      { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'enlarge', width: 200, height: 100 }] },
    ],
    [
      'imageMogr2/thumbnail/200x100!',
      { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'force', width: 200, height: 100 }] },
    ],
    [
      'imageMogr2/thumbnail/40000@',
      { kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'area', area: 40000 }] },
    ],
    [
      'imageMogr2/cut/600x600x100x10',
      { kind: 'imageMogr2', ops: [{ op: 'cut', width: 600, height: 600, dx: 100, dy: 10 }] },
    ],
    ['imageMogr2/scrop/100x600', { kind: 'imageMogr2', ops: [{ op: 'scrop', width: 100, height: 600 }] }],
    [
      'imageMogr2/size-limit/15k!',
      { kind: 'imageMogr2', ops: [{ op: 'size-limit', value: 15, unit: 'k', force: true }] },
    ],
    ['imageMogr2/blur/8x0.5', { kind: 'imageMogr2', ops: [{ op: 'blur', radius: 8, sigma: 0.5 }] }],
    ['imageMogr2/pad/1/color/I0ZGRkZGRg', { kind: 'imageMogr2', ops: [{ op: 'pad', color: '#FFFFFF' }] }],
    [
      'imageView2/1/w/500/h/400/q/85!',
      { kind: 'imageView2', mode: 1, width: 500, height: 400, quality: 85, forceQuality: true },
    ],
  ])('reads %s', (text, step) => {
    expect(parseRule(text)).toStrictEqual({ steps: [step] });
    expect(serializeRule(parseRule(text))).toBe(text);
  });

  it('reads crop parameters in any order and writes them in canonical order', () => {
    const rule = parseRule('imageMogr2/crop/300x400/dy/6/gravity/center/dx/5/strip');
    expect(rule.steps[0]).toStrictEqual({
      kind: 'imageMogr2',
      ops: [{ op: 'crop', width: 300, height: 400, gravity: 'center', dx: 5, dy: 6 }, { op: 'strip' }],
    });
    expect(serializeRule(rule)).toBe('imageMogr2/crop/300x400/gravity/center/dx/5/dy/6/strip');
  });

  it('accepts gravity and formats in any case and writes them in lower case', () => {
    const rule = parseRule(
      'imageMogr2/crop/10x/gravity/SouthEast/format/PNG|watermark/2/text/aGk/gravity/NorthWest',
    );
    expect(serializeRule(rule)).toBe(
      'imageMogr2/crop/10x/gravity/southeast/format/png|watermark/2/text/aGk/gravity/northwest',
    );
  });

  it('accepts padded and unpadded base64 and writes it unpadded', () => {
    const padded = parseRule('watermark/2/text/aGk=/fill/I0ZGRkZGRg==');
    const unpadded = parseRule('watermark/2/text/aGk/fill/I0ZGRkZGRg');
    expect(padded).toStrictEqual(unpadded);
    expect(serializeRule(padded)).toBe('watermark/2/text/aGk/fill/I0ZGRkZGRg');
  });

  it('reads imageView2 and watermark parameters in any order', () => {
    expect(serializeRule(parseRule('imageView2/2/format/webp/h/300/w/400'))).toBe(
      'imageView2/2/w/400/h/300/format/webp',
    );
    expect(serializeRule(parseRule('watermark/2/fontsize/20/text/aGk'))).toBe(
      'watermark/2/text/aGk/fontsize/20',
    );
  });

  describe('what the model does not know', () => {
    it('keeps unknown top-level operations as raw steps', () => {
      expect(parseRule('imageMogr2/strip|imageInfo|imageSlim')).toStrictEqual({
        steps: [
          { kind: 'imageMogr2', ops: [{ op: 'strip' }] },
          { kind: 'unknown', name: 'imageInfo', raw: 'imageInfo' },
          { kind: 'imageSlim' },
        ],
      });
      expect(parseRule('watermark/7/type/3/text/dGVzdA')).toStrictEqual({
        steps: [{ kind: 'unknown', name: 'watermark', raw: 'watermark/7/type/3/text/dGVzdA' }],
      });
      // Blind watermarks (3), their extraction (4) and QRcode are typed.
      expect(
        parseRule('watermark/3/type/3/text/dGVzdA/level/2|watermark/4/type/3/text/dGVzdA|QRcode/cover/1', {
          strict: true,
        }),
      ).toStrictEqual({
        steps: [
          { kind: 'watermark', type: 3, blindType: 3, text: 'test', level: 2 },
          { kind: 'watermark', type: 4, blindType: 3, text: 'test' },
          { kind: 'QRcode', cover: 1 },
        ],
      });
      expect(() => parseRule('watermark/3/type/1/text/dGVzdA')).toThrow(/type 1 needs an image parameter/);
    });

    it('keeps an unknown imageMogr2 operation with every token up to the next known one', () => {
      const text = 'imageMogr2/thumbnail/200x/rcrop/1x2/extra/format/webp';
      expect(parseRule(text).steps[0]).toStrictEqual({
        kind: 'imageMogr2',
        ops: [
          { op: 'thumbnail', mode: 'width', width: 200 },
          { op: 'unknown', name: 'rcrop', args: ['1x2', 'extra'] },
          { op: 'format', format: 'webp' },
        ],
      });
      expect(serializeRule(parseRule(text))).toBe(text);
    });

    it('keeps unknown imageView2 and watermark parameters after the known ones', () => {
      expect(parseRule('imageView2/2/w/100/newparam/1').steps[0]).toStrictEqual({
        kind: 'imageView2',
        mode: 2,
        width: 100,
        extra: [{ name: 'newparam', value: '1' }],
      });
      expect(serializeRule(parseRule('watermark/2/glow/50/text/aGk'))).toBe('watermark/2/text/aGk/glow/50');
    });

    it('types the documented imageView2 ignore-error and watermark scatype, spcent, dissolve and shadow', () => {
      expect(parseRule('imageView2/2/w/100/ignore-error/1').steps[0]).toStrictEqual({
        kind: 'imageView2',
        mode: 2,
        width: 100,
        ignoreError: true,
      });
      expect(parseRule('watermark/2/shadow/50/text/aGk').steps[0]).toStrictEqual({
        kind: 'watermark',
        type: 2,
        text: 'hi',
        shadow: 50,
      });
      const image = 'watermark/1/image/aHR0cDovL2EvYi5wbmc/scatype/1/spcent/200/dissolve/60';
      expect(parseRule(image, { strict: true }).steps[0]).toStrictEqual({
        kind: 'watermark',
        type: 1,
        image: 'http://a/b.png',
        scatype: 1,
        spcent: 200,
        dissolve: 60,
      });
      expect(serializeRule(parseRule(image))).toBe(image);
      expect(refusal('watermark/1/image/aHR0cDovL2EvYi5wbmc/spcent/2').message).toMatch(
        /spcent needs a scatype/,
      );
      expect(refusal('imageView2/2/w/1/ignore-error/0').message).toMatch(/ignore-error "0" is not 1/);
    });

    it('types ci-process rules (AI processing through Pic-Operations) and writes them back as given', () => {
      const text = 'ci-process=AIPicMatting&center-layout=1&padding-layout=20x10';
      expect(parseRule(text, { strict: true }).steps[0]).toStrictEqual({
        kind: 'ciProcess',
        process: 'AIPicMatting',
        params: [
          { name: 'center-layout', value: '1' },
          { name: 'padding-layout', value: '20x10' },
        ],
      });
      expect(serializeRule(parseRule(text))).toBe(text);
      expect(refusal('ci-process=AIPicMatting&broken').message).toMatch(/"broken" is not <name>=<value>/);
    });

    it.each([
      ['imageInfo', /unknown operation "imageInfo"/],
      ['imageMogr2/strip/minsize/1', /unknown imageMogr2 operation "minsize"/],
      ['imageView2/2/w/100/newparam/1', /unknown imageView2 parameter "newparam"/],
      ['watermark/2/text/aGk/glow/50', /unknown watermark\/2 parameter "glow"/],
      ['watermark/1/image/aHR0cDovL2EvYi5wbmc/halo/1', /unknown watermark\/1 parameter "halo"/],
      ['watermark/7/type/3/text/dGVzdA', /watermark type 7 is not modelled/],
    ])('refuses %s under strict with RULE_UNKNOWN_OPERATION', (text, message) => {
      const error = refusal(text, true);
      expect(error.reason).toBe('RULE_UNKNOWN_OPERATION');
      expect(error.code).toBe('CI_VALIDATION');
      expect(error.message).toMatch(message);
    });

    it('keeps gravity after a thumbnail as an unknown operation, and refuses it under strict', () => {
      expect(parseRule('imageMogr2/thumbnail/200x/gravity/center').steps[0]).toStrictEqual({
        kind: 'imageMogr2',
        ops: [
          { op: 'thumbnail', mode: 'width', width: 200 },
          { op: 'unknown', name: 'gravity', args: ['center'] },
        ],
      });
      expect(refusal('imageMogr2/thumbnail/200x/gravity/center', true).reason).toBe('RULE_UNKNOWN_OPERATION');
    });
  });

  it.each(['', '   '])('refuses %j with RULE_EMPTY', (text) => {
    const error = refusal(text);
    expect(error.reason).toBe('RULE_EMPTY');
    expect(error.message).toBe('rule is empty');
  });

  it.each<[string, RegExp]>([
    ['imageMogr2', /rule "imageMogr2": imageMogr2: needs at least one operation/],
    [
      'imageMogr2/thumbnail/abc',
      /rule "imageMogr2\/thumbnail\/abc": imageMogr2\/thumbnail: "abc" is not a thumbnail size/,
    ],
    ['imageMogr2/thumbnail/0x', /imageMogr2\/thumbnail: width 0 is not a positive integer/],
    ['imageMogr2/thumbnail', /imageMogr2\/thumbnail: needs a value/],
    ['imageMogr2/quality/101', /imageMogr2\/quality: 101 is not an integer in 0\.\.100/],
    ['imageMogr2/quality/high', /imageMogr2\/quality: "high" is not an integer with an optional "!"/],
    ['imageMogr2/blur/0x2', /imageMogr2\/blur: radius 0 is not an integer in 1\.\.50/],
    ['imageMogr2/blur/2x0', /imageMogr2\/blur: sigma 0 is not a decimal number greater than 0/],
    ['imageMogr2/blur/2', /imageMogr2\/blur: "2" is not <radius>x<sigma>/],
    ['imageMogr2/crop/x', /imageMogr2\/crop: "x" needs a width, a height or both/],
    ['imageMogr2/crop/10x/gravity/middle', /gravity "middle" is not one of northwest/],
    ['imageMogr2/crop/10x/dx/1/dx/2', /imageMogr2\/crop: dx is given twice/],
    ['imageMogr2/crop/10x/dx', /imageMogr2\/crop\/dx: needs a value/],
    ['imageMogr2/cut/1x2x3', /imageMogr2\/cut: "1x2x3" is not <w>x<h>x<dx>x<dy>/],
    ['imageMogr2/rotate/-90', /imageMogr2\/rotate: degrees -90 is not an integer in 0\.\.360/],
    ['imageMogr2/rotate/ninety', /imageMogr2\/rotate: degrees "ninety" is not an integer/],
    ['imageMogr2/flip/diagonal', /imageMogr2\/flip: direction "diagonal"/],
    ['imageMogr2/format/ti!ff', /imageMogr2\/format: format "ti!ff" is not a format name/],
    ['imageMogr2/grayscale/2', /imageMogr2\/grayscale: value 2 is not one of 0, 1/],
    ['imageMogr2/size-limit/15g', /imageMogr2\/size-limit: "15g" is not <n>k or <n>m/],
    ['imageMogr2/ignore-error/0', /imageMogr2\/ignore-error: "0" is not 1/],
    ['imageMogr2/pad/1/color/!!', /imageMogr2\/pad: color "!!" is not URL-safe base64/],
    ['imageMogr2/pad/1/color/cmVk', /imageMogr2\/pad: color "red" is not a #RRGGBB colour/],
    [
      'imageMogr2/sharpen/99999999999999999999',
      /imageMogr2\/sharpen: "99999999999999999999" is not an integer/,
    ],
    ['imageMogr2/strip/wat!', /imageMogr2: "wat!" is not an operation name/],
    ['imageMogr2//strip', /empty segment at position 2/],
    ['imageMogr2/strip/', /empty segment at position 3/],
    ['imageMogr2/strip\u0001', /has a control character/],
    ['imageView2', /imageView2: needs a mode or at least one parameter/],
    ['imageView2/0/w/100', /imageView2: mode 0 is not one of 1, 2, 3, 4, 5/],
    ['imageView2/6/w/100', /imageView2: mode 6/],
    ['imageView2/2', /imageView2: mode 2 needs w, h or both/],
    ['imageView2/w/100', /imageView2: w and h need a mode/],
    ['imageView2/2/w', /imageView2: parameter "w" needs a value/],
    ['imageView2/2/w/1/w/2', /imageView2: parameter "w" is given twice/],
    ['imageView2/2/w/1/q/80!!', /imageView2: q "80!!" is not an integer/],
    ['watermark', /watermark: type "" is not a number/],
    ['watermark/x', /watermark: type "x" is not a number/],
    ['watermark/1/gravity/north', /watermark\/1: needs an image parameter/],
    ['watermark/1/image/aHR0cDovL2E=/blogo/3', /watermark\/1: blogo 3 is not one of 1, 2/],
    ['watermark/1/image/L2xvZ28ucG5n', /watermark\/1: image "\/logo.png" is not an absolute http\(s\) URL/],
    ['watermark/2/font/aGk', /watermark\/2: needs a text parameter/],
    ['watermark/2/text/a', /watermark\/2: text "a" is not URL-safe base64/],
    ['watermark/2/text/aGk+', /watermark\/2: text "aGk\+" is not URL-safe base64/],
    ['watermark/2/text/_w', /watermark\/2: text "_w" is not URL-safe base64 of UTF-8 text/],
    ['watermark/2/text/aGk/dissolve/0', /watermark\/2: dissolve 0 is not an integer in 1\.\.100/],
    ['style', /style: needs a name/],
    ['style/a/b', /style: name "a\/b" has a "\/"/],
    ['style/a b', /style: name "a b" must be non-empty/],
    ['hello world', /rule: "hello world" is not an operation name/],
  ])('refuses %j with RULE_MALFORMED naming the step and the token', (text, message) => {
    const error = refusal(text);
    expect(error.code).toBe('CI_VALIDATION');
    expect(error.reason).toBe('RULE_MALFORMED');
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`rule ${JSON.stringify(text)}: `)).toBe(true);
  });

  it('names the step number in a pipe and chains the cause', () => {
    const error = refusal('imageMogr2/strip|imageMogr2/quality/101|style/a');
    expect(error.reason).toBe('RULE_MALFORMED');
    expect(error.message).toBe(
      'rule step 2 "imageMogr2/quality/101": imageMogr2/quality: 101 is not an integer in 0..100',
    );
    expect(isCiValidationError(error.cause)).toBe(true);
  });

  it.each(['imageMogr2/strip|', '|style/a', 'style/a||style/b'])('refuses the empty step in %j', (text) => {
    const error = refusal(text);
    expect(error.reason).toBe('RULE_MALFORMED');
    expect(error.message).toMatch(/empty step/);
  });

  it('refuses a value that is not a string', () => {
    expect(() => parseRule(42 as never)).toThrow(/rule must be a string, got number/);
  });
});

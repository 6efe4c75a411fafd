import { isCiValidationError, type CiValidationError } from '../errors';
import { imageMogr2, type CiThumbnailOptions } from './image-mogr2.builder';
import { parseRule } from './rule.parser';

function refusal(build: () => unknown): CiValidationError {
  try {
    build();
  } catch (error) {
    if (isCiValidationError(error)) return error;
    throw error;
  }
  throw new Error('expected a CiValidationError, nothing was thrown');
}

describe('imageMogr2 builder', () => {
  it('writes the documented example', () => {
    expect(imageMogr2().thumbnail({ width: 200 }).format('webp').quality(80).toString()).toBe(
      'imageMogr2/thumbnail/200x/format/webp/quality/80',
    );
  });

  it.each<[CiThumbnailOptions, string]>([
    [{ scale: 50 }, '!50p'],
    [{ widthScale: 50 }, '!50px'],
    [{ heightScale: 50 }, '!x50p'],
    [{ width: 200 }, '200x'],
    [{ height: 300 }, 'x300'],
    [{ width: 200, height: 300 }, '200x300'],
    [{ width: 200, height: 300, mode: 'fit' }, '200x300'],
    [{ width: 200, height: 300, mode: 'cover' }, '!200x300r'],
    [{ width: 200, height: 300, mode: 'force' }, '200x300!'],
    [{ width: 200, height: 300, mode: 'shrink' }, '200x300>'],
    [{ width: 200, height: 300, mode: 'enlarge' }, '200x300<'],
    [{ area: 250000 }, '250000@'],
  ])('thumbnail %j is thumbnail/%s', (options, geometry) => {
    const builder = imageMogr2().thumbnail(options);
    expect(builder.toString()).toBe(`imageMogr2/thumbnail/${geometry}`);
    expect(parseRule(builder.toString())).toStrictEqual(builder.toRule());
  });

  it.each<[string, (b: ReturnType<typeof imageMogr2>) => ReturnType<typeof imageMogr2>, string]>([
    ['crop width', (b) => b.crop({ width: 300 }), 'crop/300x'],
    ['crop height', (b) => b.crop({ height: 400 }), 'crop/x400'],
    [
      'crop with anchor',
      (b) => b.crop({ width: 300, height: 400, gravity: 'center', dx: 5, dy: 6 }),
      'crop/300x400/gravity/center/dx/5/dy/6',
    ],
    ['cut', (b) => b.cut({ width: 10, height: 20, dx: 3, dy: 4 }), 'cut/10x20x3x4'],
    ['cut at the origin', (b) => b.cut({ width: 10, height: 20 }), 'cut/10x20x0x0'],
    ['iradius', (b) => b.iradius(50), 'iradius/50'],
    ['rradius', (b) => b.rradius(20), 'rradius/20'],
    ['scrop', (b) => b.scrop({ width: 100, height: 120 }), 'scrop/100x120'],
    ['rotate', (b) => b.rotate(90), 'rotate/90'],
    ['auto-orient', (b) => b.autoOrient(), 'auto-orient'],
    ['flip', (b) => b.flip('horizontal'), 'flip/horizontal'],
    ['format', (b) => b.format('avif'), 'format/avif'],
    ['forced quality', (b) => b.quality(90, { force: true }), 'quality/90!'],
    ['rquality', (b) => b.rquality(60), 'rquality/60'],
    ['lquality', (b) => b.lquality(70), 'lquality/70'],
    ['blur', (b) => b.blur({ radius: 8, sigma: 5 }), 'blur/8x5'],
    ['blur with a decimal sigma', (b) => b.blur({ radius: 8, sigma: 0.5 }), 'blur/8x0.5'],
    ['sharpen', (b) => b.sharpen(70), 'sharpen/70'],
    ['bright', (b) => b.bright(-20), 'bright/-20'],
    ['contrast', (b) => b.contrast(30), 'contrast/30'],
    ['grayscale', (b) => b.grayscale(), 'grayscale/1'],
    ['grayscale off', (b) => b.grayscale(false), 'grayscale/0'],
    ['strip', (b) => b.strip(), 'strip'],
    ['interlace', (b) => b.interlace(), 'interlace/1'],
    ['size-limit', (b) => b.sizeLimit({ value: 15, unit: 'k', force: true }), 'size-limit/15k!'],
    ['size-limit in MB', (b) => b.sizeLimit({ value: 1, unit: 'm' }), 'size-limit/1m'],
    ['ignore-error', (b) => b.ignoreError(), 'ignore-error/1'],
    ['pad', (b) => b.pad(), 'pad/1'],
    ['pad with colour', (b) => b.pad({ color: '#FFFFFF' }), 'pad/1/color/I0ZGRkZGRg'],
    ['cgif', (b) => b.cgif(20), 'cgif/20'],
    ['custom', (b) => b.custom('minsize', '1'), 'minsize/1'],
  ])('%s', (_name, build, expected) => {
    const builder = build(imageMogr2());
    expect(builder.toString()).toBe(`imageMogr2/${expected}`);
    expect(parseRule(builder.toString())).toStrictEqual(builder.toRule());
  });

  it('gives the typed model from toRule()', () => {
    expect(imageMogr2().thumbnail({ width: 200, height: 100, mode: 'cover' }).strip().toRule()).toStrictEqual(
      {
        steps: [
          {
            kind: 'imageMogr2',
            ops: [{ op: 'thumbnail', mode: 'cover', width: 200, height: 100 }, { op: 'strip' }],
          },
        ],
      },
    );
  });

  it('is immutable: each method returns a new builder and leaves the old one as it was', () => {
    const base = imageMogr2().thumbnail({ width: 100 });
    const webp = base.format('webp');
    const png = base.format('png');
    expect(base.toString()).toBe('imageMogr2/thumbnail/100x');
    expect(webp.toString()).toBe('imageMogr2/thumbnail/100x/format/webp');
    expect(png.toString()).toBe('imageMogr2/thumbnail/100x/format/png');
    const rule = base.toRule();
    (rule.steps[0] as { ops: unknown[] }).ops.push({ op: 'strip' });
    expect(base.toString()).toBe('imageMogr2/thumbnail/100x');
  });

  it('writes gravity and format in lower case whatever the case given', () => {
    const loose = imageMogr2()
      .crop({ width: 10, gravity: 'SouthEast' as 'southeast' })
      .format('PNG' as 'png');
    expect(loose.toString()).toBe('imageMogr2/crop/10x/gravity/southeast/format/png');
  });

  it('writes JSON as the rule text', () => {
    expect(JSON.stringify({ rule: imageMogr2().strip() })).toBe('{"rule":"imageMogr2/strip"}');
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'quality 101',
      () => imageMogr2().quality(101),
      /imageMogr2\/quality: 101 is not an integer in 0\.\.100/,
    ],
    ['quality 80.5', () => imageMogr2().quality(80.5), /imageMogr2\/quality: 80\.5 /],
    [
      'blur radius 0',
      () => imageMogr2().blur({ radius: 0, sigma: 2 }),
      /imageMogr2\/blur: radius 0 is not an integer in 1\.\.50/,
    ],
    ['blur radius 51', () => imageMogr2().blur({ radius: 51, sigma: 2 }), /radius 51/],
    ['blur sigma 0', () => imageMogr2().blur({ radius: 5, sigma: 0 }), /imageMogr2\/blur: sigma 0 /],
    [
      'negative width',
      () => imageMogr2().thumbnail({ width: -5 }),
      /imageMogr2\/thumbnail: width -5 is not a positive integer/,
    ],
    ['zero height', () => imageMogr2().thumbnail({ height: 0 }), /height 0 is not a positive integer/],
    ['NaN scale', () => imageMogr2().thumbnail({ scale: Number.NaN }), /imageMogr2\/thumbnail: scale NaN/],
    [
      'two forms',
      () => imageMogr2().thumbnail({ width: 5, scale: 5 } as never),
      /give width and\/or height.*width\+scale/,
    ],
    ['no form', () => imageMogr2().thumbnail({} as never), /got none/],
    [
      'mode with one side',
      () => imageMogr2().thumbnail({ width: 5, mode: 'cover' } as never),
      /mode "cover" needs both/,
    ],
    [
      'unknown mode',
      () => imageMogr2().thumbnail({ width: 5, height: 5, mode: 'zoom' as never }),
      /mode "zoom"/,
    ],
    [
      'crop without size',
      () => imageMogr2().crop({ gravity: 'north' }),
      /imageMogr2\/crop: needs a width, a height or both/,
    ],
    [
      'crop bad gravity',
      () => imageMogr2().crop({ width: 5, gravity: 'middle' as never }),
      /gravity "middle" is not one of/,
    ],
    [
      'crop negative dx',
      () => imageMogr2().crop({ width: 5, dx: -1 }),
      /dx -1 is not a non-negative integer/,
    ],
    [
      'rotate 361',
      () => imageMogr2().rotate(361),
      /imageMogr2\/rotate: degrees 361 is not an integer in 0\.\.360/,
    ],
    ['flip diagonal', () => imageMogr2().flip('diagonal' as never), /direction "diagonal"/],
    [
      'format ti!ff',
      () => imageMogr2().format('ti!ff' as never),
      /imageMogr2\/format: format "ti!ff" is not a format name/,
    ],
    ['sharpen 5', () => imageMogr2().sharpen(5), /imageMogr2\/sharpen: 5 is not an integer in 10\.\.300/],
    ['bright -101', () => imageMogr2().bright(-101), /imageMogr2\/bright: -101/],
    ['contrast 101', () => imageMogr2().contrast(101), /imageMogr2\/contrast: 101/],
    ['size-limit 0', () => imageMogr2().sizeLimit({ value: 0, unit: 'k' }), /imageMogr2\/size-limit: size 0/],
    ['size-limit in GB', () => imageMogr2().sizeLimit({ value: 1, unit: 'g' as never }), /unit "g"/],
    [
      'pad colour name',
      () => imageMogr2().pad({ color: 'white' }),
      /imageMogr2\/pad: color "white" is not a #RRGGBB colour/,
    ],
    ['cgif 0', () => imageMogr2().cgif(0), /imageMogr2\/cgif: frames 0/],
    ['custom known name', () => imageMogr2().custom('strip'), /"strip" is known: use its typed form/],
    ['custom bad name', () => imageMogr2().custom('a/b'), /operation name "a\/b"/],
    ['custom arg with a slash', () => imageMogr2().custom('minsize', 'a/b'), /argument "a\/b"/],
    [
      'custom arg that is a known name',
      () => imageMogr2().custom('minsize', 'strip'),
      /argument "strip" is a known operation name/,
    ],
    [
      'two customs in a row',
      () => imageMogr2().custom('a', '1').custom('b', '2'),
      /follows unknown operation "a": write them as one/,
    ],
    [
      'custom gravity after crop',
      () => imageMogr2().crop({ width: 5 }).custom('gravity', 'north'),
      /set gravity on the crop operation/,
    ],
    [
      'custom color after pad',
      () => imageMogr2().pad().custom('color', 'I0ZGRkZGRg'),
      /set color on the pad operation/,
    ],
  ])('refuses %s at build time with RULE_MALFORMED', (_name, build, message) => {
    const error = refusal(build);
    expect(error.code).toBe('CI_VALIDATION');
    expect(error.reason).toBe('RULE_MALFORMED');
    expect(error.message).toMatch(message);
  });

  it('refuses an empty builder when written out', () => {
    const error = refusal(() => imageMogr2().toString());
    expect(error.reason).toBe('RULE_MALFORMED');
    expect(error.message).toMatch(/imageMogr2: needs at least one operation/);
  });
});

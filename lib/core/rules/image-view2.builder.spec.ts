import { isCiValidationError } from '../errors';
import { imageView2, type CiImageView2Options } from './image-view2.builder';
import { parseRule } from './rule.parser';

describe('imageView2 builder', () => {
  it.each<[CiImageView2Options, string]>([
    [{ format: 'png' }, 'imageView2/format/png'],
    [{ mode: 1, width: 500, height: 400 }, 'imageView2/1/w/500/h/400'],
    [{ mode: 2, width: 400, format: 'webp' }, 'imageView2/2/w/400/format/webp'],
    [{ mode: 3, height: 300 }, 'imageView2/3/h/300'],
    [{ mode: 4, width: 800, height: 600, quality: 85, forceQuality: true }, 'imageView2/4/w/800/h/600/q/85!'],
    [
      { mode: 5, width: 100, height: 100, format: 'jpg', quality: 80, rquality: 70, lquality: 60 },
      'imageView2/5/w/100/h/100/format/jpg/q/80/rq/70/lq/60',
    ],
    [{ quality: 75 }, 'imageView2/q/75'],
  ])('%j is %s', (options, expected) => {
    const builder = imageView2(options);
    expect(builder.toString()).toBe(expected);
    expect(parseRule(expected)).toStrictEqual(builder.toRule());
  });

  it('leaves forceQuality out of the model unless it is true', () => {
    expect(imageView2({ mode: 2, width: 10, quality: 50, forceQuality: false }).toRule()).toStrictEqual({
      steps: [{ kind: 'imageView2', mode: 2, width: 10, quality: 50 }],
    });
  });

  it.each<[string, CiImageView2Options, RegExp]>([
    ['mode 0', { mode: 0 as 1, width: 10 }, /imageView2: mode 0 is not one of 1, 2, 3, 4, 5/],
    ['mode without a size', { mode: 2 }, /imageView2: mode 2 needs w, h or both/],
    ['a size without a mode', { width: 100 }, /imageView2: w and h need a mode/],
    ['negative width', { mode: 1, width: -1 }, /imageView2: w -1 is not a positive integer/],
    ['quality 101', { mode: 1, width: 1, quality: 101 }, /imageView2: q 101 is not an integer in 0\.\.100/],
    [
      'forced quality without quality',
      { mode: 1, width: 1, forceQuality: true },
      /forceQuality needs a quality/,
    ],
    ['malformed format', { format: 'p.sd' as 'png' }, /imageView2: format "p.sd"/],
    ['nothing', {}, /imageView2: needs a mode or at least one parameter/],
  ])('refuses %s with RULE_MALFORMED', (_name, options, message) => {
    expect.assertions(3);
    try {
      imageView2(options);
    } catch (error) {
      expect(isCiValidationError(error) && error.reason).toBe('RULE_MALFORMED');
      expect(isCiValidationError(error) && error.code).toBe('CI_VALIDATION');
      expect((error as Error).message).toMatch(message);
    }
  });
});

import { isCiValidationError } from '../errors';
import { imageMogr2 } from './image-mogr2.builder';
import { imageView2 } from './image-view2.builder';
import { pipe } from './pipe.builder';
import { parseRule } from './rule.parser';
import { style } from './style.builder';
import { watermarkText } from './watermark.builder';

describe('pipe', () => {
  it('joins builders, strings and rules with "|" in order', () => {
    const rule = pipe(
      imageMogr2().thumbnail({ scale: 50 }),
      'imageView2/format/png|style/a',
      { steps: [{ kind: 'style', name: 'b' }] },
      watermarkText({ text: 'hi' }),
    );
    expect(rule.toString()).toBe(
      'imageMogr2/thumbnail/!50p|imageView2/format/png|style/a|style/b|watermark/2/text/aGk',
    );
    expect(parseRule(rule.toString())).toStrictEqual(rule.toRule());
    expect(rule.toRule().steps).toHaveLength(5);
  });

  it('flattens nested pipes', () => {
    expect(pipe(pipe(style('a'), style('b')), imageView2({ format: 'webp' })).toString()).toBe(
      'style/a|style/b|imageView2/format/webp',
    );
  });

  it('writes JSON as the rule text', () => {
    expect(JSON.stringify(pipe(style('a'), style('b')))).toBe('"style/a|style/b"');
  });

  it('refuses an empty pipe with RULE_EMPTY', () => {
    expect.assertions(1);
    try {
      pipe();
    } catch (error) {
      expect(isCiValidationError(error) && error.reason).toBe('RULE_EMPTY');
    }
  });

  it('names the part that is malformed', () => {
    expect.assertions(2);
    try {
      pipe(style('a'), 'imageMogr2/quality/200');
    } catch (error) {
      expect(isCiValidationError(error) && error.reason).toBe('RULE_MALFORMED');
      expect((error as Error).message).toMatch(/^pipe part 2: .*quality: 200 is not an integer in 0\.\.100/);
    }
  });
});

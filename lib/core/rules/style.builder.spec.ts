import { isCiValidationError } from '../errors';
import { parseRule } from './rule.parser';
import { style } from './style.builder';

describe('style builder', () => {
  it('writes style/<name>', () => {
    expect(style('thumb-200').toString()).toBe('style/thumb-200');
    expect(style('缩略图').toRule()).toStrictEqual({ steps: [{ kind: 'style', name: '缩略图' }] });
    expect(parseRule('style/thumb-200')).toStrictEqual(style('thumb-200').toRule());
  });

  it.each(['', 'a/b', 'a|b', 'a b', 'a\nb'])('refuses the name %j with RULE_MALFORMED', (name) => {
    expect.assertions(2);
    try {
      style(name);
    } catch (error) {
      expect(isCiValidationError(error) && error.reason).toBe('RULE_MALFORMED');
      expect((error as Error).message).toMatch(/^style: name .* must be non-empty/);
    }
  });
});

import { checkStyle, resolveStyles } from './ci-styles';

describe('checkStyle / resolveStyles', () => {
  it('accepts a name usable in style/<name> and a rule of the project grammar', () => {
    expect(() => checkStyle('thumb-1_x', 'imageMogr2/thumbnail/200x|imageMogr2/format/webp')).not.toThrow();
    expect(resolveStyles({ a: 'imageView2/2/w/10' })).toEqual({ a: 'imageView2/2/w/10' });
  });

  it.each([
    ['', 'imageMogr2/rotate/90', /style name ""/],
    ['a/b', 'imageMogr2/rotate/90', /style name "a\/b"/],
    ['a b', 'imageMogr2/rotate/90', /style name "a b"/],
    ['x', '', /style "x" needs a rule/],
    ['x', 'imageMogr2/rotate/', /style "x" is not a valid rule/],
  ])('refuses %j = %j', (name, rule, message) => {
    expect(() => checkStyle(name, rule)).toThrow(TypeError);
    expect(() => checkStyle(name, rule)).toThrow(message);
  });
});

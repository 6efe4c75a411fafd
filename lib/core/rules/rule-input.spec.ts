import { isCiValidationError } from '../errors';
import { imageMogr2 } from './image-mogr2.builder';
import { isCiRuleBuilder, toCiRule, toRuleString } from './rule-input';
import type { CiRule } from './rule.types';

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (isCiValidationError(error)) return error.reason;
    throw error;
  }
  return undefined;
}

describe('toRuleString / toCiRule', () => {
  const rule: CiRule = {
    steps: [{ kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'width', width: 200 }] }],
  };

  it('returns a valid string unchanged, even in a non-canonical form', () => {
    expect(toRuleString('imageMogr2/crop/10x/gravity/SouthEast')).toBe(
      'imageMogr2/crop/10x/gravity/SouthEast',
    );
    expect(toRuleString('watermark/2/text/aGk=')).toBe('watermark/2/text/aGk=');
  });

  it('writes builders and models in canonical form', () => {
    expect(toRuleString(imageMogr2().thumbnail({ width: 200 }))).toBe('imageMogr2/thumbnail/200x');
    expect(toRuleString(rule)).toBe('imageMogr2/thumbnail/200x');
  });

  it('turns every input form into the same model', () => {
    expect(toCiRule('imageMogr2/thumbnail/200x')).toStrictEqual(rule);
    expect(toCiRule(imageMogr2().thumbnail({ width: 200 }))).toStrictEqual(rule);
    expect(toCiRule(rule)).toStrictEqual(rule);
  });

  it('validates every input form', () => {
    expect(reasonOf(() => toRuleString(''))).toBe('RULE_EMPTY');
    expect(reasonOf(() => toRuleString('imageMogr2/quality/101'))).toBe('RULE_MALFORMED');
    expect(reasonOf(() => toRuleString({ steps: [] }))).toBe('RULE_EMPTY');
    expect(reasonOf(() => toRuleString({ steps: [{ kind: 'style', name: 'a/b' }] }))).toBe('RULE_MALFORMED');
    expect(reasonOf(() => toCiRule({ steps: [{ kind: 'style', name: '' }] }))).toBe('RULE_MALFORMED');
    expect(reasonOf(() => toRuleString(42 as never))).toBe('RULE_MALFORMED');
    expect(reasonOf(() => toRuleString(null as never))).toBe('RULE_MALFORMED');
  });

  it('refuses unknown operations in every form under strict', () => {
    const custom = imageMogr2().strip().custom('minsize', '1');
    expect(toRuleString(custom)).toBe('imageMogr2/strip/minsize/1');
    expect(reasonOf(() => toRuleString(custom, { strict: true }))).toBe('RULE_UNKNOWN_OPERATION');
    expect(reasonOf(() => toCiRule(custom, { strict: true }))).toBe('RULE_UNKNOWN_OPERATION');
    expect(reasonOf(() => toRuleString('imageInfo', { strict: true }))).toBe('RULE_UNKNOWN_OPERATION');
    expect(
      reasonOf(() =>
        toCiRule({ steps: [{ kind: 'unknown', name: 'imageInfo', raw: 'imageInfo' }] }, { strict: true }),
      ),
    ).toBe('RULE_UNKNOWN_OPERATION');
  });

  it('tells builders from plain rules', () => {
    expect(isCiRuleBuilder(imageMogr2())).toBe(true);
    expect(isCiRuleBuilder(rule)).toBe(false);
    expect(isCiRuleBuilder('imageMogr2/strip')).toBe(false);
    expect(isCiRuleBuilder(null)).toBe(false);
  });
});

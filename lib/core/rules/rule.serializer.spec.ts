import { isCiValidationError } from '../errors';
import { serializeRule } from './rule.serializer';
import type { CiRule } from './rule.types';

function reasonAndMessage(rule: unknown): [string, string] | undefined {
  try {
    serializeRule(rule as CiRule);
  } catch (error) {
    if (isCiValidationError(error)) return [error.reason, error.message];
    throw error;
  }
  return undefined;
}

describe('serializeRule', () => {
  it('writes every step kind in canonical form', () => {
    const rule: CiRule = {
      steps: [
        {
          kind: 'imageMogr2',
          ops: [
            { op: 'auto-orient' },
            { op: 'thumbnail', mode: 'fit', width: 800, height: 600 },
            { op: 'crop', height: 50, gravity: 'south' },
            { op: 'quality', value: 0 },
            { op: 'size-limit', value: 2, unit: 'm' },
          ],
        },
        {
          kind: 'imageView2',
          mode: 2,
          width: 100,
          ignoreError: true,
          extra: [{ name: 'newparam', value: '1' }],
        },
        { kind: 'watermark', type: 1, image: 'http://a.example/logo.png', blogo: 2 },
        { kind: 'watermark', type: 2, text: '图', fill: '#3D3D3D', batch: 0 },
        { kind: 'style', name: 's1' },
        { kind: 'unknown', name: 'imageInfo', raw: 'imageInfo' },
      ],
    };
    expect(serializeRule(rule)).toBe(
      'imageMogr2/auto-orient/thumbnail/800x600/crop/x50/gravity/south/quality/0/size-limit/2m' +
        '|imageView2/2/w/100/ignore-error/1/newparam/1' +
        '|watermark/1/image/aHR0cDovL2EuZXhhbXBsZS9sb2dvLnBuZw/blogo/2' +
        '|watermark/2/text/5Zu-/fill/IzNEM0QzRA/batch/0' +
        '|style/s1|imageInfo',
    );
  });

  it('writes astral characters of a text watermark as UTF-8', () => {
    expect(serializeRule({ steps: [{ kind: 'watermark', type: 2, text: '😀' }] })).toBe(
      'watermark/2/text/8J-YgA',
    );
  });

  it.each<[string, unknown, string, RegExp]>([
    ['no steps', { steps: [] }, 'RULE_EMPTY', /rule has no steps/],
    ['no steps array', {}, 'RULE_MALFORMED', /steps array/],
    ['an unknown kind', { steps: [{ kind: 'magic' }] }, 'RULE_MALFORMED', /step kind "magic" is not known/],
    [
      'an empty imageMogr2',
      { steps: [{ kind: 'imageMogr2', ops: [] }] },
      'RULE_MALFORMED',
      /needs at least one operation/,
    ],
    [
      'an unknown op kind',
      { steps: [{ kind: 'imageMogr2', ops: [{ op: 'magic' }] }] },
      'RULE_MALFORMED',
      /operation "magic" is not a known kind/,
    ],
    [
      'an exponent sigma',
      { steps: [{ kind: 'imageMogr2', ops: [{ op: 'blur', radius: 2, sigma: 1e-7 }] }] },
      'RULE_MALFORMED',
      /sigma 1e-7/,
    ],
    [
      'an unsafe integer',
      { steps: [{ kind: 'imageMogr2', ops: [{ op: 'thumbnail', mode: 'width', width: 1e21 }] }] },
      'RULE_MALFORMED',
      /width 1e\+21 is not a positive integer/,
    ],
    [
      'a string where a number goes',
      { steps: [{ kind: 'imageMogr2', ops: [{ op: 'rotate', degrees: '90' }] }] },
      'RULE_MALFORMED',
      /degrees "90" is not an integer/,
    ],
    [
      'watermark type 5',
      { steps: [{ kind: 'watermark', type: 5 }] },
      'RULE_MALFORMED',
      /type 5 is not 1, 2, 3 or 4/,
    ],
    [
      'an unknown step that is a known one',
      { steps: [{ kind: 'unknown', name: 'imageMogr2', raw: 'imageMogr2/strip' }] },
      'RULE_MALFORMED',
      /is a known operation: use its typed form/,
    ],
    [
      'an unknown step whose raw has another name',
      { steps: [{ kind: 'unknown', name: 'a', raw: 'b/c' }] },
      'RULE_MALFORMED',
      /does not start with its name/,
    ],
    [
      'an unknown step with a pipe',
      { steps: [{ kind: 'unknown', name: 'a', raw: 'a|b' }] },
      'RULE_MALFORMED',
      /segment "a\|b"/,
    ],
    [
      'an extra parameter that is a known key',
      { steps: [{ kind: 'imageView2', format: 'png', extra: [{ name: 'w', value: '1' }] }] },
      'RULE_MALFORMED',
      /extra parameter "w" is a known parameter/,
    ],
    [
      'a bad step among several',
      {
        steps: [
          { kind: 'style', name: 'a' },
          { kind: 'style', name: '' },
        ],
      },
      'RULE_MALFORMED',
      /^rule step 2: style: name ""/,
    ],
  ])('refuses %s', (_name, rule, reason, message) => {
    const result = reasonAndMessage(rule);
    expect(result?.[0]).toBe(reason);
    expect(result?.[1]).toMatch(message);
  });
});

import { isCiValidationError, type CiValidationError } from '../errors';
import { imageMogr2, watermarkText } from '../rules';
import { buildPicOperations } from './build-pic-operations';
import { parsePicOperations, type ParsePicOperationsOptions } from './parse-pic-operations';

function refusal(header: string, options?: ParsePicOperationsOptions): CiValidationError {
  try {
    parsePicOperations(header, options);
  } catch (error) {
    if (isCiValidationError(error)) return error;
    throw error;
  }
  throw new Error(`expected ${header} to be refused`);
}

describe('parsePicOperations', () => {
  it('reads the example of the docs', () => {
    expect(
      parsePicOperations('{"is_pic_info":1,"rules":[{"fileid":"test.jpg","rule":"imageView2/format/png"}]}'),
    ).toStrictEqual({
      isPicInfo: true,
      rules: [
        {
          fileid: 'test.jpg',
          rule: { steps: [{ kind: 'imageView2', format: 'png' }] },
          ruleText: 'imageView2/format/png',
        },
      ],
    });
  });

  it('reads what buildPicOperations writes, bucket and non-ASCII included', () => {
    const header = buildPicOperations({
      rules: [
        {
          fileid: '/缩略图/a.webp',
          rule: imageMogr2().thumbnail({ width: 200 }).format('webp'),
          bucket: 'dest-1250000000',
        },
        { fileid: 'b.jpg', rule: watermarkText({ text: '图' }) },
      ],
    });
    const parsed = parsePicOperations(header);
    expect(parsed.isPicInfo).toBe(false);
    expect(parsed.rules).toStrictEqual([
      {
        fileid: '/缩略图/a.webp',
        bucket: 'dest-1250000000',
        ruleText: 'imageMogr2/thumbnail/200x/format/webp',
        rule: imageMogr2().thumbnail({ width: 200 }).format('webp').toRule(),
      },
      { fileid: 'b.jpg', ruleText: 'watermark/2/text/5Zu-', rule: watermarkText({ text: '图' }).toRule() },
    ]);
  });

  it('treats missing keys as CI does: is_pic_info 0, no rules', () => {
    expect(parsePicOperations('{}')).toStrictEqual({ isPicInfo: false, rules: [] });
    expect(parsePicOperations('{"is_pic_info":0}')).toStrictEqual({ isPicInfo: false, rules: [] });
  });

  it('keeps the rule text as sent, in whatever form', () => {
    const parsed = parsePicOperations(
      '{"rules":[{"fileid":"a","rule":"imageMogr2/crop/10x/gravity/Center"}]}',
    );
    expect(parsed.rules[0].ruleText).toBe('imageMogr2/crop/10x/gravity/Center');
    expect(parsed.rules[0].rule.steps[0]).toStrictEqual({
      kind: 'imageMogr2',
      ops: [{ op: 'crop', width: 10, gravity: 'center' }],
    });
  });

  it.each<[string, string | undefined, RegExp]>([
    ['{"rules":', undefined, /^Pic-Operations is not valid JSON/],
    ['[]', undefined, /must be a JSON object, got array/],
    ['"x"', undefined, /must be a JSON object, got string/],
    ['null', undefined, /must be a JSON object, got null/],
    ['{"is_pic_info":"1"}', 'is_pic_info', /is_pic_info: "1" is not 0 or 1/],
    ['{"is_pic_info":2}', 'is_pic_info', /is_pic_info: 2 is not 0 or 1/],
    ['{"rules":{}}', 'rules', /rules: must be an array, got object/],
    ['{"rules":[1]}', 'rules[0]', /rules\[0\]: must be an object, got number/],
    ['{"rules":[{"fileid":"a"}]}', 'rules[0].rule', /rules\[0\]\.rule: must be a string, got undefined/],
    [
      '{"rules":[{"rule":"style/a"}]}',
      'rules[0].fileid',
      /rules\[0\]\.fileid: must be a string, got undefined/,
    ],
  ])('refuses %s with OPTIONS_INVALID', (header, field, message) => {
    const error = refusal(header);
    expect(error.code).toBe('CI_VALIDATION');
    expect(error.reason).toBe('OPTIONS_INVALID');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('chains the JSON error as the cause', () => {
    expect(refusal('{').cause).toBeInstanceOf(SyntaxError);
  });

  it('checks each rule as buildPicOperations does', () => {
    const rule = (fileid: string, r = 'style/s', bucket?: string) =>
      JSON.stringify({ fileid, rule: r, bucket });
    const cases: [string, string, string][] = [
      [`{"rules":[${rule('a/')}]}`, 'FILEID_TRAILING_SLASH', 'rules[0].fileid'],
      [`{"rules":[${rule('ok')},${rule('a/../b')}]}`, 'FILEID_BAD_SEGMENT', 'rules[1].fileid'],
      [`{"rules":[${rule('')}]}`, 'FILEID_EMPTY', 'rules[0].fileid'],
      [`{"rules":[${rule('a', 'style/s', 'BAD')}]}`, 'BUCKET_INVALID', 'rules[0].bucket'],
      [`{"rules":[${rule('a', '')}]}`, 'RULE_EMPTY', 'rules[0].rule'],
      [`{"rules":[${rule('a', 'imageMogr2/rotate/400')}]}`, 'RULE_MALFORMED', 'rules[0].rule'],
    ];
    for (const [header, reason, field] of cases) {
      const error = refusal(header);
      expect({ reason: error.reason, field: error.field }).toStrictEqual({ reason, field });
    }
  });

  it('refuses more than maxRules rules (5 by default)', () => {
    const header = (n: number) =>
      JSON.stringify({
        rules: Array.from({ length: n }, (_, i) => ({ fileid: `${i}.png`, rule: 'style/s' })),
      });
    expect(parsePicOperations(header(5)).rules).toHaveLength(5);
    expect(refusal(header(6)).reason).toBe('TOO_MANY_RULES');
    expect(refusal(header(3), { maxRules: 2 }).message).toBe(
      'Pic-Operations rules: 3 rules, CI allows at most 2',
    );
  });

  it('keeps unknown operations unless strict', () => {
    const header = '{"rules":[{"fileid":"a","rule":"imageInfo"}]}';
    expect(parsePicOperations(header).rules[0].rule).toStrictEqual({
      steps: [{ kind: 'unknown', name: 'imageInfo', raw: 'imageInfo' }],
    });
    const error = refusal(header, { strict: true });
    expect(error.reason).toBe('RULE_UNKNOWN_OPERATION');
    expect(error.field).toBe('rules[0].rule');
  });
});

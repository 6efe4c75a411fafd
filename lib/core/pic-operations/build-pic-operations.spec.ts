import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { isCiValidationError, type CiValidationError } from '../errors';
import { imageMogr2, pipe, style, watermarkText, type CiRule } from '../rules';
import { hasControlChar } from '../rules/text-checks';
import {
  buildPicOperations,
  type BuildPicOperationsOptions,
  type PicOperationRule,
} from './build-pic-operations';

function refusal(options: BuildPicOperationsOptions): CiValidationError {
  try {
    buildPicOperations(options);
  } catch (error) {
    if (isCiValidationError(error)) return error;
    throw error;
  }
  throw new Error('expected buildPicOperations to refuse its input');
}

const ok: PicOperationRule = { fileid: 'ok.png', rule: 'imageView2/format/png' };

/** Sends one request with a Pic-Operations header over loopback and returns the headers the server saw. */
async function sendOverLoopback(value: string): Promise<IncomingHttpHeaders> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.headers));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'PUT', path: '/a.jpg', headers: { 'Pic-Operations': value } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as IncomingHttpHeaders),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('buildPicOperations', () => {
  it('writes the example of the docs, with is_pic_info first', () => {
    expect(
      buildPicOperations({ isPicInfo: true, rules: [{ fileid: 'test.jpg', rule: 'imageView2/format/png' }] }),
    ).toBe('{"is_pic_info":1,"rules":[{"fileid":"test.jpg","rule":"imageView2/format/png"}]}');
  });

  it('leaves is_pic_info out when false, as the Go SDK does', () => {
    expect(buildPicOperations({ rules: [ok] })).toBe(
      '{"rules":[{"fileid":"ok.png","rule":"imageView2/format/png"}]}',
    );
    expect(buildPicOperations({ isPicInfo: false, rules: [ok] })).not.toContain('is_pic_info');
  });

  it('puts bucket first in a rule, then fileid, then rule', () => {
    expect(
      buildPicOperations({ rules: [{ rule: 'style/s', fileid: '/out/a.jpg', bucket: 'other-1250000000' }] }),
    ).toBe('{"rules":[{"bucket":"other-1250000000","fileid":"/out/a.jpg","rule":"style/s"}]}');
  });

  it('accepts zero rules (CI then only stores, and returns info when asked)', () => {
    expect(buildPicOperations({ isPicInfo: true, rules: [] })).toBe('{"is_pic_info":1,"rules":[]}');
  });

  it('accepts five rules given as strings, builders and models', () => {
    const model: CiRule = { steps: [{ kind: 'style', name: 'big' }] };
    const header = buildPicOperations({
      rules: [
        { fileid: 'a.webp', rule: imageMogr2().thumbnail({ width: 200 }).format('webp').quality(80) },
        { fileid: 'b.jpg', rule: pipe(imageMogr2().thumbnail({ scale: 50 }), watermarkText({ text: 'hi' })) },
        { fileid: 'c.jpg', rule: style('small') },
        { fileid: 'd.jpg', rule: model },
        { fileid: 'e.jpg', rule: 'imageMogr2/crop/10x/gravity/SouthEast' },
      ],
    });
    expect(JSON.parse(header)).toStrictEqual({
      rules: [
        { fileid: 'a.webp', rule: 'imageMogr2/thumbnail/200x/format/webp/quality/80' },
        { fileid: 'b.jpg', rule: 'imageMogr2/thumbnail/!50p|watermark/2/text/aGk' },
        { fileid: 'c.jpg', rule: 'style/small' },
        { fileid: 'd.jpg', rule: 'style/big' },
        { fileid: 'e.jpg', rule: 'imageMogr2/crop/10x/gravity/SouthEast' },
      ],
    });
  });

  it('refuses six rules with TOO_MANY_RULES', () => {
    const error = refusal({ rules: Array.from({ length: 6 }, (_, i) => ({ ...ok, fileid: `${i}.png` })) });
    expect(error.code).toBe('CI_VALIDATION');
    expect(error.reason).toBe('TOO_MANY_RULES');
    expect(error.field).toBe('rules');
    expect(error.message).toBe('Pic-Operations rules: 6 rules, CI allows at most 5');
  });

  it.each<[string, string, string, RegExp]>([
    ['an empty fileid', '', 'FILEID_EMPTY', /rules\[2\]\.fileid: is empty/],
    ['a trailing slash', 'thumbs/', 'FILEID_TRAILING_SLASH', /rules\[2\]\.fileid: "thumbs\/" ends with "\/"/],
    ['a lone slash', '/', 'FILEID_TRAILING_SLASH', /ends with "\/"/],
    [
      'a ".." segment',
      'a/../b.jpg',
      'FILEID_BAD_SEGMENT',
      /rules\[2\]\.fileid: "a\/..\/b.jpg" has a ".." segment/,
    ],
    ['a leading ".." segment', '../b.jpg', 'FILEID_BAD_SEGMENT', /has a ".." segment/],
    ['a "." segment', './b.jpg', 'FILEID_BAD_SEGMENT', /has a "." segment/],
    ['an empty segment', 'a//b.jpg', 'FILEID_BAD_SEGMENT', /has an empty segment/],
    ['two leading slashes', '//b.jpg', 'FILEID_BAD_SEGMENT', /has an empty segment/],
    [
      'a newline',
      'a\nb.jpg',
      'FILEID_CONTROL_CHAR',
      /rules\[2\]\.fileid: "a\\nb.jpg" has a control character/,
    ],
    ['a NUL', 'a\u0000.jpg', 'FILEID_CONTROL_CHAR', /control character/],
    ['a DEL', 'a\u007f.jpg', 'FILEID_CONTROL_CHAR', /control character/],
    ['a tab', 'a\t.jpg', 'FILEID_CONTROL_CHAR', /control character/],
    ['a lone surrogate', 'a\ud800.jpg', 'FILEID_NOT_HEADER_SAFE', /lone UTF-16 surrogate/],
    [
      '851 bytes',
      'a'.repeat(851),
      'FILEID_TOO_LONG',
      /rules\[2\]\.fileid: is 851 UTF-8 bytes, over COS's 850/,
    ],
    ['284 three-byte characters', '图'.repeat(284), 'FILEID_TOO_LONG', /is 852 UTF-8 bytes/],
  ])('refuses %s with its reason and the field rules[2].fileid', (_name, fileid, reason, message) => {
    const error = refusal({ rules: [ok, ok, { fileid, rule: 'style/s' }] });
    expect(error.code).toBe('CI_VALIDATION');
    expect(error.reason).toBe(reason);
    expect(error.field).toBe('rules[2].fileid');
    expect(error.message).toMatch(message);
  });

  it('accepts a fileid of exactly 850 bytes, an absolute fileid, and dots inside names', () => {
    expect(() => buildPicOperations({ rules: [{ fileid: 'a'.repeat(850), rule: 'style/s' }] })).not.toThrow();
    expect(() =>
      buildPicOperations({ rules: [{ fileid: '/' + 'a'.repeat(850), rule: 'style/s' }] }),
    ).not.toThrow();
    expect(() =>
      buildPicOperations({ rules: [{ fileid: '/a/b..c/.d/e.f.jpg', rule: 'style/s' }] }),
    ).not.toThrow();
  });

  it.each([
    'Bucket-1250000000',
    'bucket',
    'bucket-',
    '-1250000000',
    'bucket-12a',
    'buc_ket-1250000000',
    '-bucket-1',
    'bucket--1',
  ])('refuses the bucket %j with BUCKET_INVALID', (bucket) => {
    const error = refusal({ rules: [ok, { ...ok, bucket }] });
    expect(error.code).toBe('CI_VALIDATION');
    expect(error.reason).toBe('BUCKET_INVALID');
    expect(error.field).toBe('rules[1].bucket');
    expect(error.message).toMatch(/^Pic-Operations rules\[1\]\.bucket: .* is not <name>-<appid>/);
  });

  it('accepts a bucket with hyphens and digits', () => {
    expect(buildPicOperations({ rules: [{ ...ok, bucket: 'my-bucket-2-1250000000' }] })).toContain(
      '"bucket":"my-bucket-2-1250000000"',
    );
  });

  it.each<[string, PicOperationRule['rule'], string, RegExp]>([
    ['an empty rule', '', 'RULE_EMPTY', /^Pic-Operations rules\[1\]\.rule: rule is empty$/],
    ['a blank rule', '  ', 'RULE_EMPTY', /rules\[1\]\.rule: rule is empty/],
    ['a rule model with no steps', { steps: [] }, 'RULE_EMPTY', /rules\[1\]\.rule: rule has no steps/],
    [
      'a malformed rule',
      'imageMogr2/quality/101',
      'RULE_MALFORMED',
      /rules\[1\]\.rule: rule "imageMogr2\/quality\/101": imageMogr2\/quality: 101/,
    ],
    [
      'a malformed thumbnail',
      'imageMogr2/thumbnail/big',
      'RULE_MALFORMED',
      /rules\[1\]\.rule: .*"big" is not a thumbnail size/,
    ],
  ])('refuses %s with its reason, the field rules[1].rule and the cause', (_name, rule, reason, message) => {
    const error = refusal({ rules: [ok, { fileid: 'x.png', rule }] });
    expect(error.code).toBe('CI_VALIDATION');
    expect(error.reason).toBe(reason);
    expect(error.field).toBe('rules[1].rule');
    expect(error.message).toMatch(message);
    expect(isCiValidationError(error.cause)).toBe(true);
  });

  it('keeps unknown operations unless strictRules is set', () => {
    const rules = [{ fileid: 'a.jpg', rule: 'imageMogr2/strip/minsize/1' }];
    expect(buildPicOperations({ rules })).toContain('"rule":"imageMogr2/strip/minsize/1"');
    const error = refusal({ rules, strictRules: true });
    expect(error.reason).toBe('RULE_UNKNOWN_OPERATION');
    expect(error.field).toBe('rules[0].rule');
    expect(error.message).toMatch(/rules\[0\]\.rule: .*unknown imageMogr2 operation "minsize"/);
  });

  it('refuses input of the wrong shape with OPTIONS_INVALID', () => {
    expect(refusal({ rules: 'x' as never }).reason).toBe('OPTIONS_INVALID');
    expect(refusal({} as never).field).toBe('rules');
    const error = refusal({ rules: [ok, null as never] });
    expect(error.reason).toBe('OPTIONS_INVALID');
    expect(error.field).toBe('rules[1]');
    expect(refusal({ rules: [{ fileid: 5 as never, rule: 'style/a' }] }).field).toBe('rules[0].fileid');
  });

  describe('non-ASCII fileids', () => {
    it('escapes every character above U+007E as \\uXXXX, astral ones as surrogate pairs', () => {
      const header = buildPicOperations({ rules: [{ fileid: '图/é😀.jpg', rule: 'style/s' }] });
      expect(header).toBe('{"rules":[{"fileid":"\\u56fe/\\u00e9\\ud83d\\ude00.jpg","rule":"style/s"}]}');
      expect(JSON.parse(header).rules[0].fileid).toBe('图/é😀.jpg');
    });

    it('escapes non-ASCII in rules too (unknown steps keep their raw text)', () => {
      const header = buildPicOperations({ rules: [{ fileid: 'a.jpg', rule: 'style/缩略图' }] });
      expect(header).toBe('{"rules":[{"fileid":"a.jpg","rule":"style/\\u7f29\\u7565\\u56fe"}]}');
    });

    it('gives pure printable ASCII that parses back to the same fileids and rules, for any text', () => {
      fc.assert(
        fc.property(
          fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), {
            minLength: 1,
            maxLength: 5,
          }),
          (names) => {
            const fileids = names.map((n) =>
              [...n]
                .map((c) => (hasControlChar(c) || c === '/' ? '_' : c))
                .join('')
                .replace(/^\.{1,2}$/, '_'),
            );
            const header = buildPicOperations({
              isPicInfo: true,
              rules: fileids.map((fileid) => ({ fileid, rule: watermarkText({ text: fileid }) })),
            });
            expect(header).toMatch(/^[\u0020-\u007e]*$/);
            const parsed = JSON.parse(header) as { rules: { fileid: string }[] };
            expect(parsed.rules.map((r) => r.fileid)).toStrictEqual(fileids);
          },
        ),
      );
    });

    it('sends through node:http, which refuses the unescaped JSON', async () => {
      const fileid = 'uploads/图片 é😀.jpg';
      const header = buildPicOperations({
        isPicInfo: true,
        rules: [{ fileid, rule: 'imageView2/format/png' }],
      });
      expect(() =>
        request({
          host: '127.0.0.1',
          headers: { 'Pic-Operations': JSON.stringify({ rules: [{ fileid }] }) },
        }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CHAR' }));
      const received = await sendOverLoopback(header);
      expect(received['pic-operations']).toBe(header);
      expect(JSON.parse(received['pic-operations'] as string)).toStrictEqual({
        is_pic_info: 1,
        rules: [{ fileid, rule: 'imageView2/format/png' }],
      });
    });
  });
});

describe('ci-process rules (AI processing through Pic-Operations)', () => {
  it('pass through in non-strict and strict mode, as written', () => {
    const rule = 'ci-process=AIPicMatting&center-layout=1&padding-layout=20x10';
    for (const strictRules of [false, true]) {
      const header = JSON.parse(
        buildPicOperations({ rules: [{ fileid: 'matte.png', rule }], strictRules }),
      ) as {
        rules: { rule: string }[];
      };
      expect(header.rules[0]!.rule).toBe(rule);
    }
  });
});

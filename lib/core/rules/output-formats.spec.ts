/**
 * Output formats: CI's "Converting Format" page (cloud.tencent.com/document/api/436/44883, 格式转换, table
 * 转换格式说明) lists jpg/jpeg, png, apng, bmp, webp, tiff, gif, avif, heif/heic, tpg and psd as targets; the
 * earlier pages add yjpeg. Documented formats parse typed; others pass through unless rules are strict.
 */
import { isCiValidationError } from '../errors';
import { buildPicOperations } from '../pic-operations';
import { imageMogr2 } from './image-mogr2.builder';
import { parseRule } from './rule.parser';
import { serializeRule } from './rule.serializer';
import { CI_OUTPUT_FORMATS } from './rule.types';

describe('output formats', () => {
  it.each(['tiff', 'heic', 'heif', 'apng', 'psd', 'avif', 'tpg', 'yjpeg'])(
    'format/%s is a documented output, typed on both imageMogr2 and imageView2',
    (format) => {
      expect(CI_OUTPUT_FORMATS).toContain(format);
      expect(parseRule(`imageMogr2/format/${format}`, { strict: true })).toEqual({
        steps: [{ kind: 'imageMogr2', ops: [{ op: 'format', format }] }],
      });
      expect(parseRule(`imageView2/2/w/10/format/${format}`, { strict: true }).steps[0]).toMatchObject({
        format,
      });
      expect(
        imageMogr2()
          .format(format as never)
          .toString(),
      ).toBe(`imageMogr2/format/${format}`);
    },
  );

  it('an undocumented format passes through in non-strict mode and is refused in strict mode', () => {
    const rule = parseRule('imageMogr2/thumbnail/10x/format/jp2');
    expect(serializeRule(rule)).toBe('imageMogr2/thumbnail/10x/format/jp2');
    expect(buildPicOperations({ rules: [{ fileid: 'a.jp2', rule: 'imageMogr2/format/jp2' }] })).toContain(
      'imageMogr2/format/jp2',
    );
    expect(serializeRule(parseRule('imageView2/2/w/10/format/jp2'))).toBe('imageView2/2/w/10/format/jp2');
    for (const text of ['imageMogr2/format/jp2', 'imageView2/2/w/10/format/jp2']) {
      let error: unknown;
      try {
        parseRule(text, { strict: true });
      } catch (e) {
        error = e;
      }
      expect(isCiValidationError(error) && error.reason).toBe('RULE_UNKNOWN_OPERATION');
    }
    expect(() =>
      buildPicOperations({ strictRules: true, rules: [{ fileid: 'a.jp2', rule: 'imageMogr2/format/jp2' }] }),
    ).toThrow(/jp2/);
  });
});

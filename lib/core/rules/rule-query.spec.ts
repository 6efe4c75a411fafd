import { imageMogr2 } from './image-mogr2.builder';
import { pipe } from './pipe.builder';
import { encodeProcessingQuery, toProcessingQuery } from './rule-query';
import { watermarkText } from './watermark.builder';

describe('processing queries', () => {
  it('keeps the rule syntax and encodes what a URL cannot carry', () => {
    expect(encodeProcessingQuery('imageMogr2/thumbnail/!50p')).toBe('imageMogr2/thumbnail/!50p');
    expect(encodeProcessingQuery('imageMogr2/thumbnail/200x200>')).toBe('imageMogr2/thumbnail/200x200%3E');
    expect(encodeProcessingQuery('imageMogr2/thumbnail/100@|imageMogr2/crop/1x1')).toBe(
      'imageMogr2/thumbnail/100@|imageMogr2/crop/1x1',
    );
    expect(encodeProcessingQuery('a=b&c d')).toBe('a%3Db%26c%20d');
  });

  it('builders give toQuery(), pipes included; strings are validated first', () => {
    expect(imageMogr2().thumbnail({ width: 200 }).toQuery()).toBe('imageMogr2/thumbnail/200x');
    expect(pipe(imageMogr2().thumbnail({ scale: 50 }), watermarkText({ text: 'hi' })).toQuery()).toBe(
      'imageMogr2/thumbnail/!50p|watermark/2/text/aGk',
    );
    expect(toProcessingQuery('imageView2/2/w/100')).toBe('imageView2/2/w/100');
    expect(() => toProcessingQuery('imageMogr2/thumbnail/abc')).toThrow(/not a thumbnail size/);
  });
});

import { compareKeys } from '../storage/key-order';
import { pageListing } from './listing';

const keys = ['a/1', 'a/2', 'a/b/3', 'b/4', 'c', 'd/5'].map((key) => ({ key }));
const after = (marker: string) => (o: { key: string }) => !marker || compareKeys(o.key, marker) > 0;

function list(prefix: string, delimiter: string | undefined, maxKeys: number, marker = '') {
  const page = pageListing(keys, { prefix, delimiter, maxKeys }, marker, after(marker));
  return {
    keys: page.items.map((i) => i.key),
    prefixes: page.commonPrefixes,
    truncated: page.isTruncated,
    next: page.nextMarker,
  };
}

describe('pageListing', () => {
  it('rolls keys up into common prefixes after the prefix', () => {
    expect(list('', '/', 1000)).toEqual({
      keys: ['c'],
      prefixes: ['a/', 'b/', 'd/'],
      truncated: false,
      next: 'd/',
    });
    expect(list('a/', '/', 1000)).toEqual({
      keys: ['a/1', 'a/2'],
      prefixes: ['a/b/'],
      truncated: false,
      next: 'a/b/',
    });
  });

  it('pages by max-keys, counting prefixes, and resumes after a prefix marker', () => {
    const first = list('', '/', 2);
    expect(first).toEqual({ keys: [], prefixes: ['a/', 'b/'], truncated: true, next: 'b/' });
    expect(list('', '/', 2, first.next)).toEqual({
      keys: ['c'],
      prefixes: ['d/'],
      truncated: false,
      next: 'd/',
    });
  });

  it('pages without a delimiter', () => {
    expect(list('', undefined, 4)).toEqual({
      keys: ['a/1', 'a/2', 'a/b/3', 'b/4'],
      prefixes: [],
      truncated: true,
      next: 'b/4',
    });
    expect(list('', undefined, 4, 'b/4')).toEqual({
      keys: ['c', 'd/5'],
      prefixes: [],
      truncated: false,
      next: 'd/5',
    });
  });

  it('UTF-8 byte order, as COS sorts', () => {
    expect(['\u{1F600}', '\uFF5E', 'z'].sort(compareKeys)).toEqual(['z', '\uFF5E', '\u{1F600}']);
  });
});

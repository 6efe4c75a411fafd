import { isCiValidationError } from '../errors';
import { resolveFileId } from './resolve-file-id';

describe('resolveFileId', () => {
  it.each([
    ['/p1/test1.jpg', 'p2/t.jpg', 'p1/p2/t.jpg'],
    ['p1/test1.jpg', 'p2/t.jpg', 'p1/p2/t.jpg'],
    ['p1/test1.jpg', 't.jpg', 'p1/t.jpg'],
    ['test1.jpg', 't.jpg', 't.jpg'],
    ['/test1.jpg', 't.jpg', 't.jpg'],
    ['a/b/c.jpg', '/out/t.jpg', 'out/t.jpg'],
    ['a/b/c.jpg', '/t.jpg', 't.jpg'],
    ['a/b/c.jpg', 'c.jpg', 'a/b/c.jpg'],
  ])('resolves %j + %j to %j', (source, fileid, expected) => {
    expect(resolveFileId(source, fileid)).toBe(expected);
  });

  it('validates the fileid', () => {
    expect.assertions(3);
    try {
      resolveFileId('a/b.jpg', '../x.jpg');
    } catch (error) {
      expect(isCiValidationError(error) && error.reason).toBe('FILEID_BAD_SEGMENT');
      expect(isCiValidationError(error) && error.field).toBe('fileid');
      expect((error as Error).message).toMatch(/fileid: "..\/x.jpg" has a ".." segment/);
    }
  });
});

import { CiValidationError } from '../errors';
import { resolveFileId } from '../pic-operations';
import { checkFileIdTemplate, expandFileId, keyParts } from './fileid-template';

describe('fileid templates', () => {
  const values = { ...keyParts('uploads/2026/11/ab12.jpg'), uuid: 'u-1', field: 'file', index: 2 };

  it('splits a key into name, ext and dir', () => {
    expect(keyParts('uploads/2026/11/ab12.jpg')).toEqual({
      key: 'uploads/2026/11/ab12.jpg',
      name: 'ab12',
      ext: 'jpg',
      dir: 'uploads/2026/11',
    });
    expect(keyParts('plain')).toEqual({ key: 'plain', name: 'plain', ext: '', dir: '' });
    expect(keyParts('.hidden')).toMatchObject({ name: '.hidden', ext: '' });
  });

  it('expands every placeholder', () => {
    expect(expandFileId('{name}-200.webp', values)).toBe('ab12-200.webp');
    expect(expandFileId('/{dir}/thumbs/{name}.{ext}', values)).toBe('/uploads/2026/11/thumbs/ab12.jpg');
    expect(expandFileId('/{field}/{index}/{uuid}', values)).toBe('/file/2/u-1');
    expect(expandFileId('/copies/{key}', values)).toBe('/copies/uploads/2026/11/ab12.jpg');
  });

  it('{dir} of a key at the bucket root takes its slash with it (no empty segment)', () => {
    const root = { ...keyParts('ab12.jpg'), uuid: 'u-1', field: 'file', index: 0 };
    expect(expandFileId('/{dir}/thumbs/{name}.webp', root)).toBe('/thumbs/ab12.webp');
    expect(expandFileId('{dir}/{name}-s.webp', root)).toBe('ab12-s.webp');
    expect(expandFileId('/out/{dir}/{name}.webp', root)).toBe('/out/ab12.webp');
    expect(resolveFileId('ab12.jpg', expandFileId('/{dir}/thumbs/{name}.webp', root))).toBe(
      'thumbs/ab12.webp',
    );
  });

  it('refuses an unknown placeholder at start-up', () => {
    expect(() => checkFileIdTemplate('{nmae}.webp', 'rules[0].fileid')).toThrow(CiValidationError);
    expect(() => checkFileIdTemplate('{nmae}.webp', 'rules[0].fileid')).toThrow(
      /rules\[0\]\.fileid.*\{nmae\}/,
    );
    expect(() => checkFileIdTemplate('{name}-{uuid}.png')).not.toThrow();
  });
});

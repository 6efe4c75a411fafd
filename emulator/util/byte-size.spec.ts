import { formatByteSize, parseByteSize } from './byte-size';

describe('parseByteSize', () => {
  it.each([
    ['1024', 1024],
    ['20mb', 20 * 1024 * 1024],
    ['20MB', 20 * 1024 * 1024],
    ['5gb', 5 * 1024 ** 3],
    ['5G', 5 * 1024 ** 3],
    ['1.5k', 1536],
    [' 7 KiB ', 7 * 1024],
    ['0', 0],
  ])('%p is %i bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'mb', '-1', '20 megabytes', '1e6', '0x10'])('refuses %p, naming the setting', (text) => {
    expect(() => parseByteSize(text, '--max-object-size')).toThrow(
      /--max-object-size must be a number of bytes/,
    );
  });
});

describe('formatByteSize', () => {
  it.each([
    [5 * 1024 ** 3, '5 GiB'],
    [20 * 1024 * 1024, '20 MiB'],
    [1536, '1.5 KiB'],
    [512, '512 B'],
  ])('%i is %p', (bytes, text) => {
    expect(formatByteSize(bytes)).toBe(text);
  });
});

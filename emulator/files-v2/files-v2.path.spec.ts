import { isFilesV2Error } from './files-v2.errors';
import { isFilesV2Request, parseFilesV2Path } from './files-v2.path';

const req = (url: string, host = '127.0.0.1:9000') => ({ url, headers: { host } });

describe('isFilesV2Request', () => {
  it('takes /files/v2 paths on any host but a COS virtual host', () => {
    expect(isFilesV2Request(req('/files/v2/1250000000/b/a.jpg'))).toBe(true);
    expect(isFilesV2Request(req('/files/v2/1250000000/b/a.jpg', 'cd.image.myqcloud.com'))).toBe(true);
    expect(isFilesV2Request(req('http://gz.file.myqcloud.com/files/v2/1/b/a.jpg'))).toBe(true);
    expect(isFilesV2Request(req('/files/v2/1/b/a.jpg', 'b-1.cos.ap-guangzhou.myqcloud.com'))).toBe(false);
    expect(isFilesV2Request(req('/files/v20/x'))).toBe(false);
    expect(isFilesV2Request(req('/files-1250000000/v2/a'))).toBe(false);
    expect(isFilesV2Request(req('/b-1250000000/files/v2/a'))).toBe(false);
  });
});

describe('parseFilesV2Path', () => {
  it('reads APPID, short bucket and the key decoded segment by segment', () => {
    expect(
      parseFilesV2Path(req('/files/v2/1250000000/photos/%E7%9B%B8%E5%86%8C/a%20b%2Fc.jpg?sign=x')),
    ).toEqual({
      appId: '1250000000',
      bucketShort: 'photos',
      bucket: 'photos-1250000000',
      key: '相册/a b/c.jpg',
    });
  });

  it('refuses paths without a file, bad encoding, bad names and long keys with -4001', () => {
    for (const url of [
      '/files/v2/1250000000/photos',
      '/files/v2/1250000000/photos/',
      '/files/v2/1250000000/photos/dir/',
      '/files/v2/abc/photos/a.jpg',
      '/files/v2/1250000000/Photos/a.jpg',
      '/files/v2/1250000000/photos/%E7',
      `/files/v2/1250000000/photos/${'k'.repeat(851)}`,
    ]) {
      let error: unknown;
      try {
        parseFilesV2Path(req(url));
      } catch (e) {
        error = e;
      }
      expect(isFilesV2Error(error) && error.code).toBe(-4001);
    }
  });
});

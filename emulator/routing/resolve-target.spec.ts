import { resolveTarget } from './resolve-target';

describe('resolveTarget', () => {
  it('virtual-hosted: bucket and region from the Host, key decoded per segment', () => {
    const target = resolveTarget({
      url: '/photos/a%20b/%E7%8C%AB%2B.jpg?uploads&prefix=a%2Fb',
      headers: { host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com' },
    });
    expect(target).toEqual(
      expect.objectContaining({
        style: 'virtual-hosted',
        bucket: 'examplebucket-1250000000',
        region: 'ap-guangzhou',
        key: 'photos/a b/猫+.jpg',
        signingPathnames: ['/photos/a b/猫+.jpg'],
      }),
    );
    expect(target.query.entries).toEqual([
      ['uploads', ''],
      ['prefix', 'a/b'],
    ]);
  });

  it('any <bucket>.cos.<region>.<domain>, with a port', () => {
    const target = resolveTarget({
      url: '/k',
      headers: { host: 'b-1250000000.cos.ap-shanghai.localhost:9000' },
    });
    expect([target.bucket, target.region, target.key]).toEqual(['b-1250000000', 'ap-shanghai', 'k']);
  });

  it('absolute-form targets take the authority from the request line (proxy mode)', () => {
    const target = resolveTarget({
      url: 'http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/x.jpg?partNumber=1&uploadId=abc',
      headers: { host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com' },
    });
    expect([target.style, target.bucket, target.key]).toEqual([
      'virtual-hosted',
      'examplebucket-1250000000',
      'dir/x.jpg',
    ]);
    expect(target.query.get('uploadId')).toBe('abc');
  });

  it('path-style when the host names no bucket; both signing forms offered', () => {
    const target = resolveTarget({
      url: '/examplebucket-1250000000/a/b.jpg',
      headers: { host: '127.0.0.1:9000' },
    });
    expect(target).toEqual(
      expect.objectContaining({
        style: 'path',
        bucket: 'examplebucket-1250000000',
        key: 'a/b.jpg',
        signingPathnames: ['/a/b.jpg', '/examplebucket-1250000000/a/b.jpg'],
      }),
    );
  });

  it.each([
    ['/examplebucket-1250000000', ''],
    ['/examplebucket-1250000000/', ''],
    ['/examplebucket-1250000000//lead', 'lead'],
    ['/examplebucket-1250000000/a/./b//../c/', 'a/b/../c/'],
    ['/examplebucket-1250000000/../../etc/passwd', '../../etc/passwd'],
  ])('path-style %s has key %p', (url, key) => {
    expect(resolveTarget({ url, headers: { host: 'localhost' } }).key).toBe(key);
  });

  it('a service request has no bucket', () => {
    expect(resolveTarget({ url: '/', headers: { host: 'localhost:1' } }).bucket).toBeUndefined();
    expect(resolveTarget({ url: '/', headers: { host: 'service.cos.myqcloud.com' } }).bucket).toBeUndefined();
  });

  it('a bad percent-escape is 400 InvalidURI', () => {
    expect(() => resolveTarget({ url: '/a%zz', headers: { host: 'b-1.cos.r.myqcloud.com' } })).toThrow(
      expect.objectContaining({ status: 400, code: 'InvalidURI' }),
    );
    expect(() => resolveTarget({ url: '/a?x=%', headers: { host: 'b-1.cos.r.myqcloud.com' } })).toThrow(
      expect.objectContaining({ code: 'InvalidURI' }),
    );
  });
});

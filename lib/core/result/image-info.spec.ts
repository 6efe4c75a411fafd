import { bucketOfLocation, bucketOfResourcePath } from './image-info';

describe('bucketOfLocation', () => {
  it.each([
    ['examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a/b.jpg', 'examplebucket-1250000000'],
    ['examplebucket-1250000000.localhost:9000/a.jpg', 'examplebucket-1250000000'],
    ['127.0.0.1:9000/examplebucket-1250000000/client/c-100.png', 'examplebucket-1250000000'],
    ['127.0.0.1:9000/a.jpg', undefined],
    ['localhost:9000/a.jpg', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s names %s', (location, bucket) => {
    expect(bucketOfLocation(location)).toBe(bucket);
  });
});

describe('bucketOfResourcePath', () => {
  it('appends the appid when the path names the short bucket', () => {
    expect(bucketOfResourcePath('/1250000000/photos/a.jpg')).toBe('photos-1250000000');
    expect(bucketOfResourcePath('/1250000000/photos-1250000000/a.jpg')).toBe('photos-1250000000');
    expect(bucketOfResourcePath('a.jpg')).toBeUndefined();
  });
});

import { cosRoutes } from '../handlers';
import { CI_FAULT_OPERATIONS } from '../faults/fault.types';
import { RequestClassifier } from './classify-request';
import { CosRouter } from '../routing/cos-router';

const HOST = 'b-1250000000.cos.ap-guangzhou.myqcloud.com';
const classifier = new RequestClassifier(
  new CosRouter().addAll(cosRoutes),
  (authority) => authority === '127.0.0.1:9000',
);

describe('RequestClassifier', () => {
  it('names every COS operation the emulator routes (so faults can match each of them)', () => {
    for (const route of cosRoutes) expect(CI_FAULT_OPERATIONS).toContain(route.operation);
  });

  it.each([
    [
      'PUT',
      '/a/b%20c.jpg',
      HOST,
      { api: 'cos', operation: 'PutObject', bucket: 'b-1250000000', key: 'a/b c.jpg' },
    ],
    [
      'PUT',
      '/a.jpg?partNumber=1&uploadId=x',
      HOST,
      { operation: 'UploadPart', key: 'a.jpg', subresources: ['partNumber', 'uploadId'] },
    ],
    ['POST', '/a.jpg?uploadId=x', HOST, { operation: 'CompleteMultipartUpload' }],
    ['POST', '/a.jpg?image_process', HOST, { operation: 'ImageProcess' }],
    ['GET', '/a.jpg?imageMogr2/thumbnail/100x', HOST, { operation: 'GetObjectProcessed' }],
    ['GET', '/a.jpg?imageInfo', HOST, { operation: 'ImageInfo' }],
    ['GET', '/a.jpg?imageAve', HOST, { operation: 'ImageAve' }],
    ['GET', '/a.jpg?exif', HOST, { operation: 'GetExif' }],
    ['GET', '/', HOST, { operation: 'GetBucket', key: '' }],
    ['GET', '/?location', HOST, { operation: 'GetBucketLocation', subresources: ['location'] }],
    ['GET', '/?notification', HOST, { operation: 'Unknown', subresources: ['notification'] }],
    ['OPTIONS', '/a.jpg', HOST, { operation: 'OptionsObject' }],
    [
      'GET',
      '/b-1250000000/k/x.png',
      '127.0.0.1:9000',
      { operation: 'GetObject', bucket: 'b-1250000000', key: 'k/x.png' },
    ],
    [
      'POST',
      '/files/v2/1250000000/b/dir/a%20b.jpg',
      '127.0.0.1:9000',
      { api: 'files-v2', operation: 'FilesV2', bucket: 'b-1250000000', key: 'dir/a b.jpg' },
    ],
    ['POST', '/_emulator/faults', '127.0.0.1:9000', { api: 'admin' }],
    ['GET', '/_emulator/faults', HOST, { api: 'cos', operation: 'GetObject', key: '_emulator/faults' }],
    ['PATCH', '/a.jpg', HOST, { operation: 'Unknown' }],
    ['GET', '/%E0%A4%A', HOST, { operation: 'Unknown', key: '' }],
  ])('%s %s (%s)', (method, url, host, expected) => {
    expect(classifier.classify({ method, url, headers: { host } })).toMatchObject({ method, ...expected });
  });

  it('a copy is classified by its x-cos-copy-source header', () => {
    const headers = { host: HOST, 'x-cos-copy-source': `${HOST}/a.jpg` };
    expect(classifier.classify({ method: 'PUT', url: '/b.jpg', headers }).operation).toBe('PutObjectCopy');
    expect(
      classifier.classify({ method: 'PUT', url: '/b.jpg?partNumber=1&uploadId=u', headers }).operation,
    ).toBe('UploadPartCopy');
  });
});

describe('RequestClassifier with what exists (buckets, objects, styles)', () => {
  const objects = new Set(['b-1250000000/a.jpg', 'b-1250000000/real!thumb']);
  const facts = {
    region: 'ap-guangzhou',
    hasBucket: (bucket: string) => bucket === 'b-1250000000',
    hasObject: (bucket: string, key: string) => objects.has(`${bucket}/${key}`),
    hasStyle: (name: string) => name === 'thumb',
  };
  const withFacts = new RequestClassifier(new CosRouter().addAll(cosRoutes), () => false, facts);

  it('a style URL (a.jpg!thumb) is GetObjectProcessed of the object behind it, classified once', () => {
    const request = withFacts.classify({ method: 'GET', url: '/a.jpg!thumb', headers: { host: HOST } });
    expect(request).toMatchObject({
      operation: 'GetObjectProcessed',
      bucketExists: true,
      key: 'a.jpg',
      style: 'thumb',
      resource: `${HOST}/a.jpg%21thumb`,
    });
  });

  it('an object whose key looks like a style URL, an unknown style and a missing base stay GetObject', () => {
    for (const url of ['/real!thumb', '/a.jpg!other', '/b.jpg!thumb']) {
      const request = withFacts.classify({ method: 'GET', url, headers: { host: HOST } });
      expect(request).toMatchObject({ operation: 'GetObject', key: url.slice(1) });
      expect(request.style).toBeUndefined();
    }
  });

  it('records whether the bucket exists, once', () => {
    const other = 'c-1250000000.cos.ap-guangzhou.myqcloud.com';
    expect(withFacts.classify({ method: 'GET', url: '/', headers: { host: HOST } }).bucketExists).toBe(true);
    expect(withFacts.classify({ method: 'GET', url: '/', headers: { host: other } }).bucketExists).toBe(
      false,
    );
  });

  it('parses a files-v2 path once and keeps the address', () => {
    const request = withFacts.classify({
      method: 'POST',
      url: '/files/v2/1250000000/b/x.jpg',
      headers: { host: '127.0.0.1:9000' },
    });
    expect(request).toMatchObject({
      api: 'files-v2',
      bucketExists: true,
      filesV2: { appId: '1250000000', bucketShort: 'b', bucket: 'b-1250000000', key: 'x.jpg' },
    });
  });
});

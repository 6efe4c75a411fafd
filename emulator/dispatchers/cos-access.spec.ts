import { cosRoutes } from '../handlers';
import { CosRouter } from '../routing/cos-router';
import { RequestClassifier } from '../server/classify-request';
import { anonymousTouches } from './cos-access';

const HOST = 'src-1250000000.cos.ap-guangzhou.myqcloud.com';
const classifier = new RequestClassifier(new CosRouter().addAll(cosRoutes), () => false, {
  region: 'ap-guangzhou',
  hasBucket: () => true,
  hasObject: (_bucket, key) => key === 'a.jpg',
  hasStyle: (name) => name === 'thumb',
});

function touches(method: string, url: string, headers: Record<string, string> = {}) {
  const all = { host: HOST, ...headers };
  return anonymousTouches(classifier.classify({ method, url, headers: all }), all);
}

describe('anonymousTouches: what an unsigned request really reads or writes', () => {
  it('a style URL reads the object behind it', () => {
    expect(touches('GET', '/a.jpg!thumb')).toEqual([
      { bucket: 'src-1250000000', key: 'a.jpg', access: 'read' },
    ]);
  });

  it('download processing reads the object, as GET does', () => {
    for (const url of [
      '/a.jpg?imageMogr2/thumbnail/8x',
      '/a.jpg?imageInfo',
      '/a.jpg?imageAve',
      '/a.jpg?exif',
    ]) {
      expect(touches('GET', url)).toEqual([{ bucket: 'src-1250000000', key: 'a.jpg', access: 'read' }]);
    }
  });

  it('a PUT with Pic-Operations writes to its bucket and to every rule bucket', () => {
    const picOperations = JSON.stringify({
      rules: [
        { bucket: 'other-1250000000', fileid: '/x.jpg', rule: 'imageMogr2/thumbnail/8x' },
        { fileid: '/y.jpg', rule: 'imageMogr2/thumbnail/8x' },
      ],
    });
    expect(touches('PUT', '/in.jpg', { 'pic-operations': picOperations })).toEqual([
      { bucket: 'src-1250000000', access: 'write' },
      { bucket: 'other-1250000000', access: 'write' },
    ]);
  });

  it('a copy writes to its bucket and reads its source', () => {
    const source = 'lib-1250000000.cos.ap-guangzhou.myqcloud.com/dir/b.jpg';
    expect(touches('PUT', '/c.jpg', { 'x-cos-copy-source': source })).toEqual([
      { bucket: 'src-1250000000', access: 'write' },
      { bucket: 'lib-1250000000', key: 'dir/b.jpg', access: 'read' },
    ]);
  });

  it('an operation an anonymous caller may never run touches nothing it could be allowed', () => {
    expect(touches('POST', '/a.jpg?uploads')).toBeUndefined();
    expect(touches('PUT', '/?acl')).toBeUndefined();
    expect(touches('POST', '/a.jpg?image_process')).toBeUndefined();
  });
});

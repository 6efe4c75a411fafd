import { cosRoutes } from '../handlers';
import { classifyRequest } from './classify-request';
import { CI_FAULT_OPERATIONS } from './fault.types';

const HOST = 'b-1250000000.cos.ap-guangzhou.myqcloud.com';

describe('classifyRequest', () => {
  it('names every COS operation the emulator routes (so faults can match each of them)', () => {
    for (const route of cosRoutes) expect(CI_FAULT_OPERATIONS).toContain(route.operation);
  });

  it.each([
    ['PUT', '/a/b%20c.jpg', HOST, { operation: 'PutObject', bucket: 'b-1250000000', key: 'a/b c.jpg' }],
    ['PUT', '/a.jpg?partNumber=1&uploadId=x', HOST, { operation: 'UploadPart', key: 'a.jpg' }],
    ['POST', '/a.jpg?uploadId=x', HOST, { operation: 'CompleteMultipartUpload' }],
    ['POST', '/a.jpg?image_process', HOST, { operation: 'ImageProcess' }],
    ['GET', '/', HOST, { operation: 'GetBucket', key: '' }],
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
      { operation: 'FilesV2', bucket: 'b-1250000000', key: 'dir/a b.jpg' },
    ],
    ['PATCH', '/a.jpg', HOST, { operation: 'Unknown' }],
    ['GET', '/%E0%A4%A', HOST, { operation: 'Unknown', key: '' }],
  ])('%s %s (%s)', (method, url, host, expected) => {
    expect(classifyRequest({ method, url, headers: { host } })).toMatchObject({ method, ...expected });
  });
});

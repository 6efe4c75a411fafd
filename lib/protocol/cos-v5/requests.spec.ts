import {
  completeMultipartUploadRequest,
  imageProcessRequest,
  listMultipartUploadsRequest,
  putObjectRequest,
  requestTarget,
  signingPathname,
} from './requests';

describe('COS v5 request building', () => {
  it('PUT carries an exact Content-Length and Pic-Operations', () => {
    const r = putObjectRequest('a b/猫.jpg', {
      contentLength: 12,
      contentType: 'image/jpeg',
      picOperations: '{}',
    });
    expect(r).toMatchObject({
      method: 'PUT',
      headers: { 'content-length': '12', 'content-type': 'image/jpeg', 'pic-operations': '{}' },
    });
    expect(requestTarget(r)).toBe('/a%20b/%E7%8C%AB.jpg');
    expect(signingPathname(r)).toBe('/a b/猫.jpg');
  });

  it('image_process is a valueless, signed query parameter', () => {
    const r = imageProcessRequest('x.jpg', '{"rules":[]}');
    expect(requestTarget(r)).toBe('/x.jpg?image_process');
    expect(r.query).toEqual({ image_process: '' });
  });

  it('Complete lists parts in ascending order with quoted ETags and carries Pic-Operations', () => {
    const r = completeMultipartUploadRequest(
      'k',
      'u1',
      [
        { partNumber: 2, etag: 'b' },
        { partNumber: 1, etag: 'a' },
      ],
      { picOperations: 'p' },
    );
    expect(r.body).toBe(
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>"b"</ETag></Part></CompleteMultipartUpload>',
    );
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body!)));
    expect(r.headers['pic-operations']).toBe('p');
  });

  it('path-style puts the bucket first and encodes query values', () => {
    const r = listMultipartUploadsRequest({ prefix: 'a/b' });
    expect(requestTarget(r, 'examplebucket-1250000000')).toBe(
      '/examplebucket-1250000000/?uploads&prefix=a%2Fb',
    );
  });
});

import { createCosAuthorization, parseCosAuthorization, signCosRequest } from './sign';

// Vectors A-D of ../shared/docs/protocol.md section 3.2.
describe('createCosAuthorization', () => {
  it('matches vector A (official doc, PUT with seven headers)', () => {
    const s = signCosRequest({
      secretId: 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q',
      secretKey: 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz',
      keyTime: '1557989151;1557996351',
      method: 'PUT',
      pathname: '/exampleobject(腾讯云)',
      headers: {
        Date: 'Thu, 16 May 2019 06:45:51 GMT',
        Host: 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com',
        'Content-Type': 'text/plain',
        'Content-Length': '13',
        'Content-MD5': 'mQ/fVh815F3k6TAUm8m0eg==',
        'x-cos-acl': 'private',
        'x-cos-grant-read': 'uin="100000000011"',
      },
    });
    expect(s.headerList).toBe('content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read');
    expect(s.urlParamList).toBe('');
    expect(s.signature).toBe('3b8851a11a569213c17ba8fa7dcf2abec6935172');
  });

  it('matches vector B (official doc, GET with query parameters)', () => {
    const s = signCosRequest({
      secretId: 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q',
      secretKey: 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz',
      keyTime: '1557989753;1557996953',
      method: 'GET',
      pathname: '/exampleobject(腾讯云)',
      query: { 'response-content-type': 'application/octet-stream', 'response-cache-control': 'max-age=600' },
      headers: {
        Date: 'Thu, 16 May 2019 06:55:53 GMT',
        Host: 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com',
      },
    });
    expect(s.urlParamList).toBe('response-cache-control;response-content-type');
    expect(s.headerList).toBe('date;host');
    expect(s.signature).toBe('01681b8c9d798a678e43b685a9f1bba0f6c0e012');
  });

  it('matches vector C (cos-go-sdk-v5 auth_test.go)', () => {
    const s = signCosRequest({
      secretId: 'QmFzZTY0IGlzIGEgZ2VuZXJp',
      secretKey: 'AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM',
      keyTime: '1480932292;1481012292',
      method: 'PUT',
      pathname: '/testfile2',
      headers: {
        Host: 'testbucket-125000000.cos.ap-guangzhou.myqcloud.com',
        'x-cos-content-sha1': 'db8ac1c259eb89d4a131b253bacfca5f319d54f2',
        'x-cos-stroage-class': 'nearline',
      },
    });
    expect(s.signature).toBe('ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a');
  });

  it('matches vector D (image_process with Pic-Operations)', () => {
    const auth = createCosAuthorization({
      secretId: 'AKIDEXAMPLE',
      secretKey: 'SECRETEXAMPLE',
      keyTime: '1700000000;1700000900',
      method: 'POST',
      pathname: '/a/b.jpg',
      query: { image_process: '' },
      headers: {
        Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com',
        'Pic-Operations': '{"is_pic_info":1,"rules":[{"fileid":"t.png","rule":"imageMogr2/format/png"}]}',
      },
    });
    expect(auth).toBe(
      'q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1700000000;1700000900&q-key-time=1700000000;1700000900' +
        '&q-header-list=host;pic-operations&q-url-param-list=image_process&q-signature=3519d0362c011936730ee5680c4bf505a8a84ada',
    );
    expect(auth).not.toContain('SECRETEXAMPLE');
    const parsed = parseCosAuthorization(auth)!;
    expect(parsed.headerList).toEqual(['host', 'pic-operations']);
    expect(parsed.urlParamList).toEqual(['image_process']);
    expect(parsed.signature).toBe('3519d0362c011936730ee5680c4bf505a8a84ada');
  });

  it('splits the lists at ";" before decoding: a signed parameter name may hold an encoded ";"', () => {
    // cos-nodejs-sdk-v5 getAuth lower-cases each encoded name (camSafeUrlEncode) and joins them with ";".
    const auth = createCosAuthorization({
      secretId: 'id',
      secretKey: 'key',
      method: 'GET',
      pathname: '/1.txt',
      query: { 'a;b=c': 'v', plain: '' },
      headers: { host: 'h' },
      keyTime: '1;2',
    });
    expect(auth).toContain('q-url-param-list=a%3bb%3dc;plain&');
    expect(parseCosAuthorization(auth)!.urlParamList).toEqual(['a;b=c', 'plain']);
  });

  it('defaults keyTime to now-1 .. now+900 from the injected clock', () => {
    const s = signCosRequest({
      secretId: 'id',
      secretKey: 'key',
      method: 'GET',
      pathname: '/',
      now: () => 1_700_000_000_500,
    });
    expect(s.keyTime).toBe('1699999999;1700000899');
  });
});

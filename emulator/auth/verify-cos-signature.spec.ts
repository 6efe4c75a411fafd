import { resolveTarget } from '../routing/resolve-target';
import { type CosCredential, verifyCosSignature } from './verify-cos-signature';

/** Vectors from protocol.md 3.2 (A and B: the official COS documentation; D: node SDK + Python). */
const DOC = {
  secretId: 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q',
  secretKey: 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz',
};
const D = { secretId: 'AKIDEXAMPLE', secretKey: 'SECRETEXAMPLE' };
const credentials = new Map<string, CosCredential>([
  [DOC.secretId, DOC],
  [D.secretId, D],
  ['AKIDSTS', { secretId: 'AKIDSTS', secretKey: 'sts-secret', securityToken: 'token-1' }],
]);

function authorization(
  secretId: string,
  keyTime: string,
  headerList: string,
  paramList: string,
  signature: string,
) {
  return [
    'q-sign-algorithm=sha1',
    `q-ak=${secretId}`,
    `q-sign-time=${keyTime}`,
    `q-key-time=${keyTime}`,
    `q-header-list=${headerList}`,
    `q-url-param-list=${paramList}`,
    `q-signature=${signature}`,
  ].join('&');
}

function verify(input: { method: string; url: string; headers: Record<string, string>; now: number }) {
  const target = resolveTarget({ url: input.url, headers: input.headers });
  return verifyCosSignature(
    {
      method: input.method,
      pathnames: target.signingPathnames,
      query: target.query,
      headers: input.headers,
      now: input.now,
    },
    credentials,
  );
}

const vectorA = () => ({
  method: 'PUT',
  url: '/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)',
  now: 1557989200_000,
  headers: {
    date: 'Thu, 16 May 2019 06:45:51 GMT',
    host: 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com',
    'content-type': 'text/plain',
    'content-length': '13',
    'content-md5': 'mQ/fVh815F3k6TAUm8m0eg==',
    'x-cos-acl': 'private',
    'x-cos-grant-read': 'uin="100000000011"',
    'user-agent': 'not signed, ignored',
    authorization: authorization(
      DOC.secretId,
      '1557989151;1557996351',
      'content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read',
      '',
      '3b8851a11a569213c17ba8fa7dcf2abec6935172',
    ),
  } as Record<string, string>,
});

describe('verifyCosSignature', () => {
  it('accepts the documented upload signature (vector A), decoding the percent-encoded path', () => {
    expect(verify(vectorA()).secretId).toBe(DOC.secretId);
  });

  it('accepts the documented download signature with signed query parameters (vector B)', () => {
    const credential = verify({
      method: 'GET',
      url: '/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)?response-content-type=application%2Foctet-stream&response-cache-control=max-age%3D600',
      now: 1557989800_000,
      headers: {
        date: 'Thu, 16 May 2019 06:55:53 GMT',
        host: 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com',
        authorization: authorization(
          DOC.secretId,
          '1557989753;1557996953',
          'date;host',
          'response-cache-control;response-content-type',
          '01681b8c9d798a678e43b685a9f1bba0f6c0e012',
        ),
      },
    });
    expect(credential.secretId).toBe(DOC.secretId);
  });

  it('accepts a signed Pic-Operations on POST ?image_process (vector D)', () => {
    const credential = verify({
      method: 'POST',
      url: '/a/b.jpg?image_process',
      now: 1700000100_000,
      headers: {
        host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com',
        'pic-operations': '{"is_pic_info":1,"rules":[{"fileid":"t.png","rule":"imageMogr2/format/png"}]}',
        authorization: authorization(
          D.secretId,
          '1700000000;1700000900',
          'host;pic-operations',
          'image_process',
          '3519d0362c011936730ee5680c4bf505a8a84ada',
        ),
      },
    });
    expect(credential.secretId).toBe(D.secretId);
  });

  it('the same signature as a pre-signed query string', () => {
    const fields = new URLSearchParams({
      'q-sign-algorithm': 'sha1',
      'q-ak': D.secretId,
      'q-sign-time': '1700000000;1700000900',
      'q-key-time': '1700000000;1700000900',
      'q-header-list': 'host;pic-operations',
      'q-url-param-list': 'image_process',
      'q-signature': '3519d0362c011936730ee5680c4bf505a8a84ada',
    });
    const credential = verify({
      method: 'POST',
      url: `/a/b.jpg?image_process&${fields.toString()}`,
      now: 1700000100_000,
      headers: {
        host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com',
        'pic-operations': '{"is_pic_info":1,"rules":[{"fileid":"t.png","rule":"imageMogr2/format/png"}]}',
      },
    });
    expect(credential.secretId).toBe(D.secretId);
  });

  it.each([
    [
      'a signed header value changed',
      (v: ReturnType<typeof vectorA>) => (v.headers['content-length'] = '14'),
      'SignatureDoesNotMatch',
    ],
    ['the method changed', (v: ReturnType<typeof vectorA>) => (v.method = 'POST'), 'SignatureDoesNotMatch'],
    [
      'the key changed',
      (v: ReturnType<typeof vectorA>) => (v.url = '/exampleobject'),
      'SignatureDoesNotMatch',
    ],
    [
      'no signature at all',
      (v: ReturnType<typeof vectorA>) => delete v.headers.authorization,
      'AccessDenied',
    ],
    [
      'an unknown SecretId',
      (v: ReturnType<typeof vectorA>) =>
        (v.headers.authorization = v.headers.authorization.replace(DOC.secretId, 'AKIDOTHER')),
      'InvalidAccessKeyId',
    ],
    [
      'a malformed Authorization',
      (v: ReturnType<typeof vectorA>) => (v.headers.authorization = 'q-sign-algorithm=sha1&q-ak=x'),
      'AccessDenied',
    ],
    [
      'a request after its KeyTime',
      (v: ReturnType<typeof vectorA>) => (v.now = 1557996352_000),
      'AccessDenied',
    ],
    [
      'a request before its KeyTime',
      (v: ReturnType<typeof vectorA>) => (v.now = 1557989150_000),
      'AccessDenied',
    ],
    [
      'an unsigned Pic-Operations header',
      (v: ReturnType<typeof vectorA>) => (v.headers['pic-operations'] = '{}'),
      'AccessDenied',
    ],
  ])('refuses %s', (_case, mutate, code) => {
    const input = vectorA();
    mutate(input);
    expect(() => verify(input)).toThrow(expect.objectContaining({ status: 403, code }));
  });

  it('says "Request has expired" outside the window, as COS does (the SDK matches that text)', () => {
    const input = { ...vectorA(), now: 1557996400_000 };
    expect(() => verify(input)).toThrow(expect.objectContaining({ message: 'Request has expired' }));
  });

  it('a temporary key needs its x-cos-security-token, checked before the signature', () => {
    const base = {
      method: 'GET',
      url: '/',
      now: Date.now(),
      headers: {
        host: 'b-1.cos.r.myqcloud.com',
        authorization: authorization('AKIDSTS', '0;9999999999', 'host', '', 'x'),
      },
    };
    expect(() => verify(base)).toThrow(expect.objectContaining({ code: 'InvalidAccessKeyId' }));
    expect(() =>
      verify({ ...base, headers: { ...base.headers, 'x-cos-security-token': 'token-2' } }),
    ).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() =>
      verify({ ...base, headers: { ...base.headers, 'x-cos-security-token': 'token-1' } }),
    ).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
  });
});

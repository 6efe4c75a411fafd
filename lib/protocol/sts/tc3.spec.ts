import { parseTc3Authorization, signTc3Request } from './tc3';

// The worked example of Tencent Cloud API 3.0 "Signature v3" (https://www.tencentcloud.com/document/api/213/30654):
// DescribeInstances on cvm.tencentcloudapi.com at 1551113065 with the documentation's example key pair.
const DOC = {
  secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
  secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
  payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
};

describe('signTc3Request', () => {
  it("reproduces the documentation's example, step by step", () => {
    const s = signTc3Request({
      secretId: DOC.secretId,
      secretKey: DOC.secretKey,
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1551113065,
      payload: DOC.payload,
    });
    expect(s.credentialScope).toBe('2019-02-25/cvm/tc3_request');
    expect(s.hashedCanonicalRequest).toBe('5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
    expect(s.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(s.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
        'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it('parses what it writes and refuses another scheme', () => {
    const s = signTc3Request({
      ...DOC,
      service: 'sts',
      host: 'sts.tencentcloudapi.com',
      timestamp: 1700000000,
    });
    expect(parseTc3Authorization(s.authorization)).toEqual({
      secretId: DOC.secretId,
      date: '2023-11-14',
      service: 'sts',
      signedHeaders: ['content-type', 'host'],
      signature: s.signature,
    });
    expect(parseTc3Authorization('q-sign-algorithm=sha1&q-ak=x')).toBeUndefined();
  });
});

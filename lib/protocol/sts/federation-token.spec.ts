import { cosPrefixPolicy, getFederationTokenRequest, parseFederationTokenResponse } from './federation-token';
import { signTc3Request } from './tc3';

describe('STS GetFederationToken', () => {
  it("builds the policy COS's temporary-key practice writes, and a TC3-signed API 3.0 request", () => {
    const policy = cosPrefixPolicy({
      region: 'ap-guangzhou',
      bucket: 'examplebucket-1250000000',
      prefix: 'uploads/u42/',
      actions: ['PutObject', 'PostObject'],
    });
    // https://cloud.tencent.com/document/product/436/31923: resource qcs::cos:<region>:uid/<appid>:<bucket>/<prefix>*.
    expect(policy).toEqual({
      version: '2.0',
      statement: [
        {
          effect: 'allow',
          action: ['name/cos:PutObject', 'name/cos:PostObject'],
          resource: ['qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/u42/*'],
        },
      ],
    });
    const signed = getFederationTokenRequest({
      secretId: 'AKIDexample',
      secretKey: 'secret',
      region: 'ap-guangzhou',
      name: 'uploader',
      policy,
      durationSeconds: 900,
      timestamp: 1_700_000_000,
    });
    // Common headers of API 3.0 (X-TC-Action, -Version, -Timestamp, -Region) and the action's parameters
    // (Name, Policy URL-encoded as qcloud-cos-sts-sdk sends it, DurationSeconds).
    expect(signed.headers).toMatchObject({
      host: 'sts.tencentcloudapi.com',
      'content-type': 'application/json; charset=utf-8',
      'x-tc-action': 'GetFederationToken',
      'x-tc-version': '2018-08-13',
      'x-tc-timestamp': '1700000000',
      'x-tc-region': 'ap-guangzhou',
    });
    const body = JSON.parse(signed.body) as { Name: string; Policy: string; DurationSeconds: number };
    expect(body).toMatchObject({ Name: 'uploader', DurationSeconds: 900 });
    expect(JSON.parse(decodeURIComponent(body.Policy))).toEqual(policy);
    expect(signed.headers.authorization).toBe(
      signTc3Request({
        secretId: 'AKIDexample',
        secretKey: 'secret',
        service: 'sts',
        host: 'sts.tencentcloudapi.com',
        timestamp: 1_700_000_000,
        payload: signed.body,
      }).authorization,
    );
  });

  it('parses the answer and the error envelope of API 3.0', () => {
    // Fields of GetFederationTokenResponse and Credentials (tencentcloud-sdk-go sts/v20180813 models:
    // Credentials{Token, TmpSecretId, TmpSecretKey}, ExpiredTime, Expiration, RequestId).
    const ok = JSON.stringify({
      Response: {
        Credentials: { Token: 'tok', TmpSecretId: 'AKIDtmp', TmpSecretKey: 'key' },
        ExpiredTime: 1506433269,
        Expiration: '2017-09-26T13:41:09Z',
        RequestId: 'req-1',
      },
    });
    expect(parseFederationTokenResponse(ok)).toEqual({
      ok: true,
      token: {
        secretId: 'AKIDtmp',
        secretKey: 'key',
        securityToken: 'tok',
        expiresAt: 1506433269000,
        requestId: 'req-1',
      },
    });
    const error = JSON.stringify({
      Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'bad' }, RequestId: 'req-2' },
    });
    expect(parseFederationTokenResponse(error)).toEqual({
      ok: false,
      error: { code: 'AuthFailure.SignatureFailure', message: 'bad', requestId: 'req-2' },
    });
    expect(parseFederationTokenResponse('<html>')).toMatchObject({
      ok: false,
      error: { code: 'InvalidResponse' },
    });
  });
});

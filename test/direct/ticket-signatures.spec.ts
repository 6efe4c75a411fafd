import COS from 'cos-nodejs-sdk-v5';
import { CiClient } from '../../lib/client';
import { parseCosAuthorization } from '../../lib/protocol/cos-v5';

const BUCKET = 'examplebucket-1250000000';
const REGION = 'ap-guangzhou';

describe('upload tickets, held to the official SDK', () => {
  const client = new CiClient({
    bucket: BUCKET,
    region: REGION,
    credentials: { secretId: 'AKIDEXAMPLE', secretKey: 'SECRETEXAMPLE' },
    now: () => 1_700_000_001_000,
  });
  afterAll(() => client.close());

  it("signs a PUT ticket's headers as COS.getAuthorization signs them (content-type, content-length, pic-operations, x-cos-*)", async () => {
    const picOperations =
      '{"is_pic_info":1,"rules":[{"fileid":"a-thumb.webp","rule":"imageMogr2/thumbnail/100x"}]}';
    const ticket = await client.signUpload('相册/a b.jpg', {
      kind: 'put',
      contentType: 'image/jpeg',
      size: 1234,
      maxSize: 10_000,
      picOperations,
      headers: { 'x-cos-meta-owner': 'u42' },
      expiresIn: 300,
    });
    const url = new URL(ticket.url);
    expect(url.origin + url.pathname).toBe(
      `https://${BUCKET}.cos.${REGION}.myqcloud.com/%E7%9B%B8%E5%86%8C/a%20b.jpg`,
    );
    expect(ticket.headers).toEqual({
      'x-cos-acl': 'default',
      'Content-Type': 'image/jpeg',
      'Pic-Operations': picOperations,
      'x-cos-meta-owner': 'u42',
    });
    // The SDK's own signature of the same request: its signable headers are exactly these (sdk/util.js signHeaders).
    const sdk = parseCosAuthorization(
      COS.getAuthorization({
        SecretId: 'AKIDEXAMPLE',
        SecretKey: 'SECRETEXAMPLE',
        Method: 'PUT',
        Pathname: '/相册/a b.jpg',
        Headers: {
          host: `${BUCKET}.cos.${REGION}.myqcloud.com`,
          'Content-Type': 'image/jpeg',
          'Content-Length': '1234',
          'Pic-Operations': picOperations,
          'x-cos-acl': 'default',
          'x-cos-meta-owner': 'u42',
        },
        KeyTime: url.searchParams.get('q-key-time')!,
      }),
    )!;
    expect(url.searchParams.get('q-key-time')).toBe('1700000000;1700000300');
    expect(url.searchParams.get('q-header-list')).toBe(sdk.headerList.join(';'));
    expect(url.searchParams.get('q-signature')).toBe(sdk.signature);
    expect(ticket.expiresAt).toBe(1_700_000_301_000);
  });

  it('maps object headers to POST Object form fields and binds each with the policy', async () => {
    const ticket = await client.signUpload('a.jpg', {
      kind: 'post',
      contentType: 'image/png',
      maxSize: 500,
      headers: { 'x-cos-acl': 'private', 'Cache-Control': 'max-age=60', 'x-cos-meta-owner': 'u42' },
      expiresIn: 60,
    });
    expect(ticket).toMatchObject({
      method: 'POST',
      url: `https://${BUCKET}.cos.${REGION}.myqcloud.com/`,
      fileField: 'file',
    });
    // Field names of the POST Object doc's form-field table: acl, Cache-Control, Content-Type, x-cos-meta-*.
    expect(ticket.fields).toMatchObject({
      key: 'a.jpg',
      'Content-Type': 'image/png',
      acl: 'private',
      'Cache-Control': 'max-age=60',
      'x-cos-meta-owner': 'u42',
      success_action_status: '201',
    });
    const policy = JSON.parse(Buffer.from(ticket.fields!.policy!, 'base64').toString('utf8')) as {
      conditions: unknown[];
    };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$acl', 'private'],
        ['eq', '$Cache-Control', 'max-age=60'],
        ['eq', '$x-cos-meta-owner', 'u42'],
        ['content-length-range', 1, 500],
      ]),
    );
  });
});

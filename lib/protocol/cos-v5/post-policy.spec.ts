import { createHash } from 'node:crypto';
import { createPostObjectForm, signPostPolicy } from './post-policy';

describe('POST Object policy signature', () => {
  // The worked example of the POST Object doc, "Signature protection use cases"
  // (https://cloud.tencent.com/document/product/436/14690): its base64 policy, key time and key pair.
  const DOC_POLICY_BASE64 =
    'ewogICAgImV4cGlyYXRpb24iOiAiMjAxOS0wOC0zMFQwOTozODoxMi40MTRaIiwKICAgICJjb25kaXRpb25zIjogWwogICAgICAgIHsgImFjbCI6ICJkZWZhdWx0IiB9LAogICAgICAgIHsgImJ1Y2tldCI6ICJleGFtcGxlYnVja2V0LTEyNTAwMDAwMDAiIH0sCiAgICAgICAgWyAic3RhcnRzLXdpdGgiLCAiJGtleSIsICJmb2xkZXIvc3ViZm9sZGVyLyIgXSwKICAgICAgICBbICJzdGFydHMtd2l0aCIsICIkQ29udGVudC1UeXBlIiwgImltYWdlLyIgXSwKICAgICAgICBbICJzdGFydHMtd2l0aCIsICIkc3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiLCAiaHR0cHM6Ly9teS53ZWJzaXRlLyIgXSwKICAgICAgICBbICJlcSIsICIkeC1jb3Mtc2VydmVyLXNpZGUtZW5jcnlwdGlvbiIsICJBRVMyNTYiIF0sCiAgICAgICAgeyAicS1zaWduLWFsZ29yaXRobSI6ICJzaGExIiB9LAogICAgICAgIHsgInEtYWsiOiAiQUtJRFFqejNsdG9tcFZqQm5pNUxpdGtXSEZsRnB3a245VTVxIiB9LAogICAgICAgIHsgInEtc2lnbi10aW1lIjogIjE1NjcxNTA2OTI7MTU2NzE1Nzg5MiIgfQogICAgXQp9';

  it("reproduces the documentation's StringToSign and Signature", () => {
    const policyText = Buffer.from(DOC_POLICY_BASE64, 'base64').toString('utf8');
    expect(createHash('sha1').update(policyText).digest('hex')).toBe(
      'd5d903b8360468bc81c1311f134989bc8c8b5b89',
    );
    expect(signPostPolicy(policyText, '1567150692;1567157892', 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz')).toBe(
      '7758dc9a832e9d301dca704cacbf9d9f8172fdef',
    );
  });

  it('binds the bucket, key, fields and size range, and signs the policy it sends', () => {
    const { fields, policy } = createPostObjectForm({
      secretId: 'AKIDexample',
      secretKey: 'secret',
      bucket: 'photos-1250000000',
      key: 'uploads/a.jpg',
      fields: { 'Content-Type': 'image/jpeg', success_action_status: '201' },
      contentLengthRange: [1, 1024],
      expiresIn: 600,
      now: () => 1_700_000_000_000,
    });
    expect(policy).toEqual({
      expiration: new Date(1_700_000_600_000).toISOString(),
      conditions: [
        { bucket: 'photos-1250000000' },
        ['eq', '$key', 'uploads/a.jpg'],
        ['eq', '$Content-Type', 'image/jpeg'],
        ['eq', '$success_action_status', '201'],
        ['content-length-range', 1, 1024],
        { 'q-sign-algorithm': 'sha1' },
        { 'q-ak': 'AKIDexample' },
        { 'q-sign-time': '1699999999;1700000600' },
      ],
    });
    const text = Buffer.from(fields.policy!, 'base64').toString('utf8');
    expect(JSON.parse(text)).toEqual(policy);
    expect(fields['q-signature']).toBe(signPostPolicy(text, '1699999999;1700000600', 'secret'));
    expect(Object.keys(fields)).toEqual([
      'key',
      'Content-Type',
      'success_action_status',
      'policy',
      'q-sign-algorithm',
      'q-ak',
      'q-key-time',
      'q-signature',
    ]);
  });
});

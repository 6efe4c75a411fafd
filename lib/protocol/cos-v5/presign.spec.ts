import COS from 'cos-nodejs-sdk-v5';
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import { encodeKeyPath } from './encode';
import { createObjectUrl, createPresignedQuery, createPresignedUrl } from './presign';
import { parseCosAuthorization } from './sign';

const BUCKET = 'examplebucket-1250000000';
const REGION = 'ap-guangzhou';
const HOST = `${BUCKET}.cos.${REGION}.myqcloud.com`;
const ORIGIN = `https://${HOST}`;

/** Every query parameter of a URL, decoded, in order (a bare `k` gives `['k', undefined]`). */
function queryPairs(url: string): [string, string | undefined][] {
  const q = url.slice(url.indexOf('?') + 1);
  return q.split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0
      ? [decodeURIComponent(part), undefined]
      : [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))];
  });
}

/** The SDK's pre-signed URL with the key time pinned: STS credentials with a StartTime fix `q-key-time`. */
function sdkObjectUrl(params: {
  key: string;
  expires: number;
  startTime: number;
  query?: Record<string, string>;
  token: string;
}): Promise<string> {
  const cos = new COS({
    getAuthorization: (_options, callback) =>
      callback({
        TmpSecretId: 'AKIDtmpEXAMPLE',
        TmpSecretKey: 'tmpSECRETexample',
        SecurityToken: params.token,
        StartTime: params.startTime,
        ExpiredTime: params.startTime + 7200,
      }),
  });
  return new Promise((resolve, reject) => {
    cos.getObjectUrl(
      {
        Bucket: BUCKET,
        Region: REGION,
        Key: params.key,
        Sign: true,
        Expires: params.expires,
        Query: params.query,
      },
      (err, data) => (err ? reject(new Error(String(err.message))) : resolve(data.Url)),
    );
  });
}

const keyChars = [
  'a',
  'Z',
  '9',
  ' ',
  '猫',
  '图',
  '片',
  '😀',
  '(',
  ')',
  '!',
  '*',
  "'",
  '+',
  '%',
  '&',
  '=',
  ';',
  '~',
  '-',
  '.',
];
const segment = fc
  .array(fc.constantFrom(...keyChars), { minLength: 1, maxLength: 12 })
  .map((c) => c.join(''));
const objectKey = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));

describe('createPresignedUrl', () => {
  it('matches cos.getObjectUrl (STS, pinned key time) on random keys, queries and tokens', async () => {
    await fc.assert(
      fc.asyncProperty(
        objectKey,
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 1_600_000_000, max: 1_999_000_000 }),
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
          fc.string({ unit: 'grapheme', maxLength: 12 }),
          { maxKeys: 3, noNullPrototype: true },
        ),
        fc.stringMatching(/^[A-Za-z0-9+/=_-]{8,40}$/),
        async (key, expires, startTime, query, token) => {
          const sdkUrl = await sdkObjectUrl({ key, expires, startTime, query, token });
          const ours = createPresignedUrl({
            origin: ORIGIN,
            key,
            secretId: 'AKIDtmpEXAMPLE',
            secretKey: 'tmpSECRETexample',
            expiresIn: expires,
            now: () => (startTime + 1) * 1000,
            query,
            securityToken: token,
          });
          expect(ours.slice(0, ours.indexOf('?'))).toBe(sdkUrl.slice(0, sdkUrl.indexOf('?')));
          // The SDK leaves ';' and the token raw and orders its own query differently; decoded, they agree.
          const sort = (pairs: [string, string | undefined][]) =>
            [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          expect(sort(queryPairs(ours))).toEqual(sort(queryPairs(sdkUrl)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives the SDK URL for a CJK key with spaces, byte for byte after decoding', async () => {
    const key = '相册 2024/猫 (1).jpg';
    const sdkUrl = await sdkObjectUrl({ key, expires: 600, startTime: 1_700_000_000, token: 'tok' });
    const ours = createPresignedUrl({
      origin: ORIGIN,
      key,
      secretId: 'AKIDtmpEXAMPLE',
      secretKey: 'tmpSECRETexample',
      expiresIn: 600,
      now: () => 1_700_000_001_000,
      securityToken: 'tok',
    });
    expect(ours.startsWith(`${ORIGIN}/%E7%9B%B8%E5%86%8C%202024/%E7%8C%AB%20%281%29.jpg?`)).toBe(true);
    expect(ours).toBe(`${ORIGIN}${encodeKeyPath(key)}?${ours.split('?')[1]}`);
    expect(new Map(queryPairs(ours))).toEqual(new Map(queryPairs(sdkUrl)));
    expect(ours).toContain('q-sign-time=1700000000%3B1700000600&q-key-time=1700000000%3B1700000600');
  });
});

describe('processing URLs', () => {
  it.each([
    'imageMogr2/thumbnail/200x',
    'imageMogr2/thumbnail/!50p|watermark/2/text/aGk',
    'imageView2/2/w/100',
  ])(
    'signs the rule %s as the SDK signs Query: { <rule>: "" } (same signature and q-url-param-list)',
    async (rule) => {
      const sdkUrl = await sdkObjectUrl({
        key: 'a/猫.jpg',
        expires: 600,
        startTime: 1_700_000_000,
        query: { [rule]: '' },
        token: 'tok',
      });
      const ours = createPresignedUrl({
        origin: ORIGIN,
        key: 'a/猫.jpg',
        secretId: 'AKIDtmpEXAMPLE',
        secretKey: 'tmpSECRETexample',
        expiresIn: 600,
        now: () => 1_700_000_001_000,
        securityToken: 'tok',
        processing: rule,
      });
      const field = (url: string, name: string) => new Map(queryPairs(url)).get(name);
      expect(field(ours, 'q-signature')).toBe(field(sdkUrl, 'q-signature'));
      // The SDK encodes the list once more for CI's rules ("兼容万象url"): the raw text is then identical.
      expect(ours).toContain(`q-url-param-list=${encodeURIComponent(field(sdkUrl, 'q-url-param-list')!)}`);
      expect(field(ours, 'q-url-param-list')).toBe(field(sdkUrl, 'q-url-param-list'));
      // The rule itself comes last, written as CI's documentation writes it.
      expect(ours.endsWith('&' + rule)).toBe(true);
    },
  );

  it('writes a style URL as <key><separator><name> and signs that path', () => {
    const url = createPresignedUrl({
      origin: ORIGIN,
      key: 'a b.jpg',
      style: { separator: '!', name: 'thumb' },
      secretId: 'AKIDEXAMPLE',
      secretKey: 'SECRETEXAMPLE',
      now: () => 1_700_000_001_000,
    });
    expect(url.startsWith(`${ORIGIN}/a%20b.jpg!thumb?q-sign-algorithm=sha1`)).toBe(true);
  });

  it('gives plain URLs with the rule as the query, on a CDN origin with a path prefix too', () => {
    expect(
      createObjectUrl({
        origin: 'https://cdn.example.com/',
        key: 'a.jpg',
        processing: 'imageMogr2/thumbnail/10x10<',
      }),
    ).toBe('https://cdn.example.com/a.jpg?imageMogr2/thumbnail/10x10%3C');
    expect(createObjectUrl({ origin: 'http://127.0.0.1:9000', key: 'k.png', pathStyleBucket: BUCKET })).toBe(
      `http://127.0.0.1:9000/${BUCKET}/k.png`,
    );
    expect(
      createObjectUrl({
        origin: 'https://cdn.example.com/img',
        key: 'a.jpg',
        style: { separator: '_', name: 's' },
      }),
    ).toBe('https://cdn.example.com/img/a.jpg_s');
  });
});

describe('createPresignedQuery', () => {
  const base = {
    secretId: 'AKIDEXAMPLE',
    secretKey: 'SECRETEXAMPLE',
    pathname: '/图 片/a b.jpg',
    host: HOST,
    now: () => 1_700_000_001_000,
  };

  it('signs GET with the host header and a 900 s window by default, like COS.getAuthorization', () => {
    const query = createPresignedQuery(base);
    const fields = new Map(queryPairs('?' + query));
    const auth = COS.getAuthorization({
      SecretId: base.secretId,
      SecretKey: base.secretKey,
      Method: 'GET',
      Pathname: base.pathname,
      Headers: { host: HOST },
      KeyTime: '1700000000;1700000900',
    });
    const expected = parseCosAuthorization(auth)!;
    expect(fields.get('q-sign-algorithm')).toBe('sha1');
    expect(fields.get('q-ak')).toBe('AKIDEXAMPLE');
    expect(fields.get('q-sign-time')).toBe('1700000000;1700000900');
    expect(fields.get('q-key-time')).toBe('1700000000;1700000900');
    expect(fields.get('q-header-list')).toBe('host');
    expect(fields.get('q-url-param-list')).toBe('');
    expect(fields.get('q-signature')).toBe(expected.signature);
    expect(query).not.toContain(';');
    expect(query).not.toContain('SECRETEXAMPLE');
    expect(fields.has('x-cos-security-token')).toBe(false);
  });

  it('recomputes to the same signature with node:crypto from the documented steps', () => {
    const query = createPresignedQuery({ ...base, method: 'PUT', expiresIn: 60, query: { 'x-y': 'a/b c' } });
    const fields = new Map(queryPairs('?' + query));
    const keyTime = '1700000000;1700000060';
    const signKey = createHmac('sha1', 'SECRETEXAMPLE').update(keyTime).digest('hex');
    const httpString = `put\n${base.pathname}\nx-y=a%2Fb%20c\nhost=${encodeURIComponent(HOST)}\n`;
    const stringToSign = `sha1\n${keyTime}\n${createHash('sha1').update(httpString).digest('hex')}\n`;
    expect(fields.get('q-signature')).toBe(createHmac('sha1', signKey).update(stringToSign).digest('hex'));
    expect(fields.get('q-url-param-list')).toBe('x-y');
    expect(query.endsWith('&x-y=a%2Fb%20c')).toBe(true);
  });

  it('signs extra headers and the caller query, appends the token encoded, sends a bare parameter bare', () => {
    const query = createPresignedQuery({
      ...base,
      method: 'PUT',
      headers: { 'Content-Type': 'image/png', Host: 'ignored.example.com' },
      query: { 'response-content-disposition': 'attachment; filename="猫.jpg"', acl: undefined },
      securityToken: 'a+b/c=',
    });
    const fields = new Map(queryPairs('?' + query));
    expect(fields.get('q-header-list')).toBe('content-type;host');
    expect(fields.get('q-url-param-list')).toBe('acl;response-content-disposition');
    expect(query).toContain('&x-cos-security-token=a%2Bb%2Fc%3D&');
    expect(query.endsWith('&acl')).toBe(true);
    const expected = parseCosAuthorization(
      COS.getAuthorization({
        SecretId: base.secretId,
        SecretKey: base.secretKey,
        Method: 'PUT',
        Pathname: base.pathname,
        Headers: { 'Content-Type': 'image/png', host: HOST },
        Query: { 'response-content-disposition': 'attachment; filename="猫.jpg"', acl: '' },
        KeyTime: '1700000000;1700000900',
      }),
    )!;
    expect(fields.get('q-signature')).toBe(expected.signature);
  });
});

describe('createPresignedUrl addressing', () => {
  const creds = { secretId: 'AKIDEXAMPLE', secretKey: 'SECRETEXAMPLE', now: () => 1_700_000_001_000 };

  it('signs the origin host by default and bucketHost when given', () => {
    const plain = createPresignedUrl({ ...creds, origin: 'http://127.0.0.1:9000', key: 'a.jpg' });
    const proxied = createPresignedUrl({
      ...creds,
      origin: 'http://127.0.0.1:9000',
      key: 'a.jpg',
      bucketHost: HOST,
    });
    const sig = (url: string) => new Map(queryPairs(url)).get('q-signature');
    const expected = (host: string) =>
      parseCosAuthorization(
        COS.getAuthorization({
          ...{ SecretId: 'AKIDEXAMPLE', SecretKey: 'SECRETEXAMPLE', Method: 'get', Pathname: '/a.jpg' },
          Headers: { host },
          KeyTime: '1700000000;1700000900',
        }),
      )!.signature;
    expect(plain.startsWith('http://127.0.0.1:9000/a.jpg?')).toBe(true);
    expect(sig(plain)).toBe(expected('127.0.0.1:9000'));
    expect(sig(proxied)).toBe(expected(HOST));
  });

  it('puts the bucket in the path for path-style addressing but signs /<key>', () => {
    const url = createPresignedUrl({
      ...creds,
      origin: 'http://localhost:9000',
      key: 'd/猫.jpg',
      pathStyleBucket: BUCKET,
    });
    expect(url.startsWith(`http://localhost:9000/${BUCKET}/d/%E7%8C%AB.jpg?`)).toBe(true);
    const direct = createPresignedUrl({ ...creds, origin: 'http://localhost:9000', key: 'd/猫.jpg' });
    expect(url.split('?')[1]).toBe(direct.split('?')[1]);
  });
});

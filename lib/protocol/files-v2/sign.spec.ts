import COS from 'cos-nodejs-sdk-v5';
import { createHmac } from 'node:crypto';
import { isCiValidationError } from '../../core/errors';
import { filesV2FileId } from './requests';
import { createFilesV2Signature, parseFilesV2Signature, verifyFilesV2Signature } from './sign';

const SECRET_ID = 'AKIDEXAMPLE';
const SECRET_KEY = 'SECRETEXAMPLE';
const NOW_MS = 1_700_000_000_700;
const keys = (id: string): string | undefined => (id === SECRET_ID ? SECRET_KEY : undefined);

/** Splits a signature into MAC and plain text with nothing but Buffer. */
function split(sign: string): { mac: Buffer; plain: string } {
  const bytes = Buffer.from(sign, 'base64');
  return { mac: bytes.subarray(0, 20), plain: bytes.subarray(20).toString('utf8') };
}

/** Builds a signature by hand, in any field order, as the other SDKs do. */
function handMade(plain: string, key = SECRET_KEY): string {
  return Buffer.concat([createHmac('sha1', key).update(plain).digest(), Buffer.from(plain)]).toString(
    'base64',
  );
}

describe('createFilesV2Signature', () => {
  it('is base64(HMAC-SHA1(secretKey, plain) ++ plain) with plain in the order a,b,k,e,t,r,f', () => {
    const sign = createFilesV2Signature({
      appId: '1250000000',
      bucket: 'examplebucket',
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      expiresAt: 1_700_000_900,
      now: () => NOW_MS,
      nonce: 1234567890,
      fileId: '/1250000000/examplebucket/%E7%8C%AB.jpg',
    });
    const { mac, plain } = split(sign);
    expect(plain).toBe(
      'a=1250000000&b=examplebucket&k=AKIDEXAMPLE&e=1700000900&t=1700000000&r=1234567890&f=/1250000000/examplebucket/%E7%8C%AB.jpg',
    );
    expect(mac.equals(createHmac('sha1', SECRET_KEY).update(plain).digest())).toBe(true);
    expect(Buffer.from(sign, 'base64').toString('latin1')).not.toContain(SECRET_KEY);
  });

  it('defaults to an empty f (multi-use), the current time and a random nonce of up to 10 digits', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = split(
      createFilesV2Signature({
        appId: '1',
        bucket: 'b',
        secretId: SECRET_ID,
        secretKey: SECRET_KEY,
        expiresAt: 9,
      }),
    ).plain;
    const b = split(
      createFilesV2Signature({
        appId: '1',
        bucket: 'b',
        secretId: SECRET_ID,
        secretKey: SECRET_KEY,
        expiresAt: 9,
      }),
    ).plain;
    const match = /^a=1&b=b&k=AKIDEXAMPLE&e=9&t=(\d+)&r=(\d{1,10})&f=$/.exec(a);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(before);
    expect(Number(match![1])).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(a).not.toBe(b); // two random nonces
  });

  it("refuses a field with '&', which would make the plain text ambiguous", () => {
    let thrown: unknown;
    try {
      createFilesV2Signature({
        ...{ appId: '1', bucket: 'b', secretId: SECRET_ID, secretKey: SECRET_KEY, expiresAt: 0 },
        fileId: '/1/b/a&b.jpg',
      });
    } catch (err) {
      thrown = err;
    }
    expect(isCiValidationError(thrown) && thrown.field).toBe('fileId');
    expect(String((thrown as Error).message)).not.toContain(SECRET_KEY);
    const base = { appId: '1', bucket: 'b', secretId: SECRET_ID, secretKey: SECRET_KEY, expiresAt: 9 };
    expect(() => createFilesV2Signature({ ...base, nonce: '1&f=/x' })).toThrow(/nonce/);
    expect(() => createFilesV2Signature({ ...base, nonce: 12345678901 })).toThrow(/nonce/);
  });
});

describe('parseFilesV2Signature', () => {
  it('reads every field and the MAC, whatever the field order', () => {
    const orders = [
      'a=1250000000&b=bkt&k=AKIDEXAMPLE&e=1700000900&t=1700000000&r=42&f=/1250000000/bkt/x.jpg', // PHP
      'a=1250000000&b=bkt&k=AKIDEXAMPLE&t=1700000000&e=1700000900&r=42&f=/1250000000/bkt/x.jpg', // node v5
      'a=1250000000&k=AKIDEXAMPLE&e=1700000900&t=1700000000&r=42&f=/1250000000/bkt/x.jpg&b=bkt', // Python, Java
    ];
    for (const plain of orders) {
      const parsed = parseFilesV2Signature(handMade(plain))!;
      expect(parsed).toEqual({
        appId: '1250000000',
        bucket: 'bkt',
        secretId: 'AKIDEXAMPLE',
        expiresAt: 1_700_000_900,
        signedAt: 1_700_000_000,
        nonce: '42',
        fileId: '/1250000000/bkt/x.jpg',
        plain,
        mac: createHmac('sha1', SECRET_KEY).update(plain).digest(),
      });
    }
  });

  it('returns undefined for what is not a signature', () => {
    const bad = [
      '',
      'not base64 !',
      Buffer.alloc(20).toString('base64'),
      handMade('a=1&b=b&k=K&e=1&t=1'), // no r
      handMade('a=1&b=b&k=K&e=x&t=1&r=1&f='), // e not a number
      handMade('a=1&b=b&k=K&e=1&t=1&r=1&f=&a=2'), // duplicate field
      handMade('a=1&b=b&k=K&e=1&t=1&r=1&garbage'),
    ];
    for (const sign of bad) expect(parseFilesV2Signature(sign)).toBeUndefined();
  });
});

describe('verifyFilesV2Signature', () => {
  const base = {
    appId: '1250000000',
    bucket: 'bkt',
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    now: () => NOW_MS,
  };
  const fileId = filesV2FileId('1250000000', 'bkt', '相册/a b.jpg');

  it('accepts a valid multi-use signature and returns its fields', () => {
    const sign = createFilesV2Signature({ ...base, expiresAt: 1_700_000_900, nonce: 7 });
    expect(verifyFilesV2Signature(sign, { secretKeyFor: keys, now: () => NOW_MS })).toEqual({
      ok: true,
      singleUse: false,
      fields: {
        appId: '1250000000',
        bucket: 'bkt',
        secretId: SECRET_ID,
        expiresAt: 1_700_000_900,
        signedAt: 1_700_000_000,
        nonce: '7',
        fileId: '',
      },
    });
  });

  it('refuses a wrong key, an unknown id, a tampered byte and garbage', () => {
    const sign = createFilesV2Signature({ ...base, expiresAt: 1_700_000_900 });
    const verify = (s: string, secretKeyFor = keys) =>
      verifyFilesV2Signature(s, { secretKeyFor, now: () => NOW_MS });
    expect(verify(sign, () => 'other')).toEqual({ ok: false, reason: 'SIGNATURE_MISMATCH' });
    expect(verify(sign, () => undefined)).toEqual({ ok: false, reason: 'UNKNOWN_SECRET_ID' });
    const bytes = Buffer.from(sign, 'base64');
    const plain = bytes.subarray(20).toString();
    const longer = Buffer.concat([
      bytes.subarray(0, 20),
      Buffer.from(plain.replace('e=1700000900', 'e=1900000900')),
    ]);
    expect(verify(longer.toString('base64'))).toEqual({ ok: false, reason: 'SIGNATURE_MISMATCH' });
    expect(verify('%%%')).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('refuses an expired signature and accepts one that has not expired yet', () => {
    const sign = createFilesV2Signature({ ...base, expiresAt: 1_700_000_900 });
    const at = (sec: number) =>
      verifyFilesV2Signature(sign, { secretKeyFor: keys, now: () => sec * 1000 }).ok;
    expect(at(1_700_000_899)).toBe(true);
    expect(at(1_700_000_900)).toBe(false);
    expect(verifyFilesV2Signature(sign, { secretKeyFor: keys, now: () => 1_800_000_000_000 })).toEqual({
      ok: false,
      reason: 'EXPIRED',
    });
  });

  it('accepts e=0 only as a single-use signature bound to a file', () => {
    const once = createFilesV2Signature({ ...base, expiresAt: 0, fileId });
    const loose = createFilesV2Signature({ ...base, expiresAt: 0 });
    const far = { secretKeyFor: keys, now: () => 1_900_000_000_000 };
    expect(verifyFilesV2Signature(once, far)).toMatchObject({
      ok: true,
      singleUse: true,
      fields: { fileId },
    });
    expect(verifyFilesV2Signature(loose, far)).toEqual({ ok: false, reason: 'SINGLE_USE_WITHOUT_FILEID' });
  });

  it('checks the expected APPID, bucket and file id (f only when the signature names one)', () => {
    const bound = createFilesV2Signature({ ...base, expiresAt: 1_700_000_900, fileId });
    const multi = createFilesV2Signature({ ...base, expiresAt: 1_700_000_900 });
    const check = (s: string, expected: { appId?: string; bucket?: string; fileId?: string }) =>
      verifyFilesV2Signature(s, { secretKeyFor: keys, now: () => NOW_MS, expected });
    expect(check(bound, { appId: '1250000000', bucket: 'bkt', fileId }).ok).toBe(true);
    expect(check(bound, { appId: '1250000001' })).toEqual({ ok: false, reason: 'APPID_MISMATCH' });
    expect(check(bound, { bucket: 'other' })).toEqual({ ok: false, reason: 'BUCKET_MISMATCH' });
    expect(check(bound, { fileId: '/1250000000/bkt/other.jpg' })).toEqual({
      ok: false,
      reason: 'FILEID_MISMATCH',
    });
    expect(check(multi, { fileId: '/1250000000/bkt/other.jpg' }).ok).toBe(true);
  });
});

describe('against cos-nodejs-sdk-v5 getV4Auth (field order a,b,k,t,e,r,f)', () => {
  const cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY });

  it('parses and verifies the SDK signature, and signs the same fields to the same MAC', () => {
    for (const key of ['相册/a b.jpg', 'plain.png', 'dir/子 目录/😀 1.webp']) {
      const sdk = cos.getV4Auth({ Bucket: 'examplebucket-1250000000', Key: key, Expires: 600 });
      const parsed = parseFilesV2Signature(sdk)!;
      expect(parsed).toMatchObject({
        appId: '1250000000',
        bucket: 'examplebucket',
        secretId: SECRET_ID,
        fileId: filesV2FileId('1250000000', 'examplebucket', key),
      });
      expect(parsed.expiresAt - parsed.signedAt).toBe(600);
      expect(parsed.plain.startsWith('a=1250000000&b=examplebucket&k=AKIDEXAMPLE&t=')).toBe(true);
      expect(parsed.mac.equals(createHmac('sha1', SECRET_KEY).update(parsed.plain).digest())).toBe(true);
      expect(
        verifyFilesV2Signature(sdk, { secretKeyFor: keys, now: () => parsed.signedAt * 1000 }),
      ).toMatchObject({
        ok: true,
        fields: { fileId: parsed.fileId },
      });
      expect(verifyFilesV2Signature(sdk, { secretKeyFor: () => 'wrong' }).ok).toBe(false);

      const ours = parseFilesV2Signature(
        createFilesV2Signature({
          appId: parsed.appId,
          bucket: parsed.bucket,
          secretId: SECRET_ID,
          secretKey: SECRET_KEY,
          expiresAt: parsed.expiresAt,
          now: () => parsed.signedAt * 1000,
          nonce: parsed.nonce,
          fileId: parsed.fileId,
        }),
      )!;
      const fieldsOf = ({ plain: _p, mac: _m, ...fields }: typeof parsed) => fields;
      expect(fieldsOf(ours)).toEqual(fieldsOf(parsed));
      expect(ours.mac.equals(createHmac('sha1', SECRET_KEY).update(ours.plain).digest())).toBe(true);
    }
  });
});

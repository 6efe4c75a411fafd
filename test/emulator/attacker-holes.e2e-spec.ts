import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type COS from 'cos-nodejs-sdk-v5';
import sharp from 'sharp';
import { EMULATOR_DEV_CREDENTIALS } from '../../emulator';
import { quadrantJpeg } from '../../emulator/processing/test-images';
import { buildPicOperations } from '../../lib/core/pic-operations';
import { createFilesV2Signature } from '../../lib/protocol/files-v2';
import {
  rawRequest,
  REGION,
  type RawResponse,
  sdkFailure,
  sdkFor,
  signedHeaders,
  xmlField,
} from './support/emulator-test-kit';

// What an attacker tried against the emulator (issue 23), each refused as COS refuses it, on the ci-emulator
// binary as users start it (emulator/cli.ts in a child node), which must still serve afterwards.

const APPID = '1250000000';
const OPEN = `open-${APPID}`; // public-read-write
const PUBLIC = `public-${APPID}`; // public-read
const PRIVATE = `private-${APPID}`; // private (the default)
const hostOf = (bucket: string) => `${bucket}.cos.${REGION}.myqcloud.com`;

describe('the emulator CLI refuses what COS refuses, and keeps serving', () => {
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  let stderr = '';
  let exitCode: number | null | undefined;
  let cos: COS;
  let jpeg: Buffer;
  const port = () => Number(new URL(url).port);
  const raw = (options: Parameters<typeof rawRequest>[1]) => rawRequest({ port: port() } as never, options);

  beforeAll(async () => {
    const root = join(__dirname, '..', '..');
    child = spawn(
      process.execPath,
      [
        '-r',
        join(__dirname, 'support', 'register-ts.js'),
        join(root, 'emulator', 'cli.ts'),
        '--port',
        '0',
        '--quiet',
        '--app-id',
        APPID,
        '--bucket',
        OPEN,
        '--bucket',
        PUBLIC,
        '--bucket',
        PRIVATE,
        '--style',
        'thumb=imageMogr2/thumbnail/8x',
      ],
      { cwd: root, env: { ...process.env } },
    );
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => (exitCode = code));
    url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const match = /CI emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`ci-emulator exited early: ${stderr}`)));
    });
    cos = sdkFor({ url });
    jpeg = await quadrantJpeg(32, 32);
    await cos.putBucketAcl({ Bucket: OPEN, Region: REGION, ACL: 'public-read-write' });
    await cos.putBucketAcl({ Bucket: PUBLIC, Region: REGION, ACL: 'public-read' });
    await cos.putObject({ Bucket: PUBLIC, Region: REGION, Key: 'secret.jpg', Body: jpeg, ACL: 'private' });
    await cos.putObject({ Bucket: PUBLIC, Region: REGION, Key: 'shown.jpg', Body: jpeg });
  });

  afterAll(async () => {
    if (exitCode === undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  /** The process is up and answers a signed request as before. */
  async function expectStillServing(): Promise<void> {
    expect(exitCode).toBeUndefined();
    const head = await cos.headBucket({ Bucket: PUBLIC, Region: REGION });
    expect(head.statusCode).toBe(200);
  }

  it('an anonymous PUT with Pic-Operations may not write through a rule bucket into a private bucket: 403 AccessDenied', async () => {
    const put = (ruleBucket: string) =>
      raw({
        method: 'PUT',
        path: '/in.jpg',
        headers: {
          host: hostOf(OPEN),
          'content-length': jpeg.length,
          'pic-operations': buildPicOperations({
            rules: [{ bucket: ruleBucket, fileid: '/out.jpg', rule: 'imageMogr2/thumbnail/8x' }],
          }),
        },
        body: jpeg,
      });
    const refused = await put(PRIVATE);
    expect([refused.status, xmlField(refused.text, 'Code')]).toEqual([403, 'AccessDenied']);
    expect((await cos.getBucket({ Bucket: PRIVATE, Region: REGION })).Contents).toEqual([]);
    expect((await cos.getBucket({ Bucket: OPEN, Region: REGION })).Contents).toEqual([]);
    // The same upload writing its output into the public-read-write bucket itself is served.
    const served = await put(OPEN);
    expect(served.status).toBe(200);
    expect(xmlField(served.text, 'ProcessResults')).toContain('<Key>out.jpg</Key>');
    await expectStillServing();
  });

  it('an anonymous style URL of a private object in a public-read bucket: 403, as ?imageMogr2 and ?imageInfo', async () => {
    const get = (path: string) => raw({ method: 'GET', path, headers: { host: hostOf(PUBLIC) } });
    for (const path of [
      '/secret.jpg!thumb',
      '/secret.jpg?imageMogr2/thumbnail/8x',
      '/secret.jpg?imageInfo',
    ]) {
      const refused = await get(path);
      expect([path, refused.status, xmlField(refused.text, 'Code')]).toEqual([path, 403, 'AccessDenied']);
    }
    // The object's own ACL is what counts: a public object of the same bucket is served processed.
    const shown = await get('/shown.jpg!thumb');
    expect(shown.status).toBe(200);
    expect(shown.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(shown.body).metadata()).width).toBe(8);
    await expectStillServing();
  });

  // COS's PUT Object - Copy reference (tencentcloud.com/document/api/436/10881): read permission on the source
  // object (or its ACL public-read) and write permission on the destination bucket.
  it('an anonymous copy of a private object into a public-read-write bucket: 403; of a public one: served', async () => {
    const copy = (key: string) =>
      raw({
        method: 'PUT',
        path: `/copy-of-${key}`,
        headers: { host: hostOf(OPEN), 'x-cos-copy-source': `${hostOf(PUBLIC)}/${key}`, 'content-length': 0 },
      });
    const refused = await copy('secret.jpg');
    expect([refused.status, xmlField(refused.text, 'Code')]).toEqual([403, 'AccessDenied']);
    const served = await copy('shown.jpg');
    expect(served.status).toBe(200);
    const keys = (await cos.getBucket({ Bucket: OPEN, Region: REGION })).Contents.map((c) => c.Key);
    expect(keys).toContain('copy-of-shown.jpg');
    expect(keys).not.toContain('copy-of-secret.jpg');
    await expectStillServing();
  });

  it('a batch delete whose body is an entity-expansion bomb: 400 MalformedXML, nothing deleted', async () => {
    // 5000 references to a 5000-character entity: 25 MB once expanded, from a 25 KB body.
    const body =
      `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "${'x'.repeat(5000)}">]>` +
      `<Delete><Quiet>true</Quiet><Object><Key>shown.jpg${'&a;'.repeat(5000)}</Key></Object></Delete>`;
    const md5 = createHash('md5').update(body).digest('base64');
    const res = await raw({
      method: 'POST',
      path: '/?delete',
      headers: signedHeaders({
        method: 'POST',
        pathname: '/',
        query: { delete: '' },
        host: hostOf(PUBLIC),
        headers: {
          'content-md5': md5,
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
        },
      }),
      body,
    });
    expect([res.status, xmlField(res.text, 'Code')]).toEqual([400, 'MalformedXML']);
    expect((await cos.headObject({ Bucket: PUBLIC, Region: REGION, Key: 'shown.jpg' })).statusCode).toBe(200);
    await expectStillServing();
  });

  // COS's PUT Object tagging reference (cloud.tencent.cn/document/product/436/42997): a key "shorter than 128
  // bytes", a value "shorter than 256 bytes"; the object tag overview (tencentcloud.com/document/product/436/35665):
  // keys of 1-127 and values of 1-255 characters.
  it('tags past COS limits (a 128-byte key, a 256-byte or 1 MB value, in the body or x-cos-tagging): 400 InvalidTag', async () => {
    const tagging = (Key: string, Value: string) =>
      cos.putObjectTagging({ Bucket: PUBLIC, Region: REGION, Key: 'shown.jpg', Tags: [{ Key, Value }] });
    for (const [key, value] of [
      ['k'.repeat(128), 'v'],
      ['k', 'v'.repeat(256)],
      ['k', 'v'.repeat(1024 * 1024)],
    ]) {
      const refused = await sdkFailure(tagging(key, value));
      expect([refused.statusCode, refused.code]).toEqual([400, 'InvalidTag']);
    }
    const onPut = await sdkFailure(
      cos.putObject({
        Bucket: PUBLIC,
        Region: REGION,
        Key: 'tagged.txt',
        Body: 'x',
        Headers: { 'x-cos-tagging': `${'k'.repeat(128)}=v` },
      }),
    );
    expect([onPut.statusCode, onPut.code]).toEqual([400, 'InvalidTag']);
    const stored = await cos.getObjectTagging({ Bucket: PUBLIC, Region: REGION, Key: 'shown.jpg' });
    expect(stored.Tags).toEqual([]);
    // At the limits exactly, the tags are stored.
    await tagging('k'.repeat(127), 'v'.repeat(255));
    const atLimits = await cos.getObjectTagging({ Bucket: PUBLIC, Region: REGION, Key: 'shown.jpg' });
    expect(atLimits.Tags).toEqual([{ Key: 'k'.repeat(127), Value: 'v'.repeat(255) }]);
    await expectStillServing();
  });

  it('a files-v2 upload refused with -4018 before its body is read does not take the process down', async () => {
    const boundary = 'holes0boundary';
    const form = (file: Buffer) =>
      Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="op"\r\n\r\nupload\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="insertOnly"\r\n\r\n1\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="filecontent"; filename="f"\r\n\r\n`,
        ),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
    const upload = (file: Buffer): Promise<RawResponse> => {
      const body = form(file);
      return raw({
        method: 'POST',
        path: `/files/v2/${APPID}/public/big.bin`,
        headers: {
          host: `127.0.0.1:${port()}`,
          authorization: createFilesV2Signature({
            appId: APPID,
            bucket: 'public',
            secretId: EMULATOR_DEV_CREDENTIALS.secretId,
            secretKey: EMULATOR_DEV_CREDENTIALS.secretKey,
            expiresAt: Math.floor(Date.now() / 1000) + 600,
          }),
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
        },
        body,
      });
    };
    // Large enough that the refusal comes while the file part is still arriving.
    const big = Buffer.alloc(8 * 1024 * 1024, 7);
    expect((await upload(big)).status).toBe(200);
    const refused = await upload(big);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.text)).toMatchObject({ code: -4018 });
    await expectStillServing();
    expect(stderr).not.toMatch(/Unexpected end of file|Unhandled|uncaught/i);
  });
});

import { Test, type TestingModule } from '@nestjs/testing';
import { CiClient, CiService, isCiResponseError } from '../../lib';
import { getFederationTokenRequest } from '../../lib/protocol/sts';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from '../../testing';
import { photoJpeg } from '../support/images';
import { sdkFailure, sdkFor } from '../emulator/support/emulator-test-kit';

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    if (isCiResponseError(err)) return { status: err.statusCode, code: err.ciCode };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('temporary credentials (STS GetFederationToken) scoped to a prefix', () => {
  let moduleRef: TestingModule;
  let ci: CiService;
  let emulator: CiEmulator;
  const clients: CiClient[] = [];

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [CiTestingModule.forRoot()] }).compile();
    await moduleRef.init();
    ci = moduleRef.get(CiService);
    emulator = moduleRef.get(CI_EMULATOR);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await moduleRef.close();
  });

  function clientWith(keys: { secretId: string; secretKey: string; securityToken: string }) {
    const client = new CiClient({
      bucket: emulator.buckets[0]!,
      region: emulator.region,
      endpoint: emulator.url,
      credentials: keys,
      retry: { retries: 0 },
    });
    clients.push(client);
    return client;
  }

  it('issues keys that can upload under the prefix and nothing else', async () => {
    const keys = await ci.issueTemporaryCredentials({ prefix: 'uploads/user-42/', durationSeconds: 600 });
    expect(keys).toMatchObject({
      prefix: 'uploads/user-42/',
      bucket: emulator.buckets[0],
      region: emulator.region,
    });
    expect(keys.secretId).not.toBe(emulator.credentials[0]!.secretId);
    expect(keys.expiresAt).toBeGreaterThan(Date.now() + 590_000);
    const client = clientWith(keys);
    const jpeg = await photoJpeg(64, 48);

    const stored = await client.putObject('uploads/user-42/a.jpg', jpeg, { contentType: 'image/jpeg' });
    expect(stored.key).toBe('uploads/user-42/a.jpg');
    expect(emulator.listObjects(emulator.buckets[0]!).map((o) => o.key)).toEqual(['uploads/user-42/a.jpg']);

    expect(await failure(client.putObject('uploads/user-43/a.jpg', jpeg))).toEqual({
      status: 403,
      code: 'AccessDenied',
    });
    expect(await failure(client.putObject('a.jpg', jpeg))).toEqual({ status: 403, code: 'AccessDenied' });
    // Reading is not among the default (upload) actions, even under the prefix.
    expect(await failure(client.headObject('uploads/user-42/a.jpg'))).toEqual({
      status: 403,
      code: 'AccessDenied',
    });
    expect(emulator.listObjects(emulator.buckets[0]!).map((o) => o.key)).toEqual(['uploads/user-42/a.jpg']);

    // Without its security token the temporary SecretId is not accepted.
    const tokenless = clientWith({ ...keys, securityToken: '' });
    expect(await failure(tokenless.putObject('uploads/user-42/b.jpg', jpeg))).toEqual({
      status: 403,
      code: 'InvalidAccessKeyId',
    });
  });

  it('serve the official SDK (what mobile and mini-program clients use): inside the prefix only', async () => {
    const keys = await ci.issueTemporaryCredentials({ prefix: 'uploads/app/' });
    const cos = sdkFor(emulator, {
      SecretId: keys.secretId,
      SecretKey: keys.secretKey,
      SecurityToken: keys.securityToken,
    });
    const Bucket = emulator.buckets[0]!;
    const Body = await photoJpeg(48, 32);
    const put = await cos.putObject({ Bucket, Region: emulator.region, Key: 'uploads/app/sdk.jpg', Body });
    expect(put.statusCode).toBe(200);
    const outside = await sdkFailure(
      cos.putObject({ Bucket, Region: emulator.region, Key: 'other/sdk.jpg', Body }),
    );
    expect(outside).toMatchObject({ statusCode: 403, code: 'AccessDenied' });
    expect(emulator.listObjects(Bucket, 'uploads/app/').map((o) => o.key)).toEqual(['uploads/app/sdk.jpg']);
    expect(emulator.listObjects(Bucket, 'other/')).toEqual([]);
  });

  it('grants the actions asked for, and the keys stop working when they expire', async () => {
    const keys = await ci.issueTemporaryCredentials({
      prefix: 'shared/',
      actions: ['PutObject', 'HeadObject'],
      durationSeconds: 1,
    });
    const client = clientWith(keys);
    await client.putObject('shared/x.jpg', await photoJpeg(32, 32));
    expect((await client.headObject('shared/x.jpg')).key).toBe('shared/x.jpg');
    await new Promise((r) => setTimeout(r, 2100));
    // (A HEAD answer has no body to carry the code: the PUT's error envelope names it.)
    expect(await failure(client.putObject('shared/y.jpg', await photoJpeg(32, 32)))).toEqual({
      status: 400,
      code: 'ExpiredToken',
    });
  });

  it('refuses a request not signed by a known key, and a whole-bucket prefix before calling STS', async () => {
    const { host } = new URL(emulator.url);
    const forged = getFederationTokenRequest({
      secretId: emulator.credentials[0]!.secretId,
      secretKey: 'not-the-key',
      region: emulator.region,
      name: 'x',
      policy: { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:*'], resource: ['*'] }] },
      durationSeconds: 60,
      timestamp: Math.floor(Date.now() / 1000),
      host,
    });
    const res = await fetch(emulator.url + '/', {
      method: 'POST',
      headers: forged.headers,
      body: forged.body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ Response: { Error: { Code: 'AuthFailure.SignatureFailure' } } });
    await expect(ci.issueTemporaryCredentials({ prefix: '' })).rejects.toMatchObject({
      reason: 'OPTIONS_INVALID',
    });
  });
});

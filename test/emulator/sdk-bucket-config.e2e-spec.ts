import { type CiEmulator, startCiEmulator, storeOnlyPicProcessor } from '../../emulator';
import { BUCKET, rawRequest, REGION, sdkFailure, sdkFor, VIRTUAL_HOST } from './support/emulator-test-kit';

// Element names, values and the "no configuration" answers come from COS's API pages (PUT / GET / DELETE Bucket
// tagging, lifecycle, website, referer, logging, inventory, domain, origin, accelerate, replication, encryption,
// policy) and from cos-nodejs-sdk-v5 `sdk/base.js`: the body each put* method builds and the 404 code each get*
// method reads as "nothing configured" (NoSuchTagSet, NoSuchLifecycleConfiguration, NoSuchWebsiteConfiguration,
// NoSuchEncryptionConfiguration, NoSuchPolicy). The SDK's own suite (test/test.js) drives the same calls.
/** An SDK answer whose type declaration (cos-nodejs-sdk-v5 3.0 index.d.ts) names another field than it holds. */
async function untyped<T>(answer: Promise<unknown>): Promise<T> {
  return (await answer) as T;
}

describe('emulator with the official SDK: bucket configuration sub-resources (issue 23)', () => {
  let emulator: CiEmulator;
  let cos: ReturnType<typeof sdkFor>;
  const at = { Bucket: BUCKET, Region: REGION };

  beforeAll(async () => {
    emulator = await startCiEmulator({}, { picProcessor: storeOnlyPicProcessor });
    cos = sdkFor(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it('tagging, lifecycle, website: stored as sent, answered, removed (then the SDK reads "none")', async () => {
    const Tags = [
      { Key: 'k1', Value: 'v1' },
      { Key: 'k2', Value: 'v2' },
    ];
    await cos.putBucketTagging({ ...at, Tags });
    expect((await cos.getBucketTagging(at)).Tags).toEqual(Tags);
    await cos.deleteBucketTagging(at);
    const noTags = await cos.getBucketTagging(at);
    expect([noTags.statusCode, noTags.Tags]).toEqual([404, []]);

    const Rules = [
      {
        ID: '1',
        Filter: { Prefix: 'logs/' },
        Status: 'Enabled',
        Transition: { Days: 30, StorageClass: 'STANDARD_IA' },
      },
    ];
    await cos.putBucketLifecycle({ ...at, Rules } as never);
    expect((await cos.getBucketLifecycle(at)).Rules).toEqual([
      { ...Rules[0], Transition: { Days: '30', StorageClass: 'STANDARD_IA' } },
    ]);
    await cos.deleteBucketLifecycle(at);
    expect((await cos.getBucketLifecycle(at)).Rules).toEqual([]);

    const WebsiteConfiguration = {
      IndexDocument: { Suffix: 'index.html' },
      ErrorDocument: { Key: 'error.html' },
    };
    await cos.putBucketWebsite({ ...at, WebsiteConfiguration });
    expect((await cos.getBucketWebsite(at)).WebsiteConfiguration).toEqual(WebsiteConfiguration);
    await cos.deleteBucketWebsite(at);
    expect((await cos.getBucketWebsite(at)).WebsiteConfiguration).toEqual({});
  });

  it('logging (an empty PUT turns it off), accelerate, domain, origin, encryption, replication', async () => {
    const BucketLoggingStatus = { LoggingEnabled: { TargetBucket: BUCKET, TargetPrefix: 'logs/' } };
    expect((await cos.getBucketLogging(at)).BucketLoggingStatus).toBe('');
    await cos.putBucketLogging({ ...at, BucketLoggingStatus });
    expect((await cos.getBucketLogging(at)).BucketLoggingStatus).toEqual(BucketLoggingStatus);
    await cos.putBucketLogging({ ...at, BucketLoggingStatus: '' } as never);
    expect((await cos.getBucketLogging(at)).BucketLoggingStatus).toBe('');

    await cos.putBucketAccelerate({ ...at, AccelerateConfiguration: { Status: 'Enabled' } });
    expect(
      (await untyped<{ AccelerateConfiguration: unknown }>(cos.getBucketAccelerate(at)))
        .AccelerateConfiguration,
    ).toEqual({ Status: 'Enabled' });

    const DomainRule = [{ Status: 'ENABLED', Name: 'img.example.com', Type: 'REST' }];
    await cos.putBucketDomain({ ...at, DomainRule } as never);
    expect((await cos.getBucketDomain(at)).DomainRule).toEqual(DomainRule);
    await cos.deleteBucketDomain(at);
    const noDomain = await sdkFailure(cos.getBucketDomain(at));
    expect([noDomain.statusCode, noDomain.code]).toEqual([404, 'NoSuchDomainConfiguration']);

    const OriginRule = [
      {
        OriginType: 'Mirror',
        OriginCondition: { HTTPStatusCode: '404', Prefix: '' },
        OriginInfo: { HostInfo: { HostName: 'origin.example.com' } },
        RulePriority: '1',
      },
    ];
    await cos.putBucketOrigin({ ...at, OriginRule } as never);
    expect((await cos.getBucketOrigin(at)).OriginRule).toEqual(OriginRule);
    await cos.deleteBucketOrigin(at);
    expect((await sdkFailure(cos.getBucketOrigin(at))).statusCode).toBe(404);

    expect(
      (await untyped<{ EncryptionConfiguration: unknown }>(cos.getBucketEncryption(at)))
        .EncryptionConfiguration,
    ).toEqual({ Rules: [] });
    const Rule = [{ ApplySideEncryptionConfiguration: { SSEAlgorithm: 'AES256' } }];
    await cos.putBucketEncryption({ ...at, ServerSideEncryptionConfiguration: { Rule } } as never);
    // The GET answers <ServerSideEncryptionConfiguration> (COS's GET Bucket encryption page); SDK 3.0 reads an
    // `EncryptionConfiguration` element no answer holds, so its `Rules` stays empty: read the parsed answer itself.
    const encryption = await untyped<{ ServerSideEncryptionConfiguration: { Rule: unknown } }>(
      cos.getBucketEncryption(at),
    );
    expect(encryption.ServerSideEncryptionConfiguration.Rule).toEqual(Rule[0]);
    await cos.deleteBucketEncryption(at);
    expect(
      (await untyped<{ EncryptionConfiguration: unknown }>(cos.getBucketEncryption(at)))
        .EncryptionConfiguration,
    ).toEqual({ Rules: [] });

    // COS's PUT Bucket replication page: the bucket must have versioning enabled.
    const ReplicationConfiguration = {
      Role: 'qcs::cam::uin/100000000001:uin/100000000001',
      Rules: [
        {
          ID: 'r1',
          Status: 'Enabled',
          Prefix: 'sync/',
          Destination: { Bucket: `qcs::cos:${REGION}::${BUCKET}` },
        },
      ],
    };
    const unversioned = await sdkFailure(
      cos.putBucketReplication({ ...at, ReplicationConfiguration } as never),
    );
    expect([unversioned.statusCode, unversioned.code]).toEqual([400, 'InvalidRequest']);
    await cos.putBucketVersioning({ ...at, VersioningConfiguration: { Status: 'Enabled' } });
    await cos.putBucketReplication({ ...at, ReplicationConfiguration } as never);
    expect((await cos.getBucketReplication(at)).ReplicationConfiguration.Rules[0]!.ID).toBe('r1');
    await cos.deleteBucketReplication(at);
    // The SDK suite (test/test.js "deleteBucketReplication()", run against COS) expects a 404 error here, which
    // the SDK's own "no configuration" case (`ReplicationConfigurationnotFoundError`, lower-case n) would swallow.
    const noReplication = await sdkFailure(cos.getBucketReplication(at));
    expect([noReplication.statusCode, noReplication.code]).toEqual([
      404,
      'ReplicationConfigurationNotFoundError',
    ]);
  });

  it('inventory: one document per id, listed, deleted (404 NoSuchInventoryConfiguration after)', async () => {
    const inventory = (Id: string) => ({
      Id,
      IsEnabled: 'true',
      Destination: {
        COSBucketDestination: {
          Format: 'CSV',
          AccountId: '100000000001',
          Bucket: `qcs::cos:${REGION}::${BUCKET}`,
        },
      },
      Schedule: { Frequency: 'Daily' },
      IncludedObjectVersions: 'All',
      OptionalFields: ['Size', 'ETag'],
    });
    for (const Id of ['daily', 'weekly']) {
      await cos.putBucketInventory({ ...at, Id, InventoryConfiguration: inventory(Id) } as never);
    }
    expect((await cos.getBucketInventory({ ...at, Id: 'daily' })).InventoryConfiguration).toEqual(
      inventory('daily'),
    );
    const listed = await cos.listBucketInventory(at);
    expect(listed.InventoryConfigurations.map((c: { Id: string }) => c.Id).sort()).toEqual([
      'daily',
      'weekly',
    ]);
    expect(listed.IsTruncated).toBe('false');
    await cos.deleteBucketInventory({ ...at, Id: 'daily' });
    const gone = await sdkFailure(cos.getBucketInventory({ ...at, Id: 'daily' }));
    expect([gone.statusCode, gone.code]).toEqual([404, 'NoSuchInventoryConfiguration']);
    const mismatch = await sdkFailure(
      cos.putBucketInventory({ ...at, Id: 'other', InventoryConfiguration: inventory('daily') } as never),
    );
    expect([mismatch.statusCode, mismatch.code]).toEqual([400, 'MalformedXML']);
  });

  it('a document COS would refuse is 400 and changes nothing; a missing bucket is 404 NoSuchBucket', async () => {
    const bad = await sdkFailure(
      cos.putBucketLifecycle({ ...at, Rules: [{ ID: '1', Status: 'On', Filter: { Prefix: '' } }] } as never),
    );
    expect([bad.statusCode, bad.code]).toEqual([400, 'MalformedXML']);
    expect((await cos.getBucketLifecycle(at)).Rules).toEqual([]);
    const tooMany = await sdkFailure(
      cos.putBucketTagging({
        ...at,
        Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      }),
    );
    expect([tooMany.statusCode, tooMany.code]).toEqual([400, 'InvalidArgument']);
    const ghost = await sdkFailure(
      cos.putBucketTagging({ Bucket: 'ghost-1250000000', Region: REGION, Tags: [] }),
    );
    expect([ghost.statusCode, ghost.code]).toEqual([404, 'NoSuchBucket']);
  });

  it('GET Bucket location answers the region in LocationConstraint', async () => {
    expect((await cos.getBucketLocation(at)).LocationConstraint).toBe(REGION);
  });

  it('the configurations survive a restart over a data directory', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dataDir = mkdtempSync(join(tmpdir(), 'emu-config-'));
    try {
      const first = await startCiEmulator({ dataDir }, { picProcessor: storeOnlyPicProcessor });
      await sdkFor(first).putBucketTagging({ ...at, Tags: [{ Key: 'env', Value: 'dev' }] });
      await first.close();
      const second = await startCiEmulator({ dataDir }, { picProcessor: storeOnlyPicProcessor });
      expect((await sdkFor(second).getBucketTagging(at)).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('emulator: what the configurations do (issue 23)', () => {
  let emulator: CiEmulator;
  let cos: ReturnType<typeof sdkFor>;
  const at = { Bucket: BUCKET, Region: REGION };

  beforeAll(async () => {
    emulator = await startCiEmulator({}, { picProcessor: storeOnlyPicProcessor });
    cos = sdkFor(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  const anonymousGet = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(emulator, { method: 'GET', path, headers: { host: VIRTUAL_HOST, ...headers } });

  it('referer protection (COS PUT Bucket referer: White-List, wildcards, EmptyReferConfiguration) guards GET and HEAD', async () => {
    await cos.putObject({ ...at, Key: 'pic.jpg', Body: Buffer.from('pixels') });
    await cos.putBucketReferer({
      ...at,
      RefererConfiguration: {
        Status: 'Enabled',
        RefererType: 'White-List',
        DomainList: { Domains: ['*.example.com', 'shop.test:8080'] },
        EmptyReferConfiguration: 'Deny',
      },
    });
    const get = (referer?: string) =>
      cos.getObject({ ...at, Key: 'pic.jpg', Headers: referer ? { Referer: referer } : {} });
    expect((await get('https://www.example.com/page')).Body.toString()).toBe('pixels');
    expect((await get('http://shop.test:8080/')).statusCode).toBe(200);
    for (const referer of ['https://evil.test/', 'http://shop.test:9090/', undefined]) {
      const refused = await sdkFailure(get(referer));
      expect([referer, refused.statusCode, refused.code]).toEqual([referer, 403, 'AccessDenied']);
    }
    const head = await sdkFailure(
      cos.headObject({ ...at, Key: 'pic.jpg', Headers: { Referer: 'https://evil.test/' } }),
    );
    expect(head.statusCode).toBe(403);
    expect((await cos.getBucketReferer(at)).RefererConfiguration.DomainList).toEqual({
      Domains: ['*.example.com', 'shop.test:8080'],
    });
  });

  it('a bucket policy letting anyone GetObject (the console public-read form) opens a private bucket; deny wins', async () => {
    await cos.putObject({ ...at, Key: 'public/a.txt', Body: Buffer.from('a') });
    await cos.putObject({ ...at, Key: 'secret/b.txt', Body: Buffer.from('b') });
    expect((await anonymousGet('/public/a.txt')).status).toBe(403);
    // COS's "GET Bucket policy" / access policy pages: principal qcs::cam::anyone:anyone, action name/cos:GetObject.
    const resource = (path: string) => `qcs::cos:${REGION}:uid/1250000000:${BUCKET}/${path}`;
    await cos.putBucketPolicy({
      ...at,
      Policy: {
        version: '2.0',
        Statement: [
          {
            Principal: { qcs: ['qcs::cam::anyone:anyone'] },
            Effect: 'Allow',
            Action: ['name/cos:GetObject', 'name/cos:HeadObject'],
            Resource: [resource('*')],
          },
          {
            Principal: { qcs: ['qcs::cam::anyone:anyone'] },
            Effect: 'Deny',
            Action: ['name/cos:GetObject'],
            Resource: [resource('secret/*')],
          },
        ],
      },
    } as never);
    const open = await anonymousGet('/public/a.txt');
    expect([open.status, open.text]).toEqual([200, 'a']);
    expect((await anonymousGet('/secret/b.txt')).status).toBe(403);
    // Writing stays private: the policy only allows reads.
    const write = await rawRequest(emulator, {
      method: 'PUT',
      path: '/public/c.txt',
      headers: { host: VIRTUAL_HOST, 'content-length': 1 },
      body: 'c',
    });
    expect(write.status).toBe(403);
    const policy = await cos.getBucketPolicy(at);
    expect(policy.Policy.Statement).toHaveLength(2);
    await cos.deleteBucketPolicy(at);
    expect((await anonymousGet('/public/a.txt')).status).toBe(403);
    const none = await sdkFailure(cos.getBucketPolicy(at));
    expect([none.statusCode, none.error?.Code]).toEqual([404, 'NoSuchPolicy']);
  });

  it('default encryption (PUT Bucket encryption AES256) and x-cos-server-side-encryption are answered on objects', async () => {
    const plain = await cos.putObject({ ...at, Key: 'plain.txt', Body: Buffer.from('p') });
    expect(plain.headers?.['x-cos-server-side-encryption']).toBeUndefined();
    const explicit = await cos.putObject({
      ...at,
      Key: 'sm4.txt',
      Body: Buffer.from('s'),
      Headers: { 'x-cos-server-side-encryption': 'SM4' },
    } as never);
    expect(explicit.headers?.['x-cos-server-side-encryption']).toBe('SM4');
    await cos.putBucketEncryption({
      ...at,
      ServerSideEncryptionConfiguration: {
        Rule: [{ ApplySideEncryptionConfiguration: { SSEAlgorithm: 'AES256' } }],
      },
    } as never);
    const put = await cos.putObject({ ...at, Key: 'enc.txt', Body: Buffer.from('e') });
    expect(put.headers?.['x-cos-server-side-encryption']).toBe('AES256');
    expect((await cos.headObject({ ...at, Key: 'enc.txt' })).headers?.['x-cos-server-side-encryption']).toBe(
      'AES256',
    );
    const bad = await sdkFailure(
      cos.putObject({
        ...at,
        Key: 'x.txt',
        Body: Buffer.from('x'),
        Headers: { 'x-cos-server-side-encryption': 'rot13' },
      } as never),
    );
    expect([bad.statusCode, bad.code]).toEqual([400, 'InvalidArgument']);
    expect(emulator.listObjects(BUCKET).map((o) => o.key)).not.toContain('x.txt');
  });

  it('ARCHIVE objects need POST ?restore before GET (COS POST Object restore: 202, then 200; InvalidObjectState)', async () => {
    await cos.putObject({ ...at, Key: 'cold.bin', Body: Buffer.from('cold'), StorageClass: 'ARCHIVE' });
    const frozen = await sdkFailure(cos.getObject({ ...at, Key: 'cold.bin' }));
    expect([frozen.statusCode, frozen.code]).toEqual([403, 'InvalidObjectState']);
    const restore = () =>
      cos.restoreObject({
        ...at,
        Key: 'cold.bin',
        RestoreRequest: { Days: 2, CASJobParameters: { Tier: 'Expedited' } },
      });
    expect((await restore()).statusCode).toBe(202);
    const head = await cos.headObject({ ...at, Key: 'cold.bin' });
    expect(head.headers?.['x-cos-restore']).toMatch(/^ongoing-request="false", expiry-date=".+ GMT"$/);
    expect((await cos.getObject({ ...at, Key: 'cold.bin' })).Body.toString()).toBe('cold');
    expect((await restore()).statusCode).toBe(200);
    await cos.putObject({ ...at, Key: 'warm.bin', Body: Buffer.from('warm') });
    const warm = await sdkFailure(
      cos.restoreObject({
        ...at,
        Key: 'warm.bin',
        RestoreRequest: { Days: 1, CASJobParameters: { Tier: 'Standard' } },
      }),
    );
    expect([warm.statusCode, warm.code]).toEqual([403, 'InvalidObjectState']);
  });
});

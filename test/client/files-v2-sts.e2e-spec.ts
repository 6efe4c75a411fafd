/**
 * files-v2 and STS: the seed's request carries only `Authorization: <MultiEffectSignature>`, and the v4 signature
 * (`a=...&b=...&k=...&e=...&t=...&r=...&f=...`, protocol.md section 4) has no field for a session token; no source
 * this project found says how files-v2 carries one. A temporary key is therefore refused with a clear error instead
 * of being signed without its token (which CI would refuse, or worse, log as a bad signature).
 */
import { startCiEmulator, type CiEmulator } from '../../emulator';
import { CiClient } from '../../lib/client';

const bucket = 'stsbucket-1250000000';

describe('files-v2 with temporary (STS) credentials', () => {
  let emulator: CiEmulator;
  beforeAll(async () => {
    emulator = await startCiEmulator({ port: 0, buckets: [bucket], region: 'ap-guangzhou' });
  });
  afterAll(() => emulator.close());

  it('refuses static credentials with a securityToken when the client is built', () => {
    expect(
      () =>
        new CiClient({
          protocol: 'files-v2',
          bucket,
          region: 'gz',
          endpoint: emulator.url,
          credentials: { ...emulator.credentials[0]!, securityToken: 'token-1' },
        }),
    ).toThrow(expect.objectContaining({ reason: 'OPTIONS_INVALID', field: 'credentials.securityToken' }));
  });

  it('refuses a provider that answers a securityToken before anything is sent', async () => {
    const client = new CiClient({
      protocol: 'files-v2',
      bucket,
      region: 'gz',
      endpoint: emulator.url,
      credentials: () => ({ ...emulator.credentials[0]!, securityToken: 'token-1' }),
    });
    try {
      await expect(client.putObject('sts/a.txt', Buffer.from('x'))).rejects.toMatchObject({
        reason: 'OPTIONS_INVALID',
        message: expect.stringMatching(/files-v2.*session token/),
      });
      expect(emulator.requests.filter((r) => r.api === 'files-v2')).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

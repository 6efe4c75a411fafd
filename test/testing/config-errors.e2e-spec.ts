import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CiModule } from '../../lib';

/** What `nest new` + the README gives when the COS variables are not set: every option undefined. */
@Module({
  imports: [
    CiModule.forRoot({
      bucket: process.env.UNSET_COS_BUCKET!,
      region: process.env.UNSET_COS_REGION!,
      credentials: {
        secretId: process.env.UNSET_COS_SECRET_ID!,
        secretKey: process.env.UNSET_COS_SECRET_KEY!,
      },
    }),
  ],
})
class UnconfiguredAppModule {}

describe('a configuration error at boot', () => {
  it('names each bad field once, in one error', async () => {
    const error = (await Test.createTestingModule({ imports: [UnconfiguredAppModule] })
      .compile()
      .then(
        () => new Error('booted'),
        (e: unknown) => e,
      )) as Error & { code?: string };
    expect(error).toMatchObject({ name: 'CiValidationError', code: 'CI_VALIDATION' });
    expect(error.message.split('\n')).toEqual([
      'Invalid CiModule options:',
      '  - bucket must be <name>-<appid> (e.g. photos-1250000000)',
      '  - region must look like ap-guangzhou or be a short code such as gz',
      '  - credentials.secretId is required',
      '  - credentials.secretKey is required',
    ]);
  });
});

import { CiValidationError } from '../core/errors';
import { resolveCiModuleOptions } from './upload-options.validation';

const valid = {
  bucket: 'photos-1250000000',
  region: 'ap-guangzhou',
  credentials: { secretId: 'AKIDVALID', secretKey: 'do-not-print-this-secret' },
};

describe('resolveCiModuleOptions', () => {
  it('fills in the defaults', () => {
    const resolved = resolveCiModuleOptions(valid);
    expect(resolved).toMatchObject({
      keyPrefix: 'uploads',
      isPicInfo: true,
      strictRules: false,
      allowedFormats: ['jpeg', 'png', 'gif', 'webp', 'bmp', 'heif'],
      limits: { fileSize: 20 * 1024 * 1024, files: 10, fields: 20 },
    });
  });

  it('names every bad field in one message and never prints a secret', () => {
    let error: unknown;
    try {
      resolveCiModuleOptions({
        bucket: 'photos',
        region: 'Guangzhou',
        credentials: { secretId: '', secretKey: 'do-not-print-this-secret' },
        protocol: 'v3' as never,
        limits: { fileSize: -1 },
        styles: { broken: 'imageMogr2/quality/900' },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CiValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/bucket must be <name>-<appid>/);
    expect(message).toMatch(/region must look like ap-guangzhou/);
    expect(message).toMatch(/credentials.secretId is required/);
    expect(message).toMatch(/protocol must be/);
    expect(message).toMatch(/limits.fileSize/);
    expect(message).toMatch(/styles.broken/);
    expect(message).not.toContain('do-not-print-this-secret');
  });

  it('accepts a credentials provider function', () => {
    expect(() =>
      resolveCiModuleOptions({ ...valid, credentials: async () => valid.credentials }),
    ).not.toThrow();
  });

  it('refuses missing credentials', () => {
    expect(() => resolveCiModuleOptions({ ...valid, credentials: undefined as never })).toThrow(
      /credentials/,
    );
  });

  it('checks stsEndpoint as an origin', () => {
    expect(() => resolveCiModuleOptions({ ...valid, stsEndpoint: 'http://127.0.0.1:9000' })).not.toThrow();
    expect(() => resolveCiModuleOptions({ ...valid, stsEndpoint: 'sts.example.com/path' })).toThrow(
      /stsEndpoint must be an origin/,
    );
  });
});

import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateIf,
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { CiValidationError } from '../core/errors';
import { resolveObjectHeaders } from './object-headers.resolver';
import { CI_DECODABLE_FORMATS } from '../core/media';
import { buildPicOperations } from '../core/pic-operations';
import { SHORT_REGION_CODES } from '../protocol/files-v2/region';
import { CI_DEFAULT_RECHECK_MS } from './leftover-cleaner';
import type { CiUploaderOptions } from './upload.options';

/** Default largest file: CI's documented limit for processing on upload (20 MB). */
export const CI_DEFAULT_FILE_SIZE = 20 * 1024 * 1024;

/** Default of `shutdownTimeoutMs`. */
export const CI_DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

const REGION = new RegExp(`^([a-z]+(-[a-z0-9]+)+|${Object.keys(SHORT_REGION_CODES).join('|')})$`);
const KNOWN_FORMATS = ['jpeg', 'png', 'gif', 'webp', 'bmp', 'heif', 'avif', 'tiff'];

class CredentialsSchema {
  @IsString({ message: 'credentials.secretId is required' })
  @IsNotEmpty({ message: 'credentials.secretId is required' })
  secretId!: string;

  @IsString({ message: 'credentials.secretKey is required' })
  @IsNotEmpty({ message: 'credentials.secretKey is required' })
  secretKey!: string;

  @IsOptional()
  @IsString({ message: 'credentials.securityToken must be a string' })
  securityToken?: string;
}

class LimitsSchema {
  @IsOptional()
  @IsInt()
  @Min(1)
  fileSize?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  files?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  fields?: number;
}

class CiModuleOptionsSchema {
  @IsOptional()
  @IsIn(['cos-v5', 'files-v2'], { message: 'protocol must be "cos-v5" or "files-v2"' })
  protocol?: string;

  @IsString({ message: 'bucket is required, as <name>-<appid>' })
  @Matches(/^[a-z0-9][a-z0-9-]*-\d+$/, { message: 'bucket must be <name>-<appid> (e.g. photos-1250000000)' })
  bucket!: string;

  @IsString({ message: 'region is required (e.g. ap-guangzhou)' })
  @Matches(REGION, { message: 'region must look like ap-guangzhou or be a short code such as gz' })
  region!: string;

  @IsOptional()
  @Matches(/^\d+$/, { message: 'appId must be digits' })
  appId?: string;

  @ValidateIf((o: { credentials?: unknown }) => typeof o.credentials !== 'function')
  @ValidateNested()
  @Type(() => CredentialsSchema)
  credentials!: CredentialsSchema;

  @IsOptional()
  @Matches(/^https?:\/\/[^/\s]+\/?$/, { message: 'endpoint must be an origin such as http://127.0.0.1:9000' })
  endpoint?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^/\s]+\/?$/, {
    message: 'stsEndpoint must be an origin such as https://sts.tencentcloudapi.com',
  })
  stsEndpoint?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => LimitsSchema)
  limits?: LimitsSchema;

  @IsOptional()
  @IsArray()
  @IsIn(KNOWN_FORMATS, { each: true, message: `allowedFormats may hold ${KNOWN_FORMATS.join(', ')}` })
  allowedFormats?: string[];

  @IsOptional()
  @IsString()
  @Matches(/^[^/].*[^/]$|^[^/]$/, { message: 'keyPrefix must not start or end with /' })
  keyPrefix?: string;

  @IsOptional()
  @IsBoolean()
  isPicInfo?: boolean;

  @IsOptional()
  @IsInt({ message: 'shutdownTimeoutMs must be an integer number of ms' })
  @Min(0, { message: 'shutdownTimeoutMs must be >= 0' })
  shutdownTimeoutMs?: number;

  @IsOptional()
  @IsInt({ message: 'unknownOutcomeRecheckMs must be an integer number of ms' })
  @Min(0, { message: 'unknownOutcomeRecheckMs must be >= 0' })
  unknownOutcomeRecheckMs?: number;

  @IsOptional()
  @Matches(/^https?:\/\/[^/\s]+(\/[^\s?#]*)?$/, {
    message: 'publicDomain must be an http(s) origin such as https://img.example.com',
  })
  publicDomain?: string;

  @IsOptional()
  @IsIn(['!', '-', '_', '/'], { message: 'styleSeparator must be one of ! - _ /' })
  styleSeparator?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^/\s]+\/?$/, {
    message: 'filesV2Endpoint must be an origin such as https://cd.image.myqcloud.com',
  })
  filesV2Endpoint?: string;

  @IsOptional()
  @IsBoolean({ message: 'insertOnly must be true or false' })
  insertOnly?: boolean;
}

/** Module options after validation, with every default filled in. */
export type ResolvedCiModuleOptions<T extends CiUploaderOptions = CiUploaderOptions> = T &
  Required<
    Pick<
      CiUploaderOptions,
      | 'allowedFormats'
      | 'keyPrefix'
      | 'isPicInfo'
      | 'styles'
      | 'strictRules'
      | 'shutdownTimeoutMs'
      | 'unknownOutcomeRecheckMs'
    >
  > & {
    limits: { fileSize: number; files: number; fields: number };
  };

function describeErrors(errors: ValidationError[], prefix = ''): string[] {
  // Only constraint messages: a ValidationError also carries the offending value, which may be a secret.
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(path) ? m : `${path}: ${m}`));
    return [...own, ...describeErrors(e.children ?? [], path)];
  });
}

/**
 * Validates module options once, at start-up, and fills in defaults. Throws one `CiValidationError` whose
 * message names every bad field; secrets never appear in it.
 */
export function resolveCiModuleOptions<T extends CiUploaderOptions>(options: T): ResolvedCiModuleOptions<T> {
  const schema = plainToInstance(CiModuleOptionsSchema, { ...options }, { enableImplicitConversion: false });
  // One message per field (the first failing rule), each once: a missing value fails several rules at once.
  const problems = [
    ...new Set(describeErrors(validateSync(schema, { forbidUnknownValues: false, stopAtFirstError: true }))),
  ];
  if (!options.credentials) problems.push('credentials: give { secretId, secretKey } or a provider function');
  const styles = options.styles ?? {};
  for (const [name, rule] of Object.entries(styles)) {
    try {
      buildPicOperations({ rules: [{ fileid: 'style-check.jpg', rule }], strictRules: options.strictRules });
    } catch (err) {
      problems.push(`styles.${name}: ${(err as Error).message}`);
    }
  }
  try {
    resolveObjectHeaders(options, undefined, 'object');
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length) {
    throw new CiValidationError(
      'OPTIONS_INVALID',
      `Invalid CiModule options:\n  - ${problems.join('\n  - ')}`,
      {
        field: problems.length === 1 ? problems[0]!.split(':')[0] : undefined,
      },
    );
  }
  return {
    ...options,
    allowedFormats: options.allowedFormats ?? [...CI_DECODABLE_FORMATS],
    keyPrefix: options.keyPrefix ?? 'uploads',
    isPicInfo: options.isPicInfo ?? true,
    styles,
    strictRules: options.strictRules ?? false,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? CI_DEFAULT_SHUTDOWN_TIMEOUT_MS,
    unknownOutcomeRecheckMs: options.unknownOutcomeRecheckMs ?? CI_DEFAULT_RECHECK_MS,
    limits: {
      fileSize: options.limits?.fileSize ?? CI_DEFAULT_FILE_SIZE,
      files: options.limits?.files ?? 10,
      fields: options.limits?.fields ?? 20,
    },
  };
}

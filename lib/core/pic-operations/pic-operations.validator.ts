import { CiValidationError } from '../errors';
import { hasControlChar, hasLoneSurrogate } from '../rules/text-checks';

/** COS's limit on an object key, in UTF-8 bytes. */
export const COS_MAX_KEY_BYTES = 850;
/** CI's limit on rules per `Pic-Operations` header. */
export const CI_MAX_RULES = 5;

const BUCKET = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-\d+$/;

/**
 * Checks a `fileid` (the output key of a rule): not empty (`FILEID_EMPTY`), no control character
 * (`FILEID_CONTROL_CHAR`), no lone surrogate (`FILEID_NOT_HEADER_SAFE`), not ending in `/`
 * (`FILEID_TRAILING_SLASH`), no empty, `.` or `..` segment (`FILEID_BAD_SEGMENT`; one leading `/` is allowed and
 * means absolute), at most {@link COS_MAX_KEY_BYTES} UTF-8 bytes (`FILEID_TOO_LONG`).
 * @param field where the fileid sits, for the error (`rules[2].fileid`). Default `fileid`.
 */
export function validateFileId(fileid: unknown, field = 'fileid'): void {
  const fail = (reason: ConstructorParameters<typeof CiValidationError>[0], message: string): never => {
    throw new CiValidationError(reason, `Pic-Operations ${field}: ${message}`, { field });
  };
  if (typeof fileid !== 'string')
    fail('OPTIONS_INVALID', `must be a string, got ${fileid === null ? 'null' : typeof fileid}`);
  const id = fileid as string;
  if (id.length === 0) fail('FILEID_EMPTY', 'is empty');
  if (hasControlChar(id)) fail('FILEID_CONTROL_CHAR', `${JSON.stringify(id)} has a control character`);
  if (hasLoneSurrogate(id))
    fail('FILEID_NOT_HEADER_SAFE', `${JSON.stringify(id)} has a lone UTF-16 surrogate`);
  if (id.endsWith('/'))
    fail('FILEID_TRAILING_SLASH', `${JSON.stringify(id)} ends with "/", so its file name is empty`);
  const path = id.startsWith('/') ? id.slice(1) : id;
  const segment = path.split('/').find((s) => s === '' || s === '.' || s === '..');
  if (segment !== undefined) {
    fail(
      'FILEID_BAD_SEGMENT',
      `${JSON.stringify(id)} has ${segment === '' ? 'an empty segment ("//")' : `a "${segment}" segment`}`,
    );
  }
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > COS_MAX_KEY_BYTES)
    fail('FILEID_TOO_LONG', `is ${bytes} UTF-8 bytes, over COS's ${COS_MAX_KEY_BYTES}`);
}

/**
 * Checks a target bucket: `<name>-<appid>`, the name lower-case letters, digits and hyphens (not at either end),
 * the appid digits (`BUCKET_INVALID`).
 * @param field where the bucket sits, for the error (`rules[2].bucket`). Default `bucket`.
 */
export function validateBucket(bucket: unknown, field = 'bucket'): void {
  if (typeof bucket !== 'string' || !BUCKET.test(bucket)) {
    throw new CiValidationError(
      'BUCKET_INVALID',
      `Pic-Operations ${field}: ${typeof bucket === 'string' ? JSON.stringify(bucket) : typeof bucket} is not ` +
        '<name>-<appid> (name in lower-case letters, digits and hyphens; appid in digits)',
      { field },
    );
  }
}

/** Checks the number of rules against `max` (`TOO_MANY_RULES`, field `rules`). */
export function validateRuleCount(count: number, max: number): void {
  if (count > max) {
    throw new CiValidationError(
      'TOO_MANY_RULES',
      `Pic-Operations rules: ${count} rules, CI allows at most ${max}`,
      {
        field: 'rules',
      },
    );
  }
}

/** Re-throws a rule error with its place in the header: `field` `rules[i].rule`, the index in the message. */
export function ruleError(error: unknown, index: number): unknown {
  if (!(error instanceof CiValidationError)) return error;
  const field = `rules[${index}].rule`;
  return new CiValidationError(error.reason, `Pic-Operations ${field}: ${error.message}`, {
    field,
    cause: error,
  });
}

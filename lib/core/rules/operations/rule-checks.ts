import { CiValidationError } from '../../errors';
import { CI_GRAVITIES, CI_OUTPUT_FORMATS } from '../rule.types';
import { hasLoneSurrogate, isRuleToken } from '../text-checks';
import { decodeUrlSafeBase64 } from '../url-safe-base64';

/** An operation or parameter name: what an unknown operation must look like to be kept. */
export const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const INT = /^-?\d+$/;
const HEX_COLOR = /^#[0-9A-Fa-f]{6}$/;
const GRAVITIES: ReadonlySet<string> = new Set(CI_GRAVITIES);
const FORMATS: ReadonlySet<string> = new Set(CI_OUTPUT_FORMATS);

/** @internal A value as it reads in an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : typeof value;
}

/** @internal Throws `RULE_MALFORMED` naming the place. */
export function malformed(where: string, message: string): never {
  throw new CiValidationError('RULE_MALFORMED', `${where}: ${message}`);
}

/** @internal Throws `RULE_UNKNOWN_OPERATION` (strict parsing). */
export function unknownInStrictMode(message: string): never {
  throw new CiValidationError(
    'RULE_UNKNOWN_OPERATION',
    `${message} (strict mode refuses what it does not know)`,
  );
}

/** @internal Reads an integer token. */
export function readInt(where: string, label: string, token: string): number {
  const value = Number(token);
  if (!INT.test(token) || !Number.isSafeInteger(value)) {
    malformed(where, `${label ? `${label} ` : ''}${JSON.stringify(token)} is not an integer`);
  }
  return value;
}

/** @internal Reads a URL-safe base64 token as UTF-8 text. */
export function readBase64(where: string, label: string, token: string): string {
  const text = decodeUrlSafeBase64(token);
  if (text === undefined)
    malformed(where, `${label} ${JSON.stringify(token)} is not URL-safe base64 of UTF-8 text`);
  return text;
}

/** @internal Checks an integer in `min..max`. */
export function expectInt(where: string, label: string, value: unknown, min: number, max?: number): void {
  if (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value >= min &&
    (max === undefined || value <= max)
  ) {
    return;
  }
  const expected =
    max !== undefined
      ? `an integer in ${min}..${max}`
      : min === 1
        ? 'a positive integer'
        : min === 0
          ? 'a non-negative integer'
          : `an integer >= ${min}`;
  malformed(where, `${label ? `${label} ` : ''}${show(value)} is not ${expected}`);
}

/** @internal Checks an optional integer in `min..max`. */
export function expectOptionalInt(
  where: string,
  label: string,
  value: unknown,
  min: number,
  max?: number,
): void {
  if (value !== undefined) expectInt(where, label, value, min, max);
}

/** @internal Checks one of a fixed set of values. */
export function expectOneOf(where: string, label: string, value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) {
    malformed(where, `${label} ${show(value)} is not one of ${allowed.map((a) => String(a)).join(', ')}`);
  }
}

/** @internal Checks an optional boolean. */
export function expectOptionalBoolean(where: string, label: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean')
    malformed(where, `${label} ${show(value)} is not a boolean`);
}

/** @internal Checks an optional nine-grid gravity. */
export function expectGravity(where: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || !GRAVITIES.has(value))) {
    malformed(where, `gravity ${show(value)} is not one of ${CI_GRAVITIES.join(', ')}`);
  }
}

/**
 * @internal Checks an output format: a documented one, or (passed through, CI documents more over time) a lower-case
 * format name; {@link expectKnownFormat} refuses the latter under strict parsing.
 */
export function expectFormat(where: string, value: unknown): void {
  if (typeof value !== 'string' || (!FORMATS.has(value) && !/^[a-z0-9]{2,10}$/.test(value))) {
    malformed(where, `format ${show(value)} is not a format name (${CI_OUTPUT_FORMATS.join(', ')}, ...)`);
  }
}

/** @internal Under strict parsing, refuses an output format CI does not document. */
export function expectKnownFormat(where: string, value: string | undefined, strict: boolean): void {
  if (strict && value !== undefined && !FORMATS.has(value)) {
    unknownInStrictMode(`${where}: format ${show(value)} is not one of ${CI_OUTPUT_FORMATS.join(', ')}`);
  }
}

/** @internal Checks an optional `#RRGGBB` colour. */
export function expectColor(where: string, label: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || !HEX_COLOR.test(value))) {
    malformed(where, `${label} ${show(value)} is not a #RRGGBB colour`);
  }
}

/** @internal Checks non-empty text that UTF-8 can carry. */
export function expectText(where: string, label: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0)
    malformed(where, `${label} must be a non-empty string`);
  if (hasLoneSurrogate(value)) malformed(where, `${label} has a lone UTF-16 surrogate`);
}

/** @internal Checks an absolute http(s) URL. */
export function expectHttpUrl(where: string, label: string, value: unknown): void {
  expectText(where, label, value);
  let url: URL | undefined;
  try {
    url = new URL(value as string);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    malformed(where, `${label} ${show(value)} is not an absolute http(s) URL`);
  }
}

/** @internal Checks one segment of a rule. */
export function expectToken(where: string, label: string, value: unknown): void {
  if (typeof value !== 'string' || !isRuleToken(value)) {
    malformed(where, `${label} ${show(value)} must be non-empty, without "/", "|" or control characters`);
  }
}

/** @internal Checks an operation or parameter name. */
export function expectName(where: string, label: string, value: unknown): void {
  if (typeof value !== 'string' || !OPERATION_NAME.test(value)) {
    malformed(
      where,
      `${label} ${show(value)} is not an operation name (a letter, then letters, digits, "-" or "_")`,
    );
  }
}

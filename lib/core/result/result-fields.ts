import type { CiRawFields } from './image-info';

/** @internal The fields of `record` not named in `known`, as received (what a typed result keeps in `raw`). */
export function rawFieldsOf(record: object | undefined, known: readonly string[]): CiRawFields {
  return Object.fromEntries(Object.entries(record ?? {}).filter(([name]) => !known.includes(name)));
}

/** @internal Copies the defined values of `fields` onto `target`: an absent field stays absent, not `undefined`. */
export function assignDefined<T extends object>(target: T, fields: Partial<T>): T {
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) (target as Record<string, unknown>)[name] = value;
  }
  return target;
}

/** @internal A JSON value as text: a string, or a finite number written out; anything else `undefined`. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** @internal A JSON value as a number: a finite number, or a numeric string (CI sends both). */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

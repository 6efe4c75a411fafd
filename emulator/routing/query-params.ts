import { cosErrors } from '../errors/cos-errors';

/**
 * The query string of a request, decoded. Names keep their case (`uploadId`, `partNumber`); a parameter
 * without `=` (`?uploads`) has the value `''`. `+` stays a plus sign: COS clients encode spaces as `%20`.
 */
export class QueryParams {
  private constructor(
    /** Every parameter in order, duplicates included. */
    readonly entries: ReadonlyArray<readonly [name: string, value: string]>,
  ) {}

  /** Parses a raw query string (without `?`); 400 `InvalidURI` on a bad percent-escape. */
  static parse(raw: string): QueryParams {
    const entries: Array<readonly [string, string]> = [];
    for (const part of raw.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      try {
        entries.push([decodeURIComponent(name), decodeURIComponent(value)]);
      } catch {
        throw cosErrors.invalidUri(`The query parameter "${part}" is not correctly percent-encoded.`);
      }
    }
    return new QueryParams(entries);
  }

  /** True when the parameter is present (with or without a value). */
  has(name: string): boolean {
    return this.entries.some(([n]) => n === name);
  }

  /** The first value of a parameter. */
  get(name: string): string | undefined {
    return this.entries.find(([n]) => n === name)?.[1];
  }

  /** Parameter names, without duplicates. */
  names(): string[] {
    return [...new Set(this.entries.map(([n]) => n))];
  }
}

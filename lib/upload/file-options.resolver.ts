import { CiValidationError } from '../core/errors';
import type { CiObjectHeaders } from '../core/object';
import { resolveObjectHeaders } from './object-headers.resolver';
import { compileProcessing, type CompiledProcessing, type ProcessingDefaults } from './processing.compiler';
import type { ResolvedCiModuleOptions } from './upload-options.validation';
import type { CiKeyContext, CiRequestOption, CiRouteProcessing, CiUploadRule } from './upload.options';

/** What one file is uploaded with: its processing, the headers stored with it, and whether it may overwrite. */
export interface CiFileOptions {
  processing: CompiledProcessing;
  /** Wire headers stored with the original (see `resolveObjectHeaders`). Default: none. */
  headers?: Record<string, string>;
  /** Refuse to overwrite an existing object. Default: the client's `insertOnly`. */
  insertOnly?: boolean;
}

/** The options of one file, fixed or computed from the request and the file once its type is known. */
export type CiFileOptionsSource<TRequest = unknown> =
  CiFileOptions | ((request: TRequest, file: CiKeyContext) => Promise<CiFileOptions>);

/** The options of a route or field that may be computed per request. */
export interface CiRouteFileOptions extends CiRouteProcessing {
  object?: CiRequestOption<CiObjectHeaders>;
  insertOnly?: CiRequestOption<boolean>;
}

/**
 * Compiles what is fixed once (an invalid value fails the start-up, naming `where`) and returns either the
 * fixed options or a resolver that calls the route's functions for each file and validates what they return
 * (an invalid value fails that request with `CiValidationError`, naming `where`).
 */
export function compileFileOptions(
  route: CiRouteFileOptions,
  module: ResolvedCiModuleOptions,
  where: string,
): CiFileOptionsSource {
  const defaults: ProcessingDefaults = {
    isPicInfo: module.isPicInfo,
    styles: module.styles,
    strictRules: module.strictRules,
  };
  const processing = (rules: CiUploadRule[] | undefined) =>
    compileProcessing({ isPicInfo: route.isPicInfo, rules }, defaults, where);
  const headers = (object: CiObjectHeaders | undefined) =>
    resolveObjectHeaders(module, object, `${where}.object`);
  const insertOnly = (value: boolean | undefined) => {
    if (value === undefined || typeof value === 'boolean') return value;
    throw new CiValidationError('OPTIONS_INVALID', `${where}.insertOnly must be true or false`, {
      field: `${where}.insertOnly`,
    });
  };
  const parts = {
    processing: perRequest(route.rules, processing),
    headers: perRequest(route.object, headers),
    insertOnly: perRequest(route.insertOnly, insertOnly),
  };
  if (parts.processing.fixed && parts.headers.fixed && parts.insertOnly.fixed) {
    return {
      processing: parts.processing.value,
      headers: parts.headers.value,
      insertOnly: parts.insertOnly.value,
    };
  }
  return async (request, file) => ({
    processing: await valueOf(parts.processing, request, file),
    headers: await valueOf(parts.headers, request, file),
    insertOnly: await valueOf(parts.insertOnly, request, file),
  });
}

/** An option checked now (fixed), or a function whose every result is checked when it is called. */
type Part<R> =
  { fixed: true; value: R } | { fixed: false; resolve: (request: unknown, file: CiKeyContext) => Promise<R> };

function perRequest<T, R>(
  option: CiRequestOption<T> | undefined,
  check: (value: T | undefined) => R,
): Part<R> {
  if (typeof option !== 'function') return { fixed: true, value: check(option) };
  const compute = option as (req: never, file: CiKeyContext) => T | Promise<T>;
  return { fixed: false, resolve: async (request, file) => check(await compute(request as never, file)) };
}

function valueOf<R>(part: Part<R>, request: unknown, file: CiKeyContext): R | Promise<R> {
  return part.fixed ? part.value : part.resolve(request, file);
}

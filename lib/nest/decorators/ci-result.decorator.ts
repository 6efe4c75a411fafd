import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * Injects the typed result of a single-file `@CiUpload` route (`req.ciResult`).
 *
 * @example
 * upload(@CiResult() result: CiUploadResult) { return result.imageInfo.processResults; }
 */
export const CiResult = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<{ ciResult?: unknown }>().ciResult;
});

/**
 * Injects the results of a many-file `@CiUpload` route: all fields (`req.ciResults`), or one field's array.
 *
 * @example
 * gallery(@CiResults('files') files: CiUploadResult[]) { return files.length; }
 */
export const CiResults = createParamDecorator((field: string | undefined, ctx: ExecutionContext) => {
  const results = ctx.switchToHttp().getRequest<{ ciResults?: Record<string, unknown[]> }>().ciResults ?? {};
  return field ? (results[field] ?? []) : results;
});

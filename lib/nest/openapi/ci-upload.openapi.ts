import type * as Swagger from '@nestjs/swagger';
import { CiUploadResultDto } from './ci-result.dto';

/** What the OpenAPI description of an upload route needs from `@CiUpload`'s arguments. */
export type CiUploadOpenApiInput =
  { field: string; maxCount?: number } | { fields: ReadonlyArray<{ name: string; maxCount?: number }> };

type SchemaObject = Record<string, unknown>;

let swagger: typeof Swagger | null | undefined;

/** @nestjs/swagger when the app has it (an optional peer), else `null`; loaded once. */
function loadSwagger(): typeof Swagger | null {
  if (swagger === undefined) {
    try {
      // Synchronous on purpose: decorators run while the class is defined. Node >= 20.19 require()s ESM.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      swagger = require('@nestjs/swagger') as typeof Swagger;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (
        (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') ||
        !/@nestjs\/swagger/.test(String(error))
      )
        throw error;
      swagger = null;
    }
  }
  return swagger;
}

const binary = { type: 'string', format: 'binary' };

/** One form field: one image file, or (`maxCount` given) up to that many. */
function fileProperty(maxCount: number | undefined): SchemaObject {
  return maxCount === undefined
    ? { ...binary, description: 'An image file' }
    : { type: 'array', items: binary, maxItems: maxCount, description: `Up to ${maxCount} image files` };
}

/** The multipart request body of an upload route. */
export function ciUploadRequestSchema(input: CiUploadOpenApiInput): SchemaObject {
  if ('field' in input) {
    return {
      type: 'object',
      required: [input.field],
      properties: {
        [input.field]: fileProperty(input.maxCount),
      },
    };
  }
  return {
    type: 'object',
    // A field of the many-fields form takes one file unless its maxCount says more.
    properties: Object.fromEntries(
      input.fields.map((f) => [f.name, fileProperty(f.maxCount && f.maxCount > 1 ? f.maxCount : undefined)]),
    ),
  };
}

/**
 * The OpenAPI decorators of a `@CiUpload` route: `multipart/form-data` body with its file fields (`format:
 * binary`, `maxItems` from `maxCount`), a 201 response of {@link CiUploadResultDto} (one, an array, or arrays by
 * field) unless the route declares its own, and the 400/413/415 refusals. Empty without @nestjs/swagger.
 */
export function ciUploadOpenApi(input: CiUploadOpenApiInput): MethodDecorator[] {
  const api = loadSwagger();
  if (!api) return [];
  const ref = { $ref: api.getSchemaPath(CiUploadResultDto) };
  const created: SchemaObject =
    'field' in input
      ? input.maxCount === undefined
        ? ref
        : { type: 'array', items: ref }
      : {
          type: 'object',
          properties: Object.fromEntries(input.fields.map((f) => [f.name, { type: 'array', items: ref }])),
        };
  // The 201 has no description, so that a route's own @ApiCreatedResponse (above or below) replaces it whole.
  return [
    api.ApiExtraModels(CiUploadResultDto),
    api.ApiConsumes('multipart/form-data'),
    api.ApiBody({ schema: ciUploadRequestSchema(input) }),
    api.ApiResponse({ status: 201, schema: created }),
    api.ApiResponse({ status: 400, description: 'A file field is missing, or more files than allowed' }),
    api.ApiResponse({ status: 413, description: 'A file is over the size limit' }),
    api.ApiResponse({ status: 415, description: 'A file is not an allowed image (checked from its bytes)' }),
  ] as MethodDecorator[];
}

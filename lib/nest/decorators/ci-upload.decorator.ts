import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { CI_UPLOAD_METADATA } from '../ci.constants';
import { CiUploadInterceptor, type CiUploadSpec } from '../interceptors/ci-upload.interceptor';
import type { CiUploadFieldsOptions, CiUploadOptions } from '../../upload';
import { ciUploadOpenApi } from '../openapi/ci-upload.openapi';

/**
 * Streams the multipart file(s) of a route to CI with `Pic-Operations` and puts the typed result on the
 * request (`@CiResult()` for one file, `@CiResults()` for many). Rules are checked when the app starts.
 *
 * @example
 * ;@Post()
 * ;@CiUpload('file', { rules: [{ fileid: '{name}-200.webp', rule: imageMogr2().thumbnail({ width: 200 }).format('webp') }] })
 * upload(@CiResult() result: CiUploadResult) { return result; }
 *
 * @example
 * ;@CiUpload('files', { maxCount: 10, rules })           // many files under one field: @CiResults('files')
 * ;@CiUpload({ fields: [{ name: 'avatar', rules }, { name: 'cover', maxCount: 2 }] })
 */
export function CiUpload(field: string, options?: CiUploadOptions): MethodDecorator & ClassDecorator;
export function CiUpload(options: CiUploadFieldsOptions): MethodDecorator & ClassDecorator;
export function CiUpload(
  fieldOrOptions: string | CiUploadFieldsOptions,
  options: CiUploadOptions = {},
): MethodDecorator & ClassDecorator {
  const spec: CiUploadSpec =
    typeof fieldOrOptions === 'string'
      ? { kind: 'field', field: fieldOrOptions, options }
      : { kind: 'fields', options: fieldOrOptions };
  return applyDecorators(
    SetMetadata(CI_UPLOAD_METADATA, spec),
    UseInterceptors(CiUploadInterceptor(spec)),
    ...ciUploadOpenApi(
      typeof fieldOrOptions === 'string' ? { field: fieldOrOptions, ...options } : fieldOrOptions,
    ),
  );
}

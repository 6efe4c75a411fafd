import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { CI_UPLOAD_METADATA } from '../ci.constants';
import { CiUploadInterceptor, type CiUploadSpec } from '../interceptors/ci-upload.interceptor';
import type { CiUploadFieldsOptions, CiUploadOptions } from '../../upload';
import { ciUploadOpenApi } from '../openapi/ci-upload.openapi';

/** Which `CiModule` a route uploads through. */
export interface CiUploadInstance {
  /** The name of a `CiModule.forRoot({ name })` instance (its bucket, account, limits). Default: the unnamed one. */
  instance?: string;
}

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
 * ;@CiUpload('file', { instance: 'avatars', rules })     // through CiModule.forRoot({ name: 'avatars', ... })
 */
export function CiUpload(
  field: string,
  options?: CiUploadOptions & CiUploadInstance,
): MethodDecorator & ClassDecorator;
export function CiUpload(options: CiUploadFieldsOptions & CiUploadInstance): MethodDecorator & ClassDecorator;
export function CiUpload(
  fieldOrOptions: string | (CiUploadFieldsOptions & CiUploadInstance),
  options: CiUploadOptions & CiUploadInstance = {},
): MethodDecorator & ClassDecorator {
  const spec: CiUploadSpec & { options: CiUploadInstance } =
    typeof fieldOrOptions === 'string'
      ? { kind: 'field', field: fieldOrOptions, options }
      : { kind: 'fields', options: fieldOrOptions };
  return applyDecorators(
    SetMetadata(CI_UPLOAD_METADATA, spec),
    UseInterceptors(CiUploadInterceptor(spec, spec.options.instance)),
    ...ciUploadOpenApi(
      typeof fieldOrOptions === 'string' ? { field: fieldOrOptions, ...options } : fieldOrOptions,
    ),
  );
}

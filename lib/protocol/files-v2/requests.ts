import type { Readable } from 'node:stream';
import { cosEncode, encodeKeyPath } from '../cos-v5/encode';
import {
  createImageProcessForm,
  createSliceDataForm,
  createSliceFinishForm,
  createSliceInitForm,
  createUploadForm,
  type FilesV2Form,
  type SliceDataFormInput,
  type SliceFinishFormInput,
  type SliceInitFormInput,
  type UploadFormInput,
} from './form-body';

/** Which file a files-v2 request addresses. */
export interface FilesV2Target {
  /** APPID (`1250000000`). */
  appId: string;
  /** Short bucket name, without `-<appid>`. */
  bucket: string;
  /** Object key without a leading slash (`photos/猫.jpg`). */
  key: string;
}

/** Headers every files-v2 request carries besides the form's own. */
export interface FilesV2Auth {
  /** The multi-effect signature (`createFilesV2Signature`), sent as `Authorization`. */
  authorization: string;
  /** The `Pic-Operations` JSON, for upload, image_process, slice init and slice finish. */
  picOperations?: string;
}

/** One files-v2 request: always a form POST with an exact `content-length`. Header names are lower case. */
export interface FilesV2Request<B extends Readable | Buffer = Readable | Buffer> {
  /** Always `POST`. */
  method: 'POST';
  /** `/files/v2/<appid>/<bucket>/<encoded key>`. */
  path: string;
  /** `authorization`, `content-type`, `content-length` and, when given, `pic-operations`. */
  headers: Record<string, string>;
  /** The form body. */
  body: B;
}

/**
 * The request path `/files/v2/<appid>/<bucket>/<key>`, each key segment encoded and `/` kept.
 *
 * @example
 * filesV2Path('1250000000', 'examplebucket', '相册/a b.jpg') // '/files/v2/1250000000/examplebucket/%E7%9B%B8%E5%86%8C/a%20b.jpg'
 */
export function filesV2Path(appId: string, bucketShort: string, key: string): string {
  return `/files/v2/${cosEncode(appId)}/${cosEncode(bucketShort)}${encodeKeyPath(key)}`;
}

/** The signature's `f` for one file, `/<appid>/<bucket>/<encoded key>` (PHP/Python v4 SDKs), for single-use signing. */
export function filesV2FileId(appId: string, bucketShort: string, key: string): string {
  return `/${cosEncode(appId)}/${cosEncode(bucketShort)}${encodeKeyPath(key)}`;
}

function formRequest<B extends Readable | Buffer>(
  target: FilesV2Target,
  auth: FilesV2Auth,
  form: FilesV2Form<B>,
): FilesV2Request<B> {
  const headers: Record<string, string> = {
    authorization: auth.authorization,
    'content-type': form.contentType,
    'content-length': String(form.contentLength),
  };
  if (auth.picOperations) headers['pic-operations'] = auth.picOperations;
  return {
    method: 'POST',
    path: filesV2Path(target.appId, target.bucket, target.key),
    headers,
    body: form.body,
  };
}

/** Simple upload (`op=upload`) of a file of known length, streamed; `Pic-Operations` processes it on upload. */
export function filesV2UploadRequest(
  target: FilesV2Target,
  auth: FilesV2Auth,
  input: UploadFormInput,
): FilesV2Request<Readable> {
  return formRequest(target, auth, createUploadForm(input));
}

/** Cloud data processing of a stored file (`op=image_process`), with `Pic-Operations`. */
export function filesV2ImageProcessRequest(
  target: FilesV2Target,
  auth: FilesV2Auth & { picOperations: string },
  input: { insertOnly?: 0 | 1; boundary?: string } = {},
): FilesV2Request<Buffer> {
  return formRequest(target, auth, createImageProcessForm(input));
}

/** Opens a slice upload (`op=upload_slice_init`); `Pic-Operations` goes here and on finish. */
export function filesV2SliceInitRequest(
  target: FilesV2Target,
  auth: FilesV2Auth,
  input: SliceInitFormInput,
): FilesV2Request<Buffer> {
  return formRequest(target, auth, createSliceInitForm(input));
}

/** Sends one slice (`op=upload_slice_data`), streamed. Carries no `Pic-Operations`. */
export function filesV2SliceDataRequest(
  target: FilesV2Target,
  auth: Pick<FilesV2Auth, 'authorization'>,
  input: SliceDataFormInput,
): FilesV2Request<Readable> {
  return formRequest(target, { authorization: auth.authorization }, createSliceDataForm(input));
}

/** Completes a slice upload (`op=upload_slice_finish`); CI processes the assembled file with `Pic-Operations`. */
export function filesV2SliceFinishRequest(
  target: FilesV2Target,
  auth: FilesV2Auth,
  input: SliceFinishFormInput,
): FilesV2Request<Buffer> {
  return formRequest(target, auth, createSliceFinishForm(input));
}

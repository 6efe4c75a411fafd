import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CiValidationError } from '../../core/errors';

/** A `multipart/form-data` body with its exact length, ready to send with `Content-Length`. */
export interface FilesV2Form<B extends Readable | Buffer = Readable | Buffer> {
  /** `multipart/form-data; boundary=...`. */
  contentType: string;
  /** Exact number of bytes `body` produces, known before the first byte is sent. */
  contentLength: number;
  /** The body: a stream when it carries file bytes, a small buffer otherwise. */
  body: B;
}

/** File bytes to send: a stream (never buffered) or a buffer. */
export type FilesV2FileSource = Readable | Buffer | AsyncIterable<Uint8Array>;

/** Inputs of {@link createUploadForm} (`op=upload`). */
export interface UploadFormInput {
  /** The file: streamed as it is read. */
  file: FilesV2FileSource;
  /** Exact byte length of `file`; the body fails if the stream gives more or fewer bytes. */
  fileLength: number;
  /** 1 refuses to overwrite an existing file, 0 overwrites. Default 0 (as a cos-v5 PUT does). */
  insertOnly?: 0 | 1;
  /** SHA-1 of the whole file, lower-case hex (optional integrity check). */
  sha?: string;
  /** `biz_attr`: free-form attribute stored with the file. */
  bizAttr?: string;
  /** Multipart boundary. Default: a random one. */
  boundary?: string;
}

/** Inputs of {@link createSliceInitForm} (`op=upload_slice_init`). */
export interface SliceInitFormInput {
  /** Size of the whole file in bytes. */
  fileSize: number;
  /** Slice size the client proposes (the server may answer another one). */
  sliceSize: number;
  /** 1 refuses to overwrite, 0 overwrites. Default 0. */
  insertOnly?: 0 | 1;
  /** SHA-1 of the whole file (with `uploadParts`, lets the server resume or skip). */
  sha?: string;
  /** JSON list of per-slice SHA-1 states (`uploadparts`), as the Python v4 SDK sends it. */
  uploadParts?: string;
  /** `biz_attr`. */
  bizAttr?: string;
  /** Multipart boundary. Default: a random one. */
  boundary?: string;
}

/** Inputs of {@link createSliceDataForm} (`op=upload_slice_data`). */
export interface SliceDataFormInput {
  /** Session from the init answer. */
  session: string;
  /** Byte offset of this slice in the file. */
  offset: number;
  /** The slice bytes: streamed. */
  slice: FilesV2FileSource;
  /** Exact byte length of the slice. */
  sliceLength: number;
  /** SHA-1 of the whole file (Python v4 SDK). */
  sha?: string;
  /** MD5 of this slice, hex (`datamd5`, PHP v4 SDK); the server may echo it back. */
  dataMd5?: string;
  /** Multipart boundary. Default: a random one. */
  boundary?: string;
}

/** Inputs of {@link createSliceFinishForm} (`op=upload_slice_finish`). */
export interface SliceFinishFormInput {
  /** Session from the init answer. */
  session: string;
  /** Size of the whole file in bytes. */
  fileSize: number;
  /** SHA-1 of the whole file. */
  sha?: string;
  /** Multipart boundary. Default: a random one. */
  boundary?: string;
}

type Fields = [name: string, value: string | number | undefined][];

const CRLF = '\r\n';
// Token characters only, so the boundary needs no quoting in Content-Type.
const BOUNDARY = /^[0-9A-Za-z'+_.-]{1,70}$/;

function pickBoundary(boundary: string | undefined): string {
  if (boundary === undefined) return `----CiFormBoundary${randomBytes(12).toString('hex')}`;
  if (!BOUNDARY.test(boundary)) {
    const message = "multipart boundary must be 1-70 characters from A-Z a-z 0-9 ' + _ . -";
    throw new CiValidationError('OPTIONS_INVALID', message, { field: 'boundary' });
  }
  return boundary;
}

function checkLength(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CiValidationError('OPTIONS_INVALID', `${field} must be a non-negative integer`, { field });
  }
}

function fieldParts(boundary: string, fields: Fields): string {
  let out = '';
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    const text = String(value);
    if (text.includes(`--${boundary}`)) {
      const message = `form field ${name} contains the multipart boundary`;
      throw new CiValidationError('OPTIONS_INVALID', message, { field: name });
    }
    out += `--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${text}${CRLF}`;
  }
  return out;
}

function contentType(boundary: string): string {
  return `multipart/form-data; boundary=${boundary}`;
}

/** A form of text fields only (image_process, slice init and finish): a small buffer. */
function fieldsForm(fields: Fields, boundary?: string): FilesV2Form<Buffer> {
  const b = pickBoundary(boundary);
  const body = Buffer.from(`${fieldParts(b, fields)}--${b}--${CRLF}`, 'utf8');
  return { contentType: contentType(b), contentLength: body.length, body };
}

async function* fileBytes(source: FilesV2FileSource, length: number, field: string): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    yield source;
    return;
  }
  let seen = 0;
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    seen += buf.length;
    if (seen > length) throw lengthMismatch(field, length, `more than ${length}`);
    if (buf.length) yield buf;
  }
  if (seen !== length) throw lengthMismatch(field, length, String(seen));
}

function lengthMismatch(field: string, expected: number, got: string): CiValidationError {
  const message = `file stream gave ${got} bytes, ${field} declared ${expected}`;
  return new CiValidationError('OPTIONS_INVALID', message, { field });
}

/** A form whose last part is the file (`filecontent`), streamed between a precomputed head and tail. */
function fileForm(
  fields: Fields,
  file: FilesV2FileSource,
  fileLength: number,
  lengthField: string,
  boundary?: string,
): FilesV2Form<Readable> {
  checkLength(fileLength, lengthField);
  if (Buffer.isBuffer(file) && file.length !== fileLength) {
    throw lengthMismatch(lengthField, fileLength, String(file.length));
  }
  const b = pickBoundary(boundary);
  const head = Buffer.from(
    fieldParts(b, fields) +
      `--${b}${CRLF}Content-Disposition: form-data; name="filecontent"; filename="filecontent"${CRLF}` +
      `Content-Type: application/octet-stream${CRLF}${CRLF}`,
    'utf8',
  );
  const tail = Buffer.from(`${CRLF}--${b}--${CRLF}`, 'utf8');
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    yield* fileBytes(file, fileLength, lengthField);
    yield tail;
  }
  return {
    contentType: contentType(b),
    contentLength: head.length + fileLength + tail.length,
    body: Readable.from(all(), { objectMode: false }),
  };
}

/**
 * Builds the `op=upload` form (fields `op`, `insertOnly`, `sha`, `biz_attr`, then the file part `filecontent`)
 * without buffering the file: `contentLength` is exact before the first byte is read.
 *
 * @example
 * const form = createUploadForm({ file: req, fileLength: 1234 });
 * // headers: { 'content-type': form.contentType, 'content-length': String(form.contentLength) }, body: form.body
 */
export function createUploadForm(input: UploadFormInput): FilesV2Form<Readable> {
  return fileForm(
    [
      ['op', 'upload'],
      ['insertOnly', input.insertOnly ?? 0],
      ['sha', input.sha],
      ['biz_attr', input.bizAttr],
    ],
    input.file,
    input.fileLength,
    'fileLength',
    input.boundary,
  );
}

/** Builds the `op=image_process` form (cloud data processing of a stored file): a small buffer. */
export function createImageProcessForm(
  input: { insertOnly?: 0 | 1; boundary?: string } = {},
): FilesV2Form<Buffer> {
  return fieldsForm(
    [
      ['op', 'image_process'],
      ['insertOnly', input.insertOnly ?? 0],
    ],
    input.boundary,
  );
}

/** Builds the `op=upload_slice_init` form that opens a slice upload (Pic-Operations may ride on it). */
export function createSliceInitForm(input: SliceInitFormInput): FilesV2Form<Buffer> {
  checkLength(input.fileSize, 'fileSize');
  checkLength(input.sliceSize, 'sliceSize');
  return fieldsForm(
    [
      ['op', 'upload_slice_init'],
      ['filesize', input.fileSize],
      ['slice_size', input.sliceSize],
      ['insertOnly', input.insertOnly ?? 0],
      ['sha', input.sha],
      ['uploadparts', input.uploadParts],
      ['biz_attr', input.bizAttr],
    ],
    input.boundary,
  );
}

/** Builds the `op=upload_slice_data` form for one slice, streamed, with an exact `contentLength`. */
export function createSliceDataForm(input: SliceDataFormInput): FilesV2Form<Readable> {
  checkLength(input.offset, 'offset');
  return fileForm(
    [
      ['op', 'upload_slice_data'],
      ['session', input.session],
      ['offset', input.offset],
      ['sha', input.sha],
      ['datamd5', input.dataMd5],
    ],
    input.slice,
    input.sliceLength,
    'sliceLength',
    input.boundary,
  );
}

/** Builds the `op=upload_slice_finish` form that completes a slice upload (Pic-Operations rides here too). */
export function createSliceFinishForm(input: SliceFinishFormInput): FilesV2Form<Buffer> {
  checkLength(input.fileSize, 'fileSize');
  return fieldsForm(
    [
      ['op', 'upload_slice_finish'],
      ['session', input.session],
      ['filesize', input.fileSize],
      ['sha', input.sha],
    ],
    input.boundary,
  );
}

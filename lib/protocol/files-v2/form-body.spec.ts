import busboy from 'busboy';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isCiValidationError } from '../../core/errors';
import {
  createImageProcessForm,
  createSliceDataForm,
  createSliceFinishForm,
  createSliceInitForm,
  createUploadForm,
} from './form-body';

interface ParsedPart {
  kind: 'field' | 'file';
  name: string;
  value?: string;
  filename?: string;
  mimeType?: string;
  length?: number;
  sha1?: string;
}

/** Parses a multipart body with busboy; counts the bytes the body produced. */
async function parseForm(
  contentType: string,
  body: Readable | Buffer,
): Promise<{ parts: ParsedPart[]; bytes: number }> {
  const parts: ParsedPart[] = [];
  let bytes = 0;
  const bb = busboy({ headers: { 'content-type': contentType }, limits: { fileSize: Infinity } });
  bb.on('field', (name, value) => parts.push({ kind: 'field', name, value }));
  bb.on('file', (name, stream, info) => {
    const part: ParsedPart = {
      kind: 'file',
      name,
      filename: info.filename,
      mimeType: info.mimeType,
      length: 0,
    };
    parts.push(part);
    const hash = createHash('sha1');
    stream.on('data', (chunk: Buffer) => {
      part.length! += chunk.length;
      hash.update(chunk);
    });
    stream.on('end', () => (part.sha1 = hash.digest('hex')));
  });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, counter, bb);
  return { parts, bytes };
}

/** Random bytes in odd-sized chunks (1 B to 64 KiB), as a stream that counts how often it was pulled. */
function source(total: number): { stream: Readable; sha1: string; pulls: () => number } {
  const chunks: Buffer[] = [];
  for (let left = total; left > 0;) {
    const size = Math.min(left, randomInt(1, 65_537));
    chunks.push(randomBytes(size));
    left -= size;
  }
  const sha1 = createHash('sha1');
  for (const c of chunks) sha1.update(c);
  let pulls = 0;
  const stream = new Readable({
    read() {
      pulls++;
      this.push(chunks.shift() ?? null);
    },
  });
  return { stream, sha1: sha1.digest('hex'), pulls: () => pulls };
}

describe('createUploadForm', () => {
  it('streams a 5 MB file with an exact, precomputed Content-Length, and busboy reads every part', async () => {
    const total = 5 * 1024 * 1024;
    const file = source(total);
    const form = createUploadForm({
      file: file.stream,
      fileLength: total,
      insertOnly: 1,
      sha: file.sha1,
      bizAttr: '相册 ✓ "q"',
    });
    expect(file.pulls()).toBe(0); // nothing read before the body is consumed
    expect(form.contentType).toMatch(/^multipart\/form-data; boundary=----CiFormBoundary[0-9a-f]{24}$/);
    const { parts, bytes } = await parseForm(form.contentType, form.body);
    expect(bytes).toBe(form.contentLength);
    expect(parts).toEqual([
      { kind: 'field', name: 'op', value: 'upload' },
      { kind: 'field', name: 'insertOnly', value: '1' },
      { kind: 'field', name: 'sha', value: file.sha1 },
      { kind: 'field', name: 'biz_attr', value: '相册 ✓ "q"' },
      {
        kind: 'file',
        name: 'filecontent',
        filename: 'filecontent',
        mimeType: 'application/octet-stream',
        length: total,
        sha1: file.sha1,
      },
    ]);
  });

  it('reads the file only as the body is read (no buffering)', async () => {
    const total = 3 * 1024 * 1024;
    const file = source(total);
    const form = createUploadForm({ file: file.stream, fileLength: total });
    const iterator = form.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(file.pulls()).toBeLessThan(10);
    await iterator.return!();
  });

  it('lays out the bytes as the seed shows, with insertOnly 0 by default and no optional field', async () => {
    const form = createUploadForm({ file: Buffer.from('hello'), fileLength: 5, boundary: 'b0undary' });
    const chunks: Buffer[] = [];
    for await (const c of form.body) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('latin1');
    expect(raw).toBe(
      '--b0undary\r\nContent-Disposition: form-data; name="op"\r\n\r\nupload\r\n' +
        '--b0undary\r\nContent-Disposition: form-data; name="insertOnly"\r\n\r\n0\r\n' +
        '--b0undary\r\nContent-Disposition: form-data; name="filecontent"; filename="filecontent"\r\n' +
        'Content-Type: application/octet-stream\r\n\r\nhello\r\n--b0undary--\r\n',
    );
    expect(form.contentLength).toBe(raw.length);
    expect(form.contentType).toBe('multipart/form-data; boundary=b0undary');
  });

  it('handles an empty file', async () => {
    const form = createUploadForm({ file: Readable.from([]), fileLength: 0 });
    const { parts, bytes } = await parseForm(form.contentType, form.body);
    expect(bytes).toBe(form.contentLength);
    expect(parts.at(-1)).toMatchObject({ kind: 'file', name: 'filecontent', length: 0 });
  });

  it('fails the body when the stream is shorter or longer than fileLength', async () => {
    for (const [declared, actual] of [
      [10, 9],
      [10, 11],
    ]) {
      const form = createUploadForm({ file: Readable.from([Buffer.alloc(actual)]), fileLength: declared });
      const error = await (async () => {
        try {
          for await (const _ of form.body) void _;
        } catch (err) {
          return err;
        }
      })();
      expect(isCiValidationError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'OPTIONS_INVALID', field: 'fileLength' });
    }
    expect(() => createUploadForm({ file: Buffer.alloc(3), fileLength: 4 })).toThrow(/declared 4/);
    expect(() => createUploadForm({ file: Buffer.alloc(3), fileLength: -1 })).toThrow(/non-negative/);
  });

  it('destroys the source when the body is destroyed (an aborted upload stops reading the client)', async () => {
    const file = source(2 * 1024 * 1024);
    const form = createUploadForm({ file: file.stream, fileLength: 2 * 1024 * 1024 });
    await new Promise<void>((resolve) => form.body.once('data', () => resolve()));
    form.body.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(file.stream.destroyed).toBe(true);
  });

  it('refuses a bad boundary and a field value holding the boundary; keeps line breaks in values', async () => {
    expect(() => createUploadForm({ file: Buffer.alloc(0), fileLength: 0, boundary: 'has space' })).toThrow(
      /boundary/,
    );
    expect(() =>
      createUploadForm({
        file: Buffer.alloc(0),
        fileLength: 0,
        boundary: 'xyz',
        bizAttr: 'a\r\n--xyz--\r\n',
      }),
    ).toThrow(/biz_attr contains the multipart boundary/);
    const form = createUploadForm({ file: Buffer.from('z'), fileLength: 1, bizAttr: 'line 1\r\nline 2' });
    const { parts, bytes } = await parseForm(form.contentType, form.body);
    expect(bytes).toBe(form.contentLength);
    expect(parts.find((p) => p.name === 'biz_attr')?.value).toBe('line 1\r\nline 2');
  });
});

describe('small forms', () => {
  it('createImageProcessForm: op=image_process and insertOnly, as a buffer of the announced length', async () => {
    const form = createImageProcessForm({ insertOnly: 1 });
    expect(Buffer.isBuffer(form.body)).toBe(true);
    expect(form.body.length).toBe(form.contentLength);
    const { parts } = await parseForm(form.contentType, form.body);
    expect(parts).toEqual([
      { kind: 'field', name: 'op', value: 'image_process' },
      { kind: 'field', name: 'insertOnly', value: '1' },
    ]);
    const plain = createImageProcessForm();
    const byDefault = await parseForm(plain.contentType, plain.body);
    expect(byDefault.parts[1]).toEqual({ kind: 'field', name: 'insertOnly', value: '0' });
  });

  it('createSliceInitForm and createSliceFinishForm carry the v4 SDK fields', async () => {
    const init = createSliceInitForm({
      fileSize: 9_000_000,
      sliceSize: 1_048_576,
      insertOnly: 1,
      bizAttr: 'x',
    });
    expect((await parseForm(init.contentType, init.body)).parts).toEqual([
      { kind: 'field', name: 'op', value: 'upload_slice_init' },
      { kind: 'field', name: 'filesize', value: '9000000' },
      { kind: 'field', name: 'slice_size', value: '1048576' },
      { kind: 'field', name: 'insertOnly', value: '1' },
      { kind: 'field', name: 'biz_attr', value: 'x' },
    ]);
    expect(init.body.length).toBe(init.contentLength);
    const finish = createSliceFinishForm({ session: 'sess-1', fileSize: 9_000_000, sha: 'abc' });
    expect((await parseForm(finish.contentType, finish.body)).parts).toEqual([
      { kind: 'field', name: 'op', value: 'upload_slice_finish' },
      { kind: 'field', name: 'session', value: 'sess-1' },
      { kind: 'field', name: 'filesize', value: '9000000' },
      { kind: 'field', name: 'sha', value: 'abc' },
    ]);
    expect(finish.body.length).toBe(finish.contentLength);
  });

  it('createSliceDataForm streams one slice with an exact length', async () => {
    const slice = source(1024 * 1024 + 17);
    const form = createSliceDataForm({
      session: 'sess-1',
      offset: 1_048_576,
      slice: slice.stream,
      sliceLength: 1024 * 1024 + 17,
      dataMd5: 'd41d8cd98f00b204e9800998ecf8427e',
    });
    const { parts, bytes } = await parseForm(form.contentType, form.body);
    expect(bytes).toBe(form.contentLength);
    expect(parts).toEqual([
      { kind: 'field', name: 'op', value: 'upload_slice_data' },
      { kind: 'field', name: 'session', value: 'sess-1' },
      { kind: 'field', name: 'offset', value: '1048576' },
      { kind: 'field', name: 'datamd5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
      {
        kind: 'file',
        name: 'filecontent',
        filename: 'filecontent',
        mimeType: 'application/octet-stream',
        length: 1024 * 1024 + 17,
        sha1: slice.sha1,
      },
    ]);
  });
});

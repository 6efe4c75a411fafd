import busboy from 'busboy';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { parseFilesV2Envelope, toFilesV2Result } from './envelope';
import {
  filesV2FileId,
  filesV2ImageProcessRequest,
  filesV2Path,
  filesV2SliceDataRequest,
  filesV2SliceFinishRequest,
  filesV2SliceInitRequest,
  filesV2UploadRequest,
} from './requests';
import { createFilesV2Signature, verifyFilesV2Signature } from './sign';

const target = { appId: '1250000000', bucket: 'examplebucket', key: '相册/猫 (1).jpg' };
const PIC_OPS = '{"is_pic_info":1,"rules":[{"fileid":"test1.png","rule":"imageView2/format/png"}]}';

describe('filesV2Path / filesV2FileId', () => {
  it('encodes each key segment and keeps the slashes', () => {
    expect(filesV2Path('1250000000', 'examplebucket', "a b/猫/x!'()*+&=;.jpg")).toBe(
      '/files/v2/1250000000/examplebucket/a%20b/%E7%8C%AB/x%21%27%28%29%2A%2B%26%3D%3B.jpg',
    );
    expect(filesV2Path('1250000000', 'examplebucket', 'sample_file.jpg')).toBe(
      '/files/v2/1250000000/examplebucket/sample_file.jpg',
    );
    expect(filesV2FileId('1250000000', 'examplebucket', 'd/e f.png')).toBe(
      '/1250000000/examplebucket/d/e%20f.png',
    );
  });
});

describe('request descriptions', () => {
  const auth = { authorization: 'SIGN', picOperations: PIC_OPS };

  it('upload: POST, the four headers, a streamed body of the announced length', async () => {
    const req = filesV2UploadRequest(target, auth, {
      file: Buffer.from('abc'),
      fileLength: 3,
      boundary: 'bnd',
    });
    const chunks: Buffer[] = [];
    for await (const c of req.body) chunks.push(c as Buffer);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/files/v2/1250000000/examplebucket/%E7%9B%B8%E5%86%8C/%E7%8C%AB%20%281%29.jpg');
    expect(req.headers).toEqual({
      authorization: 'SIGN',
      'pic-operations': PIC_OPS,
      'content-type': 'multipart/form-data; boundary=bnd',
      'content-length': String(Buffer.concat(chunks).length),
    });
    expect(req.body).toBeInstanceOf(Readable);
  });

  it('image_process, slice init and finish carry Pic-Operations; slice data never does', () => {
    const process = filesV2ImageProcessRequest(target, auth);
    expect(process.headers['pic-operations']).toBe(PIC_OPS);
    expect(process.headers['content-length']).toBe(String(process.body.length));
    const init = filesV2SliceInitRequest(target, auth, { fileSize: 10, sliceSize: 5 });
    expect(init.headers['pic-operations']).toBe(PIC_OPS);
    const data = filesV2SliceDataRequest(target, auth, {
      session: 's',
      offset: 0,
      slice: Buffer.alloc(5),
      sliceLength: 5,
    });
    expect(data.headers['pic-operations']).toBeUndefined();
    expect(data.headers.authorization).toBe('SIGN');
    const finish = filesV2SliceFinishRequest(target, auth, { session: 's', fileSize: 10 });
    expect(finish.headers['pic-operations']).toBe(PIC_OPS);
    const noOps = filesV2SliceFinishRequest(
      target,
      { authorization: 'SIGN' },
      { session: 's', fileSize: 10 },
    );
    expect('pic-operations' in noOps.headers).toBe(false);
  });
});

describe('an upload over loopback HTTP', () => {
  interface Seen {
    method?: string;
    url?: string;
    headers?: IncomingHttpHeaders;
    fields: Record<string, string>;
    fileSha1?: string;
    fileLength?: number;
    bodyBytes: number;
  }
  let server: Server;
  let origin: string;
  const seen: Seen = { fields: {}, bodyBytes: 0 };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.method = req.method;
      seen.url = req.url;
      seen.headers = req.headers;
      req.on('data', (c: Buffer) => (seen.bodyBytes += c.length));
      const bb = busboy({ headers: req.headers });
      bb.on('field', (name, value) => (seen.fields[name] = value));
      bb.on('file', (_name, stream) => {
        const hash = createHash('sha1');
        let length = 0;
        stream.on('data', (c: Buffer) => {
          hash.update(c);
          length += c.length;
        });
        stream.on('end', () => {
          seen.fileSha1 = hash.digest('hex');
          seen.fileLength = length;
        });
      });
      bb.on('close', () => {
        const verdict = verifyFilesV2Signature(String(req.headers.authorization), {
          secretKeyFor: (id) => (id === 'AKIDEXAMPLE' ? 'SECRETEXAMPLE' : undefined),
          expected: { appId: '1250000000', bucket: 'examplebucket' },
        });
        res.setHeader('content-type', 'application/json');
        if (!verdict.ok) {
          res.statusCode = 403;
          res.end(JSON.stringify({ code: -60932, message: verdict.reason, request_id: 'r-403' }));
          return;
        }
        res.end(
          JSON.stringify({
            code: 0,
            message: 'SUCCESS',
            request_id: 'r-200',
            data: {
              resource_path: '/1250000000/examplebucket/相册/猫 (1).jpg',
              image_info: {
                original_info: {
                  format: 'JPEG',
                  width: 50,
                  height: 200,
                  ave: '0xa18432',
                  orientation: 1,
                  quality: 100,
                },
                process_results: [
                  { file_id: 'test1.png', format: 'PNG', width: 200, height: 50, size: 100, quality: 100 },
                ],
              },
            },
          }),
        );
      });
      req.pipe(bb);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a streamed file with Content-Length (never chunked) and reads the typed answer', async () => {
    const bytes = randomBytes(1024 * 1024 + 3);
    const chunks = Array.from({ length: 17 }, (_, i) =>
      bytes.subarray((i * bytes.length) / 17, ((i + 1) * bytes.length) / 17),
    );
    const authorization = createFilesV2Signature({
      appId: '1250000000',
      bucket: 'examplebucket',
      secretId: 'AKIDEXAMPLE',
      secretKey: 'SECRETEXAMPLE',
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    const req = filesV2UploadRequest(
      target,
      { authorization, picOperations: PIC_OPS },
      { file: Readable.from(chunks), fileLength: bytes.length, insertOnly: 1 },
    );
    const res = await request(origin + req.path, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    const text = await res.body.text();
    const envelope = parseFilesV2Envelope(text, res.statusCode, req);
    const result = toFilesV2Result(envelope.data);

    expect(seen.method).toBe('POST');
    expect(seen.url).toBe(req.path);
    expect(seen.headers!['transfer-encoding']).toBeUndefined();
    expect(seen.headers!['content-length']).toBe(req.headers['content-length']);
    expect(seen.bodyBytes).toBe(Number(req.headers['content-length']));
    expect(seen.headers!['pic-operations']).toBe(PIC_OPS);
    expect(seen.fields).toEqual({ op: 'upload', insertOnly: '1' });
    expect(seen.fileLength).toBe(bytes.length);
    expect(seen.fileSha1).toBe(createHash('sha1').update(bytes).digest('hex'));
    expect(envelope.requestId).toBe('r-200');
    expect(result.imageInfo.processResults).toEqual([
      {
        key: 'test1.png',
        fileId: 'test1.png',
        format: 'PNG',
        width: 200,
        height: 50,
        size: 100,
        quality: 100,
        raw: {},
      },
    ]);
    expect(result.resourcePath).toBe('/1250000000/examplebucket/相册/猫 (1).jpg');
  });

  it('surfaces a refused signature as CiResponseError with the server code', async () => {
    const authorization = createFilesV2Signature({
      appId: '1250000000',
      bucket: 'examplebucket',
      secretId: 'AKIDEXAMPLE',
      secretKey: 'WRONG',
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    const req = filesV2ImageProcessRequest(target, { authorization, picOperations: PIC_OPS });
    const res = await request(origin + req.path, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    const text = await res.body.text();
    expect(() => parseFilesV2Envelope(text, res.statusCode, req)).toThrow(
      expect.objectContaining({
        statusCode: 403,
        ciCode: '-60932',
        ciMessage: 'SIGNATURE_MISMATCH',
        requestId: 'r-403',
      }),
    );
  });
});

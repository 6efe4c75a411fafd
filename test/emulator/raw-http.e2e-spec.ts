import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { type CiEmulator, CosHttpError, EMULATOR_DEV_CREDENTIALS, startCiEmulator } from '../../emulator';
import { storeOnlyPicProcessor } from '../../emulator/processing';
import { encodeKeyPath } from '../../lib/protocol/cos-v5/encode';
import { signCosRequest } from '../../lib/protocol/cos-v5/sign';
import {
  BUCKET,
  nextRequest,
  rawRequest,
  REGION,
  sdkFor,
  signedHeaders,
  VIRTUAL_HOST,
  xmlField,
} from './support/emulator-test-kit';

const PIC_OPERATIONS = JSON.stringify({ rules: [{ fileid: 't.png', rule: 'imageMogr2/format/png' }] });
const md5Base64 = (data: string | Buffer) => createHash('md5').update(data).digest('base64');

/** The query string of a pre-signed URL (q-sign fields), as `getObjectUrl` builds it. */
function presignedQuery(options: {
  method: string;
  pathname: string;
  host: string;
  query?: Record<string, string>;
  keyTime?: string;
}): string {
  const { secretId, secretKey } = EMULATOR_DEV_CREDENTIALS;
  const s = signCosRequest({
    secretId,
    secretKey,
    method: options.method,
    pathname: options.pathname,
    query: options.query,
    headers: { host: options.host },
    keyTime: options.keyTime,
  });
  const fields = {
    'q-sign-algorithm': 'sha1',
    'q-ak': secretId,
    'q-sign-time': s.keyTime,
    'q-key-time': s.keyTime,
    'q-header-list': s.headerList,
    'q-url-param-list': s.urlParamList,
    'q-signature': s.signature,
    ...options.query,
  };
  return Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** Sends raw bytes on a fresh connection and reads until the server closes it (or `waitMs` passes). */
function rawExchange(
  emulator: CiEmulator,
  chunks: Buffer[],
  ending: 'half-close' | 'destroy',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(emulator.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(received) : reject(error),
    );
    socket.on('close', () => resolve(received));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      setTimeout(() => (ending === 'half-close' ? socket.end() : socket.destroy()), 50);
    });
  });
}

function requestHead(method: string, path: string, headers: Record<string, string | number>): Buffer {
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.from(`${method} ${path} HTTP/1.1\r\n${lines}\r\n`);
}

describe('emulator over raw HTTP: addressing, signatures, bodies, CORS, robustness', () => {
  let emulator: CiEmulator;
  let failProcessing = false;

  beforeAll(async () => {
    emulator = await startCiEmulator(
      { maxObjectSize: 64 * 1024 },
      {
        picProcessor: {
          validate: storeOnlyPicProcessor.validate,
          process: async (request) => {
            if (failProcessing) throw new Error('processor bug');
            return storeOnlyPicProcessor.process(request);
          },
        },
      },
    );
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    failProcessing = false;
    await emulator.reset();
  });

  const put = (key: string, body: string, extra: Record<string, string | number> = {}) => {
    const headers = signedHeaders({
      method: 'PUT',
      pathname: '/' + key,
      headers: { 'content-length': Buffer.byteLength(body), ...extra },
    });
    return rawRequest(emulator, { method: 'PUT', path: encodeKeyPath(key), headers, body });
  };

  describe('addressing', () => {
    it('virtual-hosted: the Host header names the bucket', async () => {
      const res = await put('v/1.txt', 'one');
      expect(res.status).toBe(200);
      expect(await emulator.getObject(BUCKET, 'v/1.txt')).toEqual(Buffer.from('one'));
    });

    it('absolute-form request target (as through a proxy)', async () => {
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/abs.txt',
        headers: { 'content-length': 3 },
      });
      const res = await rawRequest(emulator, {
        method: 'PUT',
        path: `http://${VIRTUAL_HOST}/abs.txt`,
        headers,
        body: 'abs',
      });
      expect(res.status).toBe(200);
      expect(await emulator.getObject(BUCKET, 'abs.txt')).toEqual(Buffer.from('abs'));
    });

    it('path-style /<bucket>/<key> when the host names no bucket; the signed path is /<key>', async () => {
      const host = `127.0.0.1:${emulator.port}`;
      const key = 'path style/é.txt';
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/' + key,
        host,
        headers: { 'content-length': 2 },
      });
      const res = await rawRequest(emulator, {
        method: 'PUT',
        path: `/${BUCKET}${encodeKeyPath(key)}`,
        headers,
        body: 'ps',
      });
      expect(res.status).toBe(200);
      expect(await emulator.getObject(BUCKET, key)).toEqual(Buffer.from('ps'));

      // Path-style SDKs signed /<bucket>/<key>: accepted too.
      const legacy = signedHeaders({ method: 'GET', pathname: `/${BUCKET}/${key}`, host });
      const got = await rawRequest(emulator, {
        method: 'GET',
        path: `/${BUCKET}${encodeKeyPath(key)}`,
        headers: legacy,
      });
      expect(got.status).toBe(200);
      expect(got.text).toBe('ps');

      const list = await rawRequest(emulator, {
        method: 'GET',
        path: `/${BUCKET}/?prefix=path`,
        headers: signedHeaders({ method: 'GET', pathname: '/', host, query: { prefix: 'path' } }),
      });
      expect(list.status).toBe(200);
      expect(xmlField(list.text, 'Key')).toBe(key);
    });

    it('GET / with no bucket lists the buckets (GET Service)', async () => {
      const host = `127.0.0.1:${emulator.port}`;
      const res = await rawRequest(emulator, {
        method: 'GET',
        path: '/',
        headers: signedHeaders({ method: 'GET', pathname: '/', host }),
      });
      expect(res.status).toBe(200);
      expect(xmlField(res.text, 'Name')).toBe(BUCKET);
      expect(xmlField(res.text, 'Location')).toBe(REGION);
    });
  });

  describe('signatures', () => {
    it('no signature: 403 AccessDenied in a COS error envelope', async () => {
      const res = await rawRequest(emulator, {
        method: 'GET',
        path: '/secret.txt',
        headers: { host: VIRTUAL_HOST },
      });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toBe('application/xml');
      expect(xmlField(res.text, 'Code')).toBe('AccessDenied');
      expect(xmlField(res.text, 'Resource')).toBe(`${VIRTUAL_HOST}/secret.txt`);
      expect(xmlField(res.text, 'RequestId')).toBe(res.headers['x-cos-request-id']);
      expect(xmlField(res.text, 'TraceId')).toEqual(expect.any(String));
      expect(res.headers['server']).toBe('tencent-cos');
    });

    it('a tampered signature or a signed header changed in transit: 403 SignatureDoesNotMatch', async () => {
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/t.txt',
        headers: { 'content-length': 1, 'x-cos-meta-a': 'signed' },
      });
      const res = await rawRequest(emulator, {
        method: 'PUT',
        path: '/t.txt',
        headers: { ...headers, 'x-cos-meta-a': 'changed' },
        body: 'x',
      });
      expect(res.status).toBe(403);
      expect(xmlField(res.text, 'Code')).toBe('SignatureDoesNotMatch');
      expect(emulator.listObjects(BUCKET)).toEqual([]);
    });

    it('a signature outside its KeyTime window: 403 AccessDenied "Request has expired"', async () => {
      const now = Math.floor(Date.now() / 1000);
      const headers = signedHeaders({ method: 'GET', pathname: '/', keyTime: `${now - 7200};${now - 3600}` });
      const res = await rawRequest(emulator, { method: 'GET', path: '/', headers });
      expect(res.status).toBe(403);
      expect(xmlField(res.text, 'Code')).toBe('AccessDenied');
      expect(xmlField(res.text, 'Message')).toBe('Request has expired');
    });

    it('Pic-Operations sent but not signed: 403 AccessDenied, nothing stored', async () => {
      const headers = signedHeaders({ method: 'PUT', pathname: '/p.jpg', headers: { 'content-length': 3 } });
      const res = await rawRequest(emulator, {
        method: 'PUT',
        path: '/p.jpg',
        headers: { ...headers, 'pic-operations': PIC_OPERATIONS },
        body: 'jpg',
      });
      expect(res.status).toBe(403);
      expect(xmlField(res.text, 'Code')).toBe('AccessDenied');
      expect(xmlField(res.text, 'Message')).toContain('Pic-Operations');
      expect(emulator.listObjects(BUCKET)).toEqual([]);
    });

    it('pre-signed query string (virtual-hosted and path-style), with signed parameters', async () => {
      await put('shared/cat.jpg', 'meow');
      const virtual = presignedQuery({ method: 'GET', pathname: '/shared/cat.jpg', host: VIRTUAL_HOST });
      const res = await rawRequest(emulator, {
        method: 'GET',
        path: `/shared/cat.jpg?${virtual}`,
        headers: { host: VIRTUAL_HOST },
      });
      expect(res.status).toBe(200);
      expect(res.text).toBe('meow');

      const host = `127.0.0.1:${emulator.port}`;
      const query = { 'response-content-type': 'image/jpeg' };
      const pathStyle = presignedQuery({ method: 'GET', pathname: '/shared/cat.jpg', host, query });
      const ok = await rawRequest(emulator, {
        method: 'GET',
        path: `/${BUCKET}/shared/cat.jpg?${pathStyle}`,
        headers: { host },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers['content-type']).toBe('image/jpeg');

      const tampered = pathStyle.replace('image%2Fjpeg', 'text%2Fhtml');
      const bad = await rawRequest(emulator, {
        method: 'GET',
        path: `/${BUCKET}/shared/cat.jpg?${tampered}`,
        headers: { host },
      });
      expect(bad.status).toBe(403);
      expect(xmlField(bad.text, 'Code')).toBe('SignatureDoesNotMatch');

      const now = Math.floor(Date.now() / 1000);
      const expired = presignedQuery({
        method: 'GET',
        pathname: '/shared/cat.jpg',
        host: VIRTUAL_HOST,
        keyTime: `${now - 100};${now - 10}`,
      });
      const late = await rawRequest(emulator, {
        method: 'GET',
        path: `/shared/cat.jpg?${expired}`,
        headers: { host: VIRTUAL_HOST },
      });
      expect(late.status).toBe(403);
      expect(xmlField(late.text, 'Message')).toBe('Request has expired');
    });

    it("the SDK's own pre-signed URL (getObjectUrl) works through the emulator", async () => {
      await put('sdk-url.txt', 'signed by the sdk');
      const cos = sdkFor(emulator);
      const url = cos.getObjectUrl(
        { Bucket: BUCKET, Region: REGION, Key: 'sdk-url.txt', Sign: true },
        () => undefined,
      );
      expect(url).toMatch(
        /^http:\/\/examplebucket-1250000000\.cos\.ap-guangzhou\.myqcloud\.com\/sdk-url\.txt\?q-sign-algorithm=sha1/,
      );
      const res = await rawRequest(emulator, { method: 'GET', path: url, headers: { host: VIRTUAL_HOST } });
      expect(res.status).toBe(200);
      expect(res.text).toBe('signed by the sdk');
    });
  });

  describe('bodies', () => {
    it('a chunked PUT without Pic-Operations is stored', async () => {
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/chunked.txt',
        headers: { 'transfer-encoding': 'chunked' },
      });
      const res = await rawRequest(emulator, {
        method: 'PUT',
        path: '/chunked.txt',
        headers,
        body: 'streamed body',
      });
      expect(res.status).toBe(200);
      expect((await emulator.getObject(BUCKET, 'chunked.txt'))?.toString()).toBe('streamed body');
    });

    it('a chunked PUT with Pic-Operations: 411 MissingContentLength, nothing stored', async () => {
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/chunked.jpg',
        headers: { 'transfer-encoding': 'chunked', 'pic-operations': PIC_OPERATIONS },
      });
      const res = await rawRequest(emulator, { method: 'PUT', path: '/chunked.jpg', headers, body: 'jpeg' });
      expect(res.status).toBe(411);
      expect(xmlField(res.text, 'Code')).toBe('MissingContentLength');
      expect(emulator.listObjects(BUCKET)).toEqual([]);
    });

    it('Content-MD5: checked (400 BadDigest), malformed (400 InvalidDigest), right (stored)', async () => {
      const bad = await put('md5.txt', 'payload', { 'content-md5': md5Base64('other') });
      expect(bad.status).toBe(400);
      expect(xmlField(bad.text, 'Code')).toBe('BadDigest');
      const malformed = await put('md5.txt', 'payload', { 'content-md5': 'not-base64' });
      expect(xmlField(malformed.text, 'Code')).toBe('InvalidDigest');
      expect(emulator.listObjects(BUCKET)).toEqual([]);
      const good = await put('md5.txt', 'payload', { 'content-md5': md5Base64('payload') });
      expect(good.status).toBe(200);
    });

    it('over maxObjectSize: 400 EntityTooLarge, refused before reading a declared length; chunked stops when exceeded', async () => {
      const declared = await put('big.bin', 'x'.repeat(70 * 1024));
      expect(declared.status).toBe(400);
      expect(xmlField(declared.text, 'Code')).toBe('EntityTooLarge');

      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/big-chunked.bin',
        headers: { 'transfer-encoding': 'chunked' },
      });
      const chunked = await rawRequest(emulator, {
        method: 'PUT',
        path: '/big-chunked.bin',
        headers,
        body: Buffer.alloc(100 * 1024, 1),
      });
      expect(chunked.status).toBe(400);
      expect(xmlField(chunked.text, 'Code')).toBe('EntityTooLarge');
      expect(emulator.listObjects(BUCKET)).toEqual([]);

      // The connections were drained or closed; the server keeps serving.
      expect((await put('after.txt', 'ok')).status).toBe(200);
    });

    it('a 12 MiB body refused before it is read: the 400 EntityTooLarge arrives, the server keeps serving', async () => {
      const size = 12 * 1024 * 1024;
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/huge.bin',
        headers: { 'content-length': size },
      });
      const answer = await new Promise<{ status?: number; text: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: emulator.port, method: 'PUT', path: '/huge.bin', headers },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode, text }));
            res.on('error', () => resolve({ status: res.statusCode, text }));
          },
        );
        // The server closes the connection while the body is still going out: expected.
        req.on('error', (error: NodeJS.ErrnoException) => {
          if (!['EPIPE', 'ECONNRESET'].includes(error.code ?? '')) reject(error);
        });
        req.end(Buffer.alloc(size));
      });
      expect(answer.status).toBe(400);
      expect(xmlField(answer.text, 'Code')).toBe('EntityTooLarge');
      expect(emulator.listObjects(BUCKET)).toEqual([]);
      expect((await put('still-serving.txt', 'ok')).status).toBe(200);
    });

    it('a client that declares 1000 bytes, sends 10 and half-closes: 400 IncompleteBody, nothing stored', async () => {
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/short.bin',
        headers: { 'content-length': 1000 },
      });
      const logged = nextRequest(emulator, (r) => r.operation === 'PutObject');
      const answer = await rawExchange(
        emulator,
        [requestHead('PUT', '/short.bin', headers), Buffer.from('0123456789')],
        'half-close',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('<Code>IncompleteBody</Code>');
      expect(await logged).toEqual(
        expect.objectContaining({ status: 400, errorCode: 'IncompleteBody', key: 'short.bin' }),
      );
      expect(emulator.listObjects(BUCKET)).toEqual([]);
    });

    it('a client that sends part of the body and drops the connection: nothing stored', async () => {
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/dropped.bin',
        headers: { 'content-length': 1000 },
      });
      const logged = nextRequest(emulator, (r) => r.operation === 'PutObject');
      await rawExchange(
        emulator,
        [requestHead('PUT', '/dropped.bin', headers), Buffer.from('0123456789')],
        'destroy',
      );
      expect(await logged).toEqual(expect.objectContaining({ status: 400, errorCode: 'IncompleteBody' }));
      expect(emulator.listObjects(BUCKET)).toEqual([]);
    });

    it('Expect: 100-continue: a refused request is answered before the body is sent', async () => {
      const headers = signedHeaders({
        method: 'PUT',
        pathname: '/continue.txt',
        headers: { 'content-length': 4, expect: '100-continue' },
        secretKey: 'wrong',
      });
      const answer = await rawExchange(
        emulator,
        [requestHead('PUT', '/continue.txt', headers)],
        'half-close',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(answer).not.toContain('100 Continue');

      const good = signedHeaders({
        method: 'PUT',
        pathname: '/continue.txt',
        headers: { 'content-length': 4, expect: '100-continue' },
      });
      const accepted = await rawRequest(emulator, {
        method: 'PUT',
        path: '/continue.txt',
        headers: good,
        body: 'body',
      });
      expect(accepted.status).toBe(200);
      expect((await emulator.getObject(BUCKET, 'continue.txt'))?.toString()).toBe('body');
    });
  });

  describe('answers', () => {
    it('CORS: preflights are answered and responses carry Access-Control-Allow-Origin', async () => {
      const preflight = await rawRequest(emulator, {
        method: 'OPTIONS',
        path: '/img.jpg',
        headers: {
          host: VIRTUAL_HOST,
          origin: 'http://localhost:3000',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'range',
        },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      expect(preflight.headers['access-control-allow-methods']).toContain('GET');
      expect(preflight.headers['access-control-allow-headers']).toBe('range');

      await put('img.jpg', 'pixels');
      const get = await rawRequest(emulator, {
        method: 'GET',
        path: '/img.jpg',
        headers: {
          ...signedHeaders({ method: 'GET', pathname: '/img.jpg' }),
          origin: 'http://localhost:3000',
        },
      });
      expect(get.headers['access-control-allow-origin']).toBe('*');
      expect(get.headers['access-control-expose-headers']).toContain('ETag');
      expect(get.headers['access-control-expose-headers']).toContain('x-cos-request-id');
    });

    it('conditional GET: If-None-Match gives 304, If-Match a mismatch 412', async () => {
      const stored = await put('cond.txt', 'cached');
      const etag = stored.headers.etag!;
      const notModified = await rawRequest(emulator, {
        method: 'GET',
        path: '/cond.txt',
        headers: signedHeaders({ method: 'GET', pathname: '/cond.txt', headers: { 'if-none-match': etag } }),
      });
      expect(notModified.status).toBe(304);
      expect(notModified.body.length).toBe(0);
      const failed = await rawRequest(emulator, {
        method: 'GET',
        path: '/cond.txt',
        headers: signedHeaders({ method: 'GET', pathname: '/cond.txt', headers: { 'if-match': '"0000"' } }),
      });
      expect(failed.status).toBe(412);
      expect(xmlField(failed.text, 'Code')).toBe('PreconditionFailed');
    });

    it('an unsatisfiable Range: 416 InvalidRange', async () => {
      await put('range.txt', 'short');
      const res = await rawRequest(emulator, {
        method: 'GET',
        path: '/range.txt',
        headers: signedHeaders({
          method: 'GET',
          pathname: '/range.txt',
          headers: { range: 'bytes=100-200' },
        }),
      });
      expect(res.status).toBe(416);
      expect(res.headers['content-range']).toBe('bytes */5');
    });

    it('an operation the emulator does not implement: 501 NotImplemented; a wrong method: 405', async () => {
      const symlink = await rawRequest(emulator, {
        method: 'PUT',
        path: '/a.txt?symlink',
        headers: signedHeaders({ method: 'PUT', pathname: '/a.txt', query: { symlink: '' } }),
      });
      expect(symlink.status).toBe(501);
      expect(xmlField(symlink.text, 'Code')).toBe('NotImplemented');
      const wrong = await rawRequest(emulator, {
        method: 'PUT',
        path: '/a.txt?uploads',
        headers: signedHeaders({ method: 'PUT', pathname: '/a.txt', query: { uploads: '' } }),
      });
      expect(wrong.status).toBe(405);
      expect(xmlField(wrong.text, 'Code')).toBe('MethodNotAllowed');
    });

    it('POST ?image_process answers 501 NotImplemented for now (after the object and signature checks)', async () => {
      await put('proc.jpg', 'jpeg');
      const headers = signedHeaders({
        method: 'POST',
        pathname: '/proc.jpg',
        query: { image_process: '' },
        headers: { 'content-length': 0, 'pic-operations': PIC_OPERATIONS },
      });
      const res = await rawRequest(emulator, { method: 'POST', path: '/proc.jpg?image_process', headers });
      expect(res.status).toBe(501);
      expect(xmlField(res.text, 'Code')).toBe('NotImplemented');
      const missingHeaders = signedHeaders({
        method: 'POST',
        pathname: '/nope.jpg',
        query: { image_process: '' },
        headers: { 'content-length': 0, 'pic-operations': PIC_OPERATIONS },
      });
      const missing = await rawRequest(emulator, {
        method: 'POST',
        path: '/nope.jpg?image_process',
        headers: missingHeaders,
      });
      expect(missing.status).toBe(404);
    });

    it('an unexpected exception: 500 InternalError, and the server keeps serving', async () => {
      failProcessing = true;
      const res = await put('boom.jpg', 'jpeg', { 'pic-operations': PIC_OPERATIONS });
      expect(res.status).toBe(500);
      expect(xmlField(res.text, 'Code')).toBe('InternalError');
      expect(xmlField(res.text, 'Message')).not.toContain('processor bug');
      failProcessing = false;
      expect((await put('fine.txt', 'ok')).status).toBe(200);
    });

    it('a CosHttpError thrown by the processing hook reaches the client as is', async () => {
      const emulator2 = await startCiEmulator(
        {},
        {
          picProcessor: {
            validate: () => {
              throw new CosHttpError(400, 'InvalidPicOperations', 'rules must be an array');
            },
            process: storeOnlyPicProcessor.process,
          },
        },
      );
      try {
        const headers = signedHeaders({
          method: 'PUT',
          pathname: '/x.jpg',
          headers: { 'content-length': 4, 'pic-operations': '{}' },
        });
        const res = await rawRequest(emulator2, { method: 'PUT', path: '/x.jpg', headers, body: 'jpeg' });
        expect(res.status).toBe(400);
        expect(xmlField(res.text, 'Code')).toBe('InvalidPicOperations');
        expect(emulator2.listObjects(BUCKET)).toEqual([]);
      } finally {
        await emulator2.close();
      }
    });

    it('the request log records method, operation, key, status and error code', async () => {
      await put('logged.txt', 'x');
      await rawRequest(emulator, {
        method: 'GET',
        path: '/missing.txt',
        headers: signedHeaders({ method: 'GET', pathname: '/missing.txt' }),
      });
      expect(
        emulator.requests.map(({ method, operation, key, status, errorCode }) => ({
          method,
          operation,
          key,
          status,
          errorCode,
        })),
      ).toEqual([
        { method: 'PUT', operation: 'PutObject', key: 'logged.txt', status: 200, errorCode: undefined },
        { method: 'GET', operation: 'GetObject', key: 'missing.txt', status: 404, errorCode: 'NoSuchKey' },
      ]);
    });
  });
});

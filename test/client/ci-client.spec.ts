import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CiAbortError, CiClient, CiNetworkError, CiResponseError, CiTimeoutError } from '../../lib';
import { parseCosAuthorization, signCosRequest } from '../../lib/protocol';
import {
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
} from '../support/recording-server';

const credentials = { secretId: 'AKIDTESTCLIENT', secretKey: 'client-test-secret-key' };
const bucket = 'examplebucket-1250000000';

const uploadResultXml = `<?xml version="1.0"?><UploadResult><OriginalInfo><Key>a.jpg</Key><Location>x/a.jpg</Location>
<ImageInfo><Format>JPEG</Format><Width>640</Width><Height>480</Height><Quality>90</Quality><Ave>0x102030</Ave><Orientation>1</Orientation></ImageInfo>
<ETag>"e1"</ETag></OriginalInfo><ProcessResults><Object><Key>a-200.webp</Key><Location>x/a-200.webp</Location><Format>webp</Format>
<Width>200</Width><Height>150</Height><Size>5120</Size><Quality>80</Quality><ETag>"e2"</ETag></Object></ProcessResults></UploadResult>`;

/** Recomputes the signature from what arrived, as COS does. */
function verifySignature(req: RecordedRequest): boolean {
  const auth = parseCosAuthorization(String(req.headers.authorization))!;
  const url = new URL(req.url, 'http://x');
  const query: Record<string, string> = {};
  // The list holds lower-cased names (partnumber) of parameters sent as partNumber.
  for (const k of auth.urlParamList) {
    query[k] = [...url.searchParams].find(([name]) => name.toLowerCase() === k)?.[1] ?? '';
  }
  const headers: Record<string, string> = {};
  for (const h of auth.headerList) headers[h] = String(req.headers[h] ?? '');
  const pathname = decodeURIComponent(url.pathname.replace(`/${bucket}`, ''));
  const expected = signCosRequest({
    ...credentials,
    method: req.method,
    pathname,
    query,
    headers,
    keyTime: auth.keyTime,
  });
  return expected.signature === auth.signature;
}

function cosError(code: string, message: string, requestId = 'req-err-1') {
  return `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`;
}

function randomBytes(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7919) & 0xff;
  return b;
}

/** A stream that yields `total` bytes in 64 KiB chunks, pausing now and then like a client on a network. */
function slowSource(data: Buffer): Readable {
  return Readable.from(
    (async function* () {
      for (let off = 0; off < data.length; off += 65536) {
        if (off % (1024 * 1024) === 0) await sleep(1);
        yield data.subarray(off, off + 65536);
      }
    })(),
  );
}

describe('CiClient against a loopback server', () => {
  let server: RecordingServer;
  let client: CiClient;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it('sends a small stream as one signed PUT with Content-Length and Pic-Operations, and types the result', async () => {
    server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml', etag: '"e1"', 'x-cos-request-id': 'req-1' });
      res.end(uploadResultXml);
    });
    client = new CiClient({ bucket, region: 'ap-guangzhou', credentials, endpoint: server.url });
    const data = randomBytes(300_000);
    const pic =
      '{"is_pic_info":1,"rules":[{"fileid":"a-200.webp","rule":"imageMogr2/thumbnail/200x/format/webp"}]}';
    const result = await client.upload('a.jpg', slowSource(data), {
      picOperations: pic,
      contentType: 'image/jpeg',
    });

    expect(server.requests).toHaveLength(1);
    const put = server.requests[0]!;
    expect(put.method).toBe('PUT');
    expect(put.url).toBe(`/${bucket}/a.jpg`);
    expect(put.headers['content-length']).toBe('300000');
    expect(put.headers['transfer-encoding']).toBeUndefined();
    expect(put.headers['pic-operations']).toBe(pic);
    expect(put.body.equals(data)).toBe(true);
    expect(parseCosAuthorization(String(put.headers.authorization))!.headerList).toContain('pic-operations');
    expect(verifySignature(put)).toBe(true);
    expect(String(put.headers.authorization)).not.toContain(credentials.secretKey);
    expect(result).toMatchObject({ key: 'a.jpg', bucket, size: 300000, etag: 'e1', requestId: 'req-1' });
    expect(result.imageInfo.originalInfo).toMatchObject({
      width: 640,
      height: 480,
      quality: 90,
      ave: '0x102030',
    });
    expect(result.imageInfo.processResults).toEqual([
      expect.objectContaining({ key: 'a-200.webp', width: 200, height: 150, size: 5120, etag: 'e2' }),
    ]);
  });

  it('turns a large stream into a multipart upload with bounded parts in flight, Pic-Operations on Complete', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const parts = new Map<number, Buffer>();
    server = await startRecordingServer(async (req, res) => {
      const url = new URL(req.url, 'http://x');
      if (!verifySignature(req)) {
        res.writeHead(403).end(cosError('SignatureDoesNotMatch', 'bad'));
        return;
      }
      if (req.method === 'POST' && url.searchParams.has('uploads')) {
        res
          .writeHead(200)
          .end('<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>');
      } else if (req.method === 'PUT' && url.searchParams.has('partNumber')) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(15);
        inFlight--;
        parts.set(Number(url.searchParams.get('partNumber')), req.body);
        res.writeHead(200, { etag: `"${createHash('md5').update(req.body).digest('hex')}"` }).end();
      } else if (req.method === 'POST' && url.searchParams.get('uploadId') === 'up-1') {
        res.writeHead(200, { 'x-cos-request-id': 'req-complete' }).end(
          `<CompleteMultipartUploadResult><Location>l</Location><Bucket>${bucket}</Bucket><Key>big.jpg</Key><ETag>"m-10"</ETag>
           <ImageInfo><Format>JPEG</Format><Width>4000</Width><Height>3000</Height><Quality>90</Quality><Ave>0x000000</Ave><Orientation>1</Orientation></ImageInfo>
           <ProcessResults></ProcessResults></CompleteMultipartUploadResult>`,
        );
      } else {
        res.writeHead(400).end(cosError('InvalidRequest', 'unexpected'));
      }
    });
    client = new CiClient({ bucket, region: 'ap-guangzhou', credentials, endpoint: server.url });
    const data = randomBytes(10 * 1024 * 1024 + 12345);
    const result = await client.upload('big.jpg', slowSource(data), {
      picOperations: '{"is_pic_info":1}',
      tuning: { multipartThreshold: 4 * 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 3 },
    });

    const ops = server.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').search.split('=')[0]}`);
    expect(ops[0]).toBe('POST ?uploads');
    expect(ops.at(-1)).toBe('POST ?uploadId');
    // The first part is what was held up to the threshold (4 MiB), then parts of 1 MiB: 4 + 6 x 1 + the rest.
    expect(parts.size).toBe(8);
    expect(
      Buffer.concat([...parts.keys()].sort((a, b) => a - b).map((n) => parts.get(n)!)).equals(data),
    ).toBe(true);
    for (const r of server.requests) {
      expect(r.headers['transfer-encoding']).toBeUndefined();
      expect(r.headers['content-length']).toBe(String(r.body.length));
    }
    expect(server.requests[0]!.headers['pic-operations']).toBeUndefined();
    expect(server.requests.at(-1)!.headers['pic-operations']).toBe('{"is_pic_info":1}');
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(result).toMatchObject({
      key: 'big.jpg',
      etag: 'm-10',
      size: data.length,
      requestId: 'req-complete',
    });
    expect(result.imageInfo.originalInfo).toMatchObject({ width: 4000, key: 'big.jpg' });
  });

  it('aborts the multipart upload when a part fails, and reports the CI code and request id', async () => {
    server = await startRecordingServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (url.searchParams.has('uploads')) {
        res
          .writeHead(200)
          .end('<InitiateMultipartUploadResult><UploadId>up-2</UploadId></InitiateMultipartUploadResult>');
      } else if (url.searchParams.get('partNumber') === '3') {
        res
          .writeHead(400, { 'x-cos-request-id': 'req-part-3' })
          .end(cosError('BadDigest', 'digest mismatch', 'req-part-3'));
      } else if (req.method === 'DELETE') {
        res.writeHead(204).end();
      } else {
        res.writeHead(200, { etag: '"p"' }).end();
      }
    });
    client = new CiClient({ bucket, region: 'ap-guangzhou', credentials, endpoint: server.url });
    const err = await client
      .upload('x.jpg', slowSource(randomBytes(8 * 1024 * 1024)), {
        tuning: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 2 },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CiResponseError);
    expect(err).toMatchObject({
      statusCode: 400,
      ciCode: 'BadDigest',
      requestId: 'req-part-3',
      code: 'CI_RESPONSE',
    });
    expect((err as Error).message).not.toContain(credentials.secretKey);
    const last = server.requests.at(-1)!;
    expect(last.method).toBe('DELETE');
    expect(last.url).toContain('uploadId=up-2');
    expect(server.requests.some((r) => r.url.includes('partNumber=8'))).toBe(false);
  });

  it('aborts on the caller signal: CiAbortError, and the multipart upload is dropped', async () => {
    server = await startRecordingServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (url.searchParams.has('uploads')) {
        res
          .writeHead(200)
          .end('<InitiateMultipartUploadResult><UploadId>up-3</UploadId></InitiateMultipartUploadResult>');
      } else if (req.method === 'DELETE') {
        res.writeHead(204).end();
      } else {
        res.writeHead(200, { etag: '"p"' }).end();
      }
    });
    client = new CiClient({ bucket, region: 'ap-guangzhou', credentials, endpoint: server.url });
    const controller = new AbortController();
    const source = Readable.from(
      (async function* () {
        for (let i = 0; i < 100; i++) {
          if (i === 40) controller.abort();
          yield randomBytes(65536);
          await sleep(1);
        }
      })(),
    );
    const err = await client
      .upload('y.jpg', source, {
        signal: controller.signal,
        tuning: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024, partConcurrency: 2 },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CiAbortError);
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE' });
    expect(server.requests.at(-1)!.url).toContain('uploadId=up-3');
    expect(source.destroyed).toBe(true);
  });

  it('retries cloud processing on 503 SlowDown and on a reset connection, then types the result', async () => {
    let calls = 0;
    server = await startRecordingServer((_req, res, raw) => {
      calls++;
      if (calls === 1) return void res.writeHead(503).end(cosError('SlowDown', 'slow down'));
      if (calls === 2) return void raw.socket.destroy();
      res.writeHead(200, { 'x-cos-request-id': 'req-proc' }).end(uploadResultXml);
    });
    client = new CiClient({
      bucket,
      region: 'ap-guangzhou',
      credentials,
      endpoint: server.url,
      retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 },
    });
    const result = await client.processObject('a.jpg', '{"rules":[]}');
    expect(calls).toBe(3);
    expect(server.requests[2]!.url).toBe(`/${bucket}/a.jpg?image_process`);
    expect(verifySignature(server.requests[2]!)).toBe(true);
    expect(result.requestId).toBe('req-proc');
    expect(result.imageInfo.processResults[0]!.key).toBe('a-200.webp');
  });

  it('gives up after the retries with the last error', async () => {
    server = await startRecordingServer((_req, res) =>
      res.writeHead(500).end(cosError('InternalError', 'boom')),
    );
    client = new CiClient({
      bucket,
      region: 'ap-guangzhou',
      credentials,
      endpoint: server.url,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 },
    });
    await expect(client.processObject('a.jpg', '{}')).rejects.toMatchObject({
      statusCode: 500,
      ciCode: 'InternalError',
    });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 4xx', async () => {
    server = await startRecordingServer((_req, res) =>
      res.writeHead(404).end(cosError('NoSuchKey', 'missing')),
    );
    client = new CiClient({ bucket, region: 'ap-guangzhou', credentials, endpoint: server.url });
    await expect(client.headObject('nope.jpg')).rejects.toMatchObject({
      statusCode: 404,
      ciCode: 'NoSuchKey',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('times out waiting for headers with CiTimeoutError', async () => {
    server = await startRecordingServer(async (_req, res) => {
      await sleep(1500);
      res.writeHead(200).end(uploadResultXml);
    });
    client = new CiClient({
      bucket,
      region: 'ap-guangzhou',
      credentials,
      endpoint: server.url,
      timeouts: { headersMs: 100 },
      retry: { retries: 0 },
    });
    const err = await client.processObject('a.jpg', '{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CiTimeoutError);
    expect(err).toMatchObject({ phase: 'headers', code: 'CI_TIMEOUT' });
  });

  it('times out on a slow body with CiTimeoutError(body)', async () => {
    server = await startRecordingServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write('<UploadResult>');
      // undici checks its timers on a ~0.5 s tick, so the stall must be well past that.
      await sleep(1500);
      res.end('</UploadResult>');
    });
    client = new CiClient({
      bucket,
      region: 'ap-guangzhou',
      credentials,
      endpoint: server.url,
      timeouts: { bodyMs: 100 },
      retry: { retries: 0 },
    });
    await expect(client.processObject('a.jpg', '{}')).rejects.toMatchObject({
      name: 'CiTimeoutError',
      phase: 'body',
    });
  });

  it('reports a refused connection as CiNetworkError', async () => {
    server = await startRecordingServer((_req, res) => res.end());
    const url = server.url;
    await server.close();
    client = new CiClient({
      bucket,
      region: 'ap-guangzhou',
      credentials,
      endpoint: url,
      retry: { retries: 0 },
    });
    const err = await client.headObject('a.jpg').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CiNetworkError);
    expect((err as CiNetworkError).syscallCode).toBe('ECONNREFUSED');
  });

  it('corrects clock skew from the server Date on RequestTimeTooSkewed', async () => {
    const serverNow = Date.now() + 3_600_000;
    server = await startRecordingServer((req, res) => {
      const auth = parseCosAuthorization(String(req.headers.authorization))!;
      const start = Number(auth.keyTime.split(';')[0]) * 1000;
      if (Math.abs(start - serverNow) > 60_000) {
        res
          .writeHead(403, { date: new Date(serverNow).toUTCString() })
          .end(cosError('RequestTimeTooSkewed', 'skewed'));
      } else {
        res.writeHead(200, { 'x-cos-request-id': 'req-ok' }).end(uploadResultXml);
      }
    });
    client = new CiClient({ bucket, region: 'ap-guangzhou', credentials, endpoint: server.url });
    const result = await client.processObject('a.jpg', '{}');
    expect(result.requestId).toBe('req-ok');
    expect(server.requests).toHaveLength(2);
  });

  it('asks an STS provider again before its credentials expire and sends the token', async () => {
    server = await startRecordingServer((_req, res) => res.writeHead(204).end());
    let now = 1_700_000_000_000;
    let asked = 0;
    client = new CiClient({
      bucket,
      region: 'ap-guangzhou',
      endpoint: server.url,
      now: () => now,
      credentials: async () => {
        asked++;
        return { ...credentials, securityToken: `token-${asked}`, expiresAt: now + 120_000 };
      },
    });
    await client.deleteObject('a.jpg');
    await client.deleteObject('b.jpg');
    now += 90_000;
    await client.deleteObject('c.jpg');
    expect(asked).toBe(2);
    expect(server.requests.map((r) => r.headers['x-cos-security-token'])).toEqual([
      'token-1',
      'token-1',
      'token-2',
    ]);
  });

  it('refuses a bucket that is not <name>-<appid>', () => {
    expect(() => new CiClient({ bucket: 'photos', region: 'ap-guangzhou', credentials })).toThrow(
      /name>-<appid/,
    );
  });
});

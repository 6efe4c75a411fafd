import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { XMLValidator } from 'fast-xml-parser';
import { type CiEmulator, EMULATOR_DEV_CREDENTIALS, startCiEmulator } from '../../emulator';
import { quadrantJpeg } from '../../emulator/processing/test-images';
import { CiClient, type CiClientOptions } from '../../lib/client';
import { CiNetworkError, CiProtocolError, CiResponseError, CiTimeoutError } from '../../lib/core/errors';
import { BUCKET, rawRequest, signedHeaders, VIRTUAL_HOST, xmlField } from './support/emulator-test-kit';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const PIC_OPERATIONS = JSON.stringify({
  is_pic_info: 1,
  rules: [{ fileid: 'small.png', rule: 'imageMogr2/thumbnail/50x/format/png' }],
});

/** What a raw client saw of one exchange, with timings from the moment the request was sent. */
interface Observed {
  status?: number;
  headersAtMs?: number;
  endAtMs?: number;
  body: Buffer;
  error?: NodeJS.ErrnoException;
  reusedSocket?: boolean;
}

/** One signed request to the emulator with node:http, reporting what happened instead of throwing. */
function observe(
  emulator: CiEmulator,
  options: {
    method: string;
    key: string;
    body?: Buffer;
    headers?: Record<string, string | number>;
    agent?: Agent;
    timeoutMs?: number;
  },
): Promise<Observed> {
  const headers: OutgoingHttpHeaders = signedHeaders({
    method: options.method,
    pathname: `/${options.key}`,
    headers: { 'content-length': options.body?.length ?? 0, ...options.headers },
  });
  return new Promise((resolve) => {
    const started = Date.now();
    const seen: Observed = { body: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (error?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      seen.body = Buffer.concat(chunks);
      if (error) seen.error = error;
      else seen.endAtMs = Date.now() - started;
      resolve(seen);
    };
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: emulator.port,
        method: options.method,
        path: `/${options.key}`,
        headers,
        agent: options.agent,
      },
      (res: IncomingMessage) => {
        seen.status = res.statusCode;
        seen.headersAtMs = Date.now() - started;
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          res.complete ? settle() : settle(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })),
        );
        res.on('error', (error) => settle(error));
        res.on('aborted', () => settle(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      },
    );
    req.on('socket', () => (seen.reusedSocket = req.reusedSocket));
    req.on('error', (error) => settle(error));
    if (options.timeoutMs) {
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
      );
    }
    req.end(options.body);
  });
}

function clientFor(emulator: CiEmulator, options: Partial<CiClientOptions> = {}): CiClient {
  return new CiClient({
    bucket: BUCKET,
    region: emulator.region,
    credentials: EMULATOR_DEV_CREDENTIALS,
    endpoint: emulator.url,
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

describe('emulator fault injection', () => {
  let emulator: CiEmulator;
  let client: CiClient;
  let jpeg: Buffer;

  beforeAll(async () => {
    emulator = await startCiEmulator({ minPartSize: 0 });
    client = clientFor(emulator);
    jpeg = await quadrantJpeg(200, 100);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });
  beforeEach(() => emulator.reset());

  async function store(key: string, body: Buffer): Promise<void> {
    expect((await observe(emulator, { method: 'PUT', key, body })).status).toBe(200);
  }

  describe('error', () => {
    it('answers the XML error without storing anything, keeps the connection usable, and counts `times`', async () => {
      const id = emulator.faults.add({
        match: { operation: 'PutObject' },
        times: 2,
        action: { type: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
      });
      expect(id).toEqual(expect.any(String));
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const body = randomBytes(256 * 1024);
        const first = await observe(emulator, { method: 'PUT', key: 'e/a.bin', body, agent });
        expect(first.status).toBe(503);
        expect(xmlField(first.body.toString(), 'Code')).toBe('SlowDown');
        expect(xmlField(first.body.toString(), 'Message')).toBe('Please reduce your request rate.');
        expect(emulator.faults.list()).toEqual([expect.objectContaining({ id, remaining: 1, hits: 1 })]);

        const second = await observe(emulator, { method: 'PUT', key: 'e/a.bin', body, agent });
        expect(second.status).toBe(503);
        // The body was read and dropped: the same connection carries the next request.
        expect(second.reusedSocket).toBe(true);
        expect(emulator.listObjects(BUCKET)).toEqual([]);
        expect(emulator.faults.list()).toEqual([]);

        const third = await observe(emulator, { method: 'PUT', key: 'e/a.bin', body, agent });
        expect(third.status).toBe(200);
        expect(third.reusedSocket).toBe(true);
        expect(md5((await emulator.getObject(BUCKET, 'e/a.bin'))!)).toBe(md5(body));
      } finally {
        agent.destroy();
      }
      const records = emulator.requests.filter((r) => r.operation === 'PutObject');
      expect(records.map((r) => [r.status, r.errorCode, r.fault?.type])).toEqual([
        [503, 'SlowDown', 'error'],
        [503, 'SlowDown', 'error'],
        [200, undefined, undefined],
      ]);
    });

    it('CiClient retries a 500 on image_process and succeeds once the fault is spent; a Pic-Operations PUT is not retried', async () => {
      await store('e/p.jpg', jpeg);
      emulator.faults.add({
        match: { operation: 'ImageProcess' },
        times: 2,
        action: { type: 'error', status: 500, code: 'InternalError' },
      });
      const result = await client.processObject('e/p.jpg', PIC_OPERATIONS);
      expect(result.imageInfo.processResults).toEqual([
        expect.objectContaining({ key: 'e/small.png', width: 50 }),
      ]);
      expect(emulator.requests.filter((r) => r.operation === 'ImageProcess').map((r) => r.status)).toEqual([
        500, 500, 200,
      ]);

      emulator.faults.add({
        match: { operation: 'PutObject' },
        action: { type: 'error', status: 503, code: 'SlowDown' },
      });
      const refused = await client
        .putObject('e/q.jpg', jpeg, { picOperations: PIC_OPERATIONS })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CiResponseError);
      expect(refused).toMatchObject({ statusCode: 503, ciCode: 'SlowDown' });
      expect(emulator.listObjects(BUCKET, 'e/q')).toEqual([]);
    });

    it('on UploadPart (retried by the client) and on CompleteMultipartUpload (not retried: the client aborts)', async () => {
      const MiB = 1024 * 1024;
      const tuned = clientFor(emulator, { upload: { multipartThreshold: MiB, partSize: MiB } });
      try {
        const body = randomBytes(3 * MiB + 1000);
        emulator.faults.add({
          match: { operation: 'UploadPart' },
          times: 2,
          action: { type: 'error', status: 503, code: 'SlowDown' },
        });
        await tuned.upload('m/a.bin', Readable.from([body]));
        expect(md5((await emulator.getObject(BUCKET, 'm/a.bin'))!)).toBe(md5(body));
        const parts = emulator.requests.filter((r) => r.operation === 'UploadPart');
        expect(parts.filter((r) => r.fault?.type === 'error')).toHaveLength(2);
        expect(parts.filter((r) => r.status === 200)).toHaveLength(4);

        emulator.faults.add({
          match: { operation: 'CompleteMultipartUpload' },
          action: { type: 'error', status: 500, code: 'InternalError' },
        });
        const failed = await tuned.upload('m/b.bin', Readable.from([body])).catch((e: unknown) => e);
        expect(failed).toMatchObject({ statusCode: 500, ciCode: 'InternalError' });
        expect(emulator.listObjects(BUCKET, 'm/b')).toEqual([]);
        expect(emulator.listMultipartUploads(BUCKET)).toEqual([]);
      } finally {
        await tuned.close();
      }
    });
  });

  describe('matching', () => {
    it('by key prefix and method, first matching fault first; an empty match takes every request', async () => {
      emulator.faults.add({
        match: { keyPrefix: 'slow/', method: 'put' },
        times: Infinity,
        action: { type: 'error', status: 500, code: 'InternalError' },
      });
      expect(
        (await observe(emulator, { method: 'PUT', key: 'fast/a.txt', body: Buffer.from('a') })).status,
      ).toBe(200);
      expect(
        (await observe(emulator, { method: 'PUT', key: 'slow/a.txt', body: Buffer.from('a') })).status,
      ).toBe(500);
      expect(
        (await observe(emulator, { method: 'PUT', key: 'slow/b.txt', body: Buffer.from('b') })).status,
      ).toBe(500);
      expect((await observe(emulator, { method: 'GET', key: 'slow/a.txt' })).status).toBe(404);
      expect(emulator.faults.list()).toEqual([expect.objectContaining({ remaining: Infinity, hits: 2 })]);

      emulator.faults.clear();
      emulator.faults.add({ action: { type: 'error', status: 502, code: 'BadGateway' } });
      emulator.faults.add({ action: { type: 'error', status: 504, code: 'GatewayTimeout' } });
      expect((await observe(emulator, { method: 'GET', key: 'fast/a.txt' })).status).toBe(502);
      expect((await observe(emulator, { method: 'HEAD', key: 'fast/a.txt' })).status).toBe(504);
      expect((await observe(emulator, { method: 'GET', key: 'fast/a.txt' })).status).toBe(200);
    });

    it('remove(id), clear(), reset(); a bad fault is refused with a TypeError naming the field', () => {
      const a = emulator.faults.add({ action: { type: 'stall' } });
      emulator.faults.add({
        match: { operation: ['PutObject', 'UploadPart'] },
        action: { type: 'malformed-xml' },
      });
      expect(emulator.faults.remove(a)).toBe(true);
      expect(emulator.faults.remove(a)).toBe(false);
      expect(emulator.faults.list()).toHaveLength(1);
      emulator.faults.clear();
      expect(emulator.faults.list()).toEqual([]);
      expect(() =>
        emulator.faults.add({ match: { operation: 'PutObjet' as 'PutObject' }, action: { type: 'stall' } }),
      ).toThrow(/fault\.match\.operation must be one of/);
      expect(() => emulator.faults.add({ action: { type: 'error', status: 200, code: 'X' } })).toThrow(
        /fault\.action\.status/,
      );
      expect(() => emulator.faults.add({ times: 0, action: { type: 'stall' } })).toThrow(/fault\.times/);
    });
  });

  describe('latency', () => {
    it('phase headers: the request is served, its answer held; a client header timeout fires', async () => {
      await store('l/a.jpg', jpeg);
      emulator.faults.add({ match: { operation: 'GetObject' }, action: { type: 'latency', ms: 300 } });
      const slow = await observe(emulator, { method: 'GET', key: 'l/a.jpg' });
      expect(slow.status).toBe(200);
      expect(slow.headersAtMs).toBeGreaterThanOrEqual(280);
      expect(slow.body).toEqual(jpeg);

      // undici checks its timeouts on a coarse clock (about every 500 ms): hold the answer well past that.
      emulator.faults.add({
        match: { operation: 'HeadObject' },
        times: 5,
        action: { type: 'latency', ms: 2500, phase: 'headers' },
      });
      const impatient = clientFor(emulator, { timeouts: { headersMs: 100 }, retry: { retries: 0 } });
      try {
        const error = await impatient.headObject('l/a.jpg').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CiTimeoutError);
        expect(error).toMatchObject({ phase: 'headers' });
      } finally {
        await impatient.close();
      }
    });

    it('phase headers on a PUT with Pic-Operations: the processing happened, only the answer is late', async () => {
      emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'latency', ms: 250 } });
      const started = Date.now();
      const result = await client.putObject('l/p.jpg', jpeg, { picOperations: PIC_OPERATIONS });
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
      expect(result.imageInfo.processResults).toEqual([expect.objectContaining({ key: 'l/small.png' })]);
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['l/p.jpg', 'l/small.png']);
    });

    it('phase body: the headers at once, then each piece of chunkBytes after ms; a client body timeout fires', async () => {
      const body = randomBytes(5000);
      await store('l/b.bin', body);
      emulator.faults.add({
        match: { operation: 'GetObject' },
        action: { type: 'latency', ms: 60, phase: 'body', chunkBytes: 1000 },
      });
      const paced = await observe(emulator, { method: 'GET', key: 'l/b.bin' });
      expect(paced.status).toBe(200);
      expect(paced.body).toEqual(body);
      expect(paced.headersAtMs).toBeLessThan(200);
      expect(paced.endAtMs! - paced.headersAtMs!).toBeGreaterThanOrEqual(250);

      emulator.faults.add({
        match: { operation: 'GetObject' },
        times: 5,
        action: { type: 'latency', ms: 2500, phase: 'body', chunkBytes: 4096 },
      });
      const impatient = clientFor(emulator, { timeouts: { bodyMs: 100 }, retry: { retries: 0 } });
      try {
        const download = await impatient.getObject('l/b.bin');
        const started = Date.now();
        expect(download.statusCode).toBe(200);
        const error = await (async () => {
          for await (const _chunk of download.body) {
            /* drain */
          }
        })().catch((e: unknown) => e);
        expect((error as { code?: string }).code).toBe('UND_ERR_BODY_TIMEOUT');
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        await impatient.close();
      }
    });
  });

  describe('reset', () => {
    it('phase request: the connection is reset after part of the body; nothing stored; the server keeps serving', async () => {
      emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'reset', phase: 'request' } });
      const body = randomBytes(512 * 1024);
      const seen = await observe(emulator, { method: 'PUT', key: 'r/a.bin', body });
      expect(seen.status).toBeUndefined();
      expect(seen.error?.code).toMatch(/ECONNRESET|EPIPE/);
      expect(emulator.listObjects(BUCKET)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(emulator.requests.at(-1)).toMatchObject({
        operation: 'PutObject',
        status: 0,
        fault: { type: 'reset' },
      });

      emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'reset', phase: 'request' } });
      const error = await client
        .putObject('r/b.jpg', jpeg, { picOperations: PIC_OPERATIONS })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CiNetworkError);
      expect(
        (await observe(emulator, { method: 'PUT', key: 'r/c.bin', body: Buffer.from('c') })).status,
      ).toBe(200);
    });

    it('phase response: the status and headers arrive, then the body breaks off', async () => {
      const body = randomBytes(64 * 1024);
      await store('r/d.bin', body);
      emulator.faults.add({
        match: { operation: 'GetObject' },
        action: { type: 'reset', phase: 'response' },
      });
      const seen = await observe(emulator, { method: 'GET', key: 'r/d.bin' });
      expect(seen.status).toBe(200);
      expect(seen.error?.code).toMatch(/ECONNRESET|aborted/i);
      expect(seen.body.length).toBeLessThan(body.length);
    });
  });

  describe('stall', () => {
    it('never answers: the client gives up; the request is logged once it does', async () => {
      emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'stall' } });
      const seen = await observe(emulator, {
        method: 'PUT',
        key: 's/a.txt',
        body: Buffer.from('stalled'),
        timeoutMs: 300,
      });
      expect(seen.status).toBeUndefined();
      expect(seen.error?.code).toBe('TIMEOUT');
      expect(emulator.listObjects(BUCKET)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(emulator.requests.at(-1)).toMatchObject({
        operation: 'PutObject',
        status: 0,
        fault: { type: 'stall' },
      });
    });

    it('close() still ends an emulator with a stalled request', async () => {
      const other = await startCiEmulator({ faults: [{ action: { type: 'stall' } }] });
      const pending = observe(other, { method: 'GET', key: 'x.txt' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await other.close();
      expect(Date.now() - started).toBeLessThan(1000);
      const seen = await pending;
      expect(seen.status).toBeUndefined();
      expect(seen.error).toBeDefined();
    });
  });

  describe('malformed-xml', () => {
    it('answers 200 with a document that is not XML, after serving the request', async () => {
      emulator.faults.add({ match: { operation: 'PutObject' }, action: { type: 'malformed-xml' } });
      const error = await client
        .putObject('x/a.jpg', jpeg, { picOperations: PIC_OPERATIONS })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CiProtocolError);
      expect(emulator.listObjects(BUCKET).map((o) => o.key)).toEqual(['x/a.jpg', 'x/small.png']);

      emulator.faults.add({ match: { operation: 'GetObject' }, action: { type: 'malformed-xml' } });
      const seen = await observe(emulator, { method: 'GET', key: 'missing.txt' });
      expect(seen.status).toBe(200);
      expect(XMLValidator.validate(seen.body.toString())).not.toBe(true);
    });
  });

  describe('admin endpoint', () => {
    async function admin(method: string, path: string, body?: unknown) {
      return rawRequest(emulator, {
        method,
        path,
        headers: { host: `127.0.0.1:${emulator.port}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    }

    it('POST adds faults (one or an array), GET lists them, DELETE removes one or all; no signature needed', async () => {
      const added = await admin('POST', '/_emulator/faults', {
        match: { operation: 'PutObject', keyPrefix: 'adm/' },
        times: 1,
        action: { type: 'error', status: 503, code: 'SlowDown' },
      });
      expect(added.status).toBe(201);
      const { id } = JSON.parse(added.text) as { id: string };
      const listed = JSON.parse((await admin('GET', '/_emulator/faults')).text) as { faults: unknown[] };
      expect(listed.faults).toEqual([
        {
          id,
          match: { operation: 'PutObject', keyPrefix: 'adm/' },
          action: { type: 'error', status: 503, code: 'SlowDown' },
          remaining: 1,
          hits: 0,
        },
      ]);
      expect(
        (await observe(emulator, { method: 'PUT', key: 'adm/a.txt', body: Buffer.from('a') })).status,
      ).toBe(503);
      expect(
        (await observe(emulator, { method: 'PUT', key: 'adm/a.txt', body: Buffer.from('a') })).status,
      ).toBe(200);

      const many = await admin('POST', '/_emulator/faults', [
        { action: { type: 'stall' } },
        { times: 1e9, action: { type: 'latency', ms: 5 } },
      ]);
      expect(many.status).toBe(201);
      const { ids } = JSON.parse(many.text) as { ids: string[] };
      expect(ids).toHaveLength(2);
      expect((await admin('DELETE', `/_emulator/faults/${ids[0]}`)).status).toBe(204);
      expect((await admin('DELETE', `/_emulator/faults/${ids[0]}`)).status).toBe(404);
      expect(emulator.faults.list().map((f) => f.id)).toEqual([ids[1]]);
      expect((await admin('DELETE', '/_emulator/faults')).status).toBe(204);
      expect(emulator.faults.list()).toEqual([]);
    });

    it('refuses cross-site requests: a foreign Origin (403) and a body that is not JSON (415) add no fault', async () => {
      const fault = JSON.stringify({ match: { operation: 'PutObject' }, action: { type: 'stall' } });
      const fromPage = await rawRequest(emulator, {
        method: 'POST',
        path: '/_emulator/faults',
        headers: {
          host: `127.0.0.1:${emulator.port}`,
          origin: 'http://evil.example',
          'content-type': 'text/plain',
        },
        body: fault,
      });
      expect(fromPage.status).toBe(403);
      expect(JSON.parse(fromPage.text)).toEqual({
        error: expect.stringMatching(/cross-site.*evil\.example/),
      });
      const foreignJson = await rawRequest(emulator, {
        method: 'POST',
        path: '/_emulator/faults',
        headers: {
          host: `127.0.0.1:${emulator.port}`,
          origin: 'http://evil.example',
          'content-type': 'application/json',
        },
        body: fault,
      });
      expect(foreignJson.status).toBe(403);
      const clearFromPage = await rawRequest(emulator, {
        method: 'DELETE',
        path: '/_emulator/faults',
        headers: { host: `127.0.0.1:${emulator.port}`, origin: 'https://evil.example' },
      });
      expect(clearFromPage.status).toBe(403);
      const plain = await rawRequest(emulator, {
        method: 'POST',
        path: '/_emulator/faults',
        headers: { host: `127.0.0.1:${emulator.port}`, 'content-type': 'text/plain' },
        body: fault,
      });
      expect(plain.status).toBe(415);
      expect(JSON.parse(plain.text)).toEqual({ error: expect.stringMatching(/application\/json/) });
      expect(emulator.faults.list()).toEqual([]);

      // The emulator's own page (same origin) with JSON is served.
      const own = await rawRequest(emulator, {
        method: 'POST',
        path: '/_emulator/faults',
        headers: {
          host: `127.0.0.1:${emulator.port}`,
          origin: `http://127.0.0.1:${emulator.port}`,
          'content-type': 'application/json; charset=utf-8',
        },
        body: fault,
      });
      expect(own.status).toBe(201);
      expect(emulator.faults.list()).toHaveLength(1);
    });

    it('refuses a bad fault with 400 naming the field; other paths 404; on a bucket host it is a COS request', async () => {
      const bad = await admin('POST', '/_emulator/faults', { action: { type: 'latency', ms: 'slow' } });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.text)).toEqual({
        error: expect.stringMatching(/fault\.action\.ms must be an integer/),
      });
      expect((await admin('POST', '/_emulator/faults', '{not json')).status).toBe(400);
      expect((await admin('GET', '/_emulator/nothing')).status).toBe(404);
      expect((await admin('PUT', '/_emulator/faults')).status).toBe(405);
      expect(emulator.faults.list()).toEqual([]);

      const onBucket = await rawRequest(emulator, {
        method: 'GET',
        path: '/_emulator/faults',
        headers: { host: VIRTUAL_HOST },
      });
      expect(onBucket.status).toBe(403);
      expect(xmlField(onBucket.text, 'Code')).toBe('AccessDenied');
      expect(emulator.faults.list()).toEqual([]);
    });
  });
});

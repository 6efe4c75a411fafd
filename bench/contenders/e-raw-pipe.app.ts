/**
 * Contender E, the floor: a bare `node:http` server (no Nest, no multer, no multipart) that pipes the RAW request
 * body straight into one signed PUT to the emulator, with the request's `Content-Length` and the same
 * `Pic-Operations` header, and answers the number of outputs CI reported. No sniffing, no part assembly, no
 * copy: the least CPU and memory any inbound hop can cost (bytes in through one socket, out through another).
 * Its clients send the image itself (`Content-Type: image/jpeg`), not a form. Started by bench/main.bench.ts.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { putObjectRequest, requestTarget, signingPathname } from '../../lib/protocol/cos-v5/requests';
import { formatAuthorization, signCosRequest } from '../../lib/protocol/cos-v5/sign';
import { contenderEnv, sdkPicOperations, serveContender } from '../support/contender-host';

const env = contenderEnv();
const upstream = new URL(env.emulatorUrl);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const server = createServer((req, res) => {
  const length = Number(req.headers['content-length']);
  if (req.method !== 'POST' || !Number.isSafeInteger(length)) {
    res.writeHead(411).end();
    req.resume();
    return;
  }
  const name = randomUUID();
  const put = putObjectRequest(`bench-e/${name}.jpg`, {
    contentLength: length,
    contentType: 'image/jpeg',
    picOperations: sdkPicOperations(`${name}-200.webp`),
  });
  const headers: Record<string, string> = { ...put.headers, host: upstream.host };
  const signature = signCosRequest({
    secretId: env.secretId,
    secretKey: env.secretKey,
    method: put.method,
    pathname: signingPathname(put),
    query: put.query,
    headers,
  });
  headers.authorization = formatAuthorization(env.secretId, signature);
  const out = request({
    host: upstream.hostname,
    port: upstream.port,
    method: put.method,
    path: requestTarget(put, env.bucket),
    headers,
    agent,
  });
  out.on('response', (answer) => {
    const chunks: Buffer[] = [];
    answer.on('data', (c: Buffer) => chunks.push(c));
    answer.on('end', () => {
      const xml = Buffer.concat(chunks).toString('utf8');
      const outputs = xml.split('<Object>').length - 1;
      res
        .writeHead(answer.statusCode === 200 ? 201 : 502, { 'content-type': 'application/json' })
        .end(JSON.stringify({ imageInfo: { processResults: new Array(outputs).fill({}) } }));
    });
  });
  pipeline(req, out).catch(() => {
    if (!res.headersSent) res.writeHead(502).end();
  });
});

server.listen(0, '127.0.0.1', () => {
  serveContender({ port: (server.address() as AddressInfo).port }, {}, async () => {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});

// A plain Express app with no @nestjs/* installed: the README's file (src/app.ts, copied by the consumer test),
// against `npx ci-emulator`, run by node's own test runner.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { request as httpRequest, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import sharp from 'sharp';
import request from 'supertest';
import { CiClient, ciErrorHandler, ciUpload } from 'nestjs-tencent-ci/express';
import { app, closeUploads } from '../src/app.js';

const connection = {
  bucket: process.env.COS_BUCKET!,
  region: process.env.COS_REGION!,
  endpoint: process.env.COS_ENDPOINT,
  credentials: { secretId: process.env.COS_SECRET_ID!, secretKey: process.env.COS_SECRET_KEY! },
};
const thumb = { fileid: '{name}-200.webp', rule: 'imageMogr2/thumbnail/200x/format/webp' };

/** Waits until `check` holds (polling), failing after 10 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('plain Express (no Nest) from the packed package', () => {
  const client = new CiClient(connection);
  const stored: string[] = [];
  let failing: ReturnType<typeof ciUpload>;
  let server: Server;
  let handled: () => void = () => undefined;
  const absent = async (key: string) =>
    client.headObject(key).then(
      () => false,
      (err: { statusCode?: number }) => err.statusCode === 404,
    );

  before(async () => {
    // A route whose handler fails after the upload, at once or once the client has gone.
    failing = ciUpload({ field: 'file', rules: [thumb], ...connection });
    const extra = express();
    extra.post('/fails', failing, (req, _res, next) => {
      stored.push(req.ciResult!.key, ...req.ciResult!.imageInfo.processResults.map((r) => r.key));
      next(new Error('database down'));
    });
    extra.post('/fails-late', failing, (req, res, next) => {
      stored.push(req.ciResult!.key, ...req.ciResult!.imageInfo.processResults.map((r) => r.key));
      handled();
      res.once('close', () => next(new Error('database down')));
    });
    extra.use(ciErrorHandler({ logger: { log() {}, warn() {}, error() {} } }));
    app.use(extra);
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
  });

  after(async () => {
    await Promise.all([closeUploads(), failing.close(), client.close()]);
    await new Promise((r) => server.close(r));
  });

  const jpeg = () =>
    sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6' } })
      .jpeg()
      .toBuffer();

  it('stores the image and its thumbnail on both routes', async () => {
    for (const path of ['/avatars', '/photos']) {
      const res = await request(server)
        .post(path)
        .attach('file', await jpeg(), 'holiday.jpg');
      assert.equal(res.status, 201);
      assert.equal(res.body.imageInfo.processResults[0].width, 200);
    }
  });

  it('answers a fake image 415 and a large one 413, as JSON', async () => {
    for (const path of ['/avatars', '/photos']) {
      const fake = await request(server).post(path).attach('file', Buffer.from('<html>x</html>'), 'a.jpg');
      assert.equal(fake.status, 415);
      assert.equal(fake.type, 'application/json');
      assert.equal(fake.body.error, 'Unsupported Media Type');
      const noise = await sharp({
        create: {
          width: 3000,
          height: 3000,
          channels: 3,
          background: '#000',
          noise: { type: 'gaussian', mean: 128, sigma: 80 },
        },
      })
        .jpeg({ quality: 100 })
        .toBuffer();
      assert.ok(noise.length > 5 * 1024 * 1024, `${noise.length} bytes`);
      const big = await request(server).post(path).attach('file', noise, 'big.jpg');
      assert.equal(big.status, 413);
      assert.equal(big.body.error, 'Payload Too Large');
    }
  });

  it('refuses a declared Content-Length the route cannot fit before reading the body, and closes', async () => {
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
      socket.write(
        'POST /avatars HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          'Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 67108864\r\n\r\n--b\r\n',
      );
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
  });

  it('removes what a failing handler stored', async () => {
    stored.length = 0;
    const res = await request(server)
      .post('/fails')
      .attach('file', await jpeg(), 'a.jpg');
    assert.deepEqual([res.status, res.body.message], [500, 'Internal server error']);
    assert.equal(stored.length, 2);
    for (const key of stored) await until(() => absent(key));
  });

  it('removes what a handler stored when it fails after the client left', async () => {
    stored.length = 0;
    const body = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'),
      await jpeg(),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const reached = new Promise<void>((r) => (handled = r));
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/fails-late',
      headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': body.length },
    });
    req.on('error', () => undefined);
    req.end(body);
    await reached;
    req.destroy();
    assert.equal(stored.length, 2);
    for (const key of stored) await until(() => absent(key));
  });
});

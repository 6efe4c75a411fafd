import { Body, Controller, Module, Post, Req, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import express, { type Request } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CiService, imageMogr2, type CiDirectUploadRoute, type CiUploadTicket } from '../../lib';
import { ciDirectUpload, type CiDirectUploadHandlers } from '../../lib/express';
import { CiTestingModule } from '../../testing';
import { useEmulatorBucket } from '../support/bucket-kit';
import { photoJpeg } from '../support/images';

const thumb = { fileid: '{name}-thumb.webp', rule: imageMogr2().thumbnail({ width: 120 }).format('webp') };

/** A complete controller serving tickets and confirmations for one profile, as the README shows it. */
@Controller('avatars')
class AvatarsController {
  private readonly direct: CiDirectUploadRoute;

  constructor(ci: CiService) {
    this.direct = ci.directUploadRoute('avatar', {
      rules: [thumb],
      maxSize: 2 * 1024 * 1024,
      key: (req: Request, file) => `avatars/${String(req.headers['x-user-id'])}.${file.ext}`,
    });
  }

  @Post('ticket')
  ticket(@Body() body: unknown, @Req() req: Request) {
    return this.direct.ticket(body, req);
  }

  @Post('confirm')
  confirm(@Body() body: unknown) {
    return this.direct.confirm(body);
  }
}

@Module({ imports: [CiTestingModule.forRoot()], controllers: [AvatarsController] })
class AppModule {}

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The browser's part: the upload straight to storage with the ticket, plain fetch. */
async function upload(ticket: CiUploadTicket, file: Buffer): Promise<number> {
  const res = await fetch(ticket.url, {
    method: ticket.method,
    headers: ticket.headers,
    body: new Uint8Array(file),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('direct upload route helpers', () => {
  let jpeg: Buffer;
  beforeAll(async () => {
    jpeg = await photoJpeg(600, 400);
  });

  describe('Nest: CiService.directUploadRoute in a controller', () => {
    let app: INestApplication;
    let base: string;
    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      app = moduleRef.createNestApplication();
      await app.listen(0, '127.0.0.1');
      base = await app.getUrl();
    });
    afterAll(() => app.close());

    it('serves a ticket named by the key strategy, and confirm answers the CiUploadResult', async () => {
      const ticket = await post(
        base,
        '/avatars/ticket',
        { contentType: 'image/jpeg', size: jpeg.length, originalName: 'me.jpg' },
        { 'x-user-id': 'u42' },
      );
      expect(ticket.status).toBe(201);
      expect(ticket.body).toMatchObject({
        key: 'avatars/u42.jpg',
        kind: 'put',
        outputs: [{ key: 'avatars/u42-thumb.webp', bucket: expect.any(String) }],
      });
      expect(await upload(ticket.body as unknown as CiUploadTicket, jpeg)).toBe(200);
      const confirmed = await post(base, '/avatars/confirm', { token: ticket.body.token });
      expect(confirmed.status).toBe(201);
      expect(confirmed.body).toMatchObject({
        key: 'avatars/u42.jpg',
        mimetype: 'image/jpeg',
        originalName: 'me.jpg',
        imageInfo: { processResults: [{ key: 'avatars/u42-thumb.webp', width: 120, height: 80 }] },
      });
    });

    it('answers bad bodies and refused files with the upload routes statuses', async () => {
      expect(await post(base, '/avatars/ticket', {})).toMatchObject({ status: 400 });
      expect(await post(base, '/avatars/ticket', { contentType: 'application/pdf', size: 10 })).toMatchObject(
        { status: 415 },
      );
      expect(
        await post(base, '/avatars/ticket', { contentType: 'image/png', size: 3 * 1024 * 1024 }),
      ).toMatchObject({ status: 413 });
      expect(await post(base, '/avatars/confirm', { token: 'x.y' })).toMatchObject({ status: 400 });
    });
  });

  describe('Express: ciDirectUpload()', () => {
    const kit = useEmulatorBucket('directbucket-1250000000');
    let server: Server;
    let base: string;
    let handlers: CiDirectUploadHandlers;
    beforeAll(async () => {
      handlers = ciDirectUpload({
        ...kit.connection(),
        logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        rules: [thumb],
      });
      const app = express();
      app.post('/photos/ticket', handlers.ticket);
      app.post('/photos/confirm', express.json(), handlers.confirm);
      server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await handlers.close();
      await new Promise((r) => server.close(r));
    });

    it('issues, uploads and confirms; a non-image is deleted and answered 415', async () => {
      const ticket = await post(base, '/photos/ticket', { contentType: 'image/jpeg', size: jpeg.length });
      expect(ticket.status).toBe(201);
      expect(await upload(ticket.body as unknown as CiUploadTicket, jpeg)).toBe(200);
      const confirmed = await post(base, '/photos/confirm', { token: ticket.body.token });
      expect(confirmed).toMatchObject({
        status: 200,
        body: { key: ticket.body.key, mimetype: 'image/jpeg' },
      });

      const text = Buffer.from('just text, no image at all');
      const other = await post(base, '/photos/ticket', { contentType: 'image/png', size: text.length });
      // CI refuses to process text on upload: nothing is stored, and confirm finds nothing (404).
      expect(await upload(other.body as unknown as CiUploadTicket, text)).toBe(400);
      expect(await post(base, '/photos/confirm', { token: other.body.token })).toMatchObject({ status: 404 });
      expect((await kit.leftovers()).objects).toEqual(
        [ticket.body.key, ...(ticket.body.outputs as Array<{ key: string }>).map((o) => o.key)].sort(),
      );
    });
  });
});

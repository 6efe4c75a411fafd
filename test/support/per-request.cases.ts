import type supertest from 'supertest';
import type { CiKeyContext, CiObjectHead, CiUploadOptions } from '../../lib';
import { imageMogr2 } from '../../lib';
import { photoJpeg } from './images';

/** What Express's `Request` and `FastifyRequest` share, and what the options below read. */
interface WithHeaders {
  headers: Record<string, string | string[] | undefined>;
}
const header = (req: WithHeaders, name: string) => String(req.headers[name] ?? '');

/** A route whose key, rules, object headers and `insertOnly` are functions of the request and the file. */
export const PER_REQUEST_OPTIONS = {
  key: (req: WithHeaders, file: CiKeyContext) => `users/${header(req, 'x-user')}/avatar.${file.ext}`,
  rules: (req: WithHeaders) => {
    const width = Number(header(req, 'x-width'));
    return [{ fileid: `{name}-${width}.webp`, rule: imageMogr2().thumbnail({ width }).format('webp') }];
  },
  object: (req: WithHeaders, file: CiKeyContext) => ({
    metadata: { owner: header(req, 'x-user') },
    contentDisposition: `inline; filename="${file.originalname}"`,
  }),
  insertOnly: (req: WithHeaders) => header(req, 'x-insert-only') === '1',
} satisfies CiUploadOptions;

/** What the cases need of the app under test. */
export interface PerRequestRig {
  /** Supertest on the app; the route is `POST /per-request` with the field `file`. */
  http(): ReturnType<typeof supertest>;
  /** Object headers of a stored key, as COS answers HEAD. */
  head(key: string): Promise<CiObjectHead>;
  /** Keys in the bucket. */
  stored(): Promise<string[]>;
}

/** The per-request option cases, the same on every adapter. */
export function perRequestCases(rig: PerRequestRig): void {
  it('computes key, rules and object headers from the request and the file', async () => {
    const res = await rig
      .http()
      .post('/per-request')
      .set({ 'x-user': '42', 'x-width': '120' })
      .attach('file', await photoJpeg(600, 400), 'holiday.jpg')
      .expect(201);
    expect(res.body.key).toBe('users/42/avatar.jpg');
    expect(res.body.imageInfo.processResults).toEqual([
      expect.objectContaining({ key: 'users/42/avatar-120.webp', width: 120 }),
    ]);
    expect(await rig.head('users/42/avatar.jpg')).toMatchObject({
      contentDisposition: 'inline; filename="holiday.jpg"',
      metadata: { owner: '42' },
    });
  });

  it('refuses to overwrite when insertOnly says so for this request, keeping what is there', async () => {
    const send = (insertOnly: string) =>
      photoJpeg(300, 200).then((jpeg) =>
        rig
          .http()
          .post('/per-request')
          .set({ 'x-user': '7', 'x-width': '50', 'x-insert-only': insertOnly })
          .attach('file', jpeg, 'a.jpg'),
      );
    expect((await send('0')).status).toBe(201);
    const before = await rig.head('users/7/avatar.jpg');
    const refused = await send('1');
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.ciCode).toBe('FileAlreadyExists');
    expect((await rig.head('users/7/avatar.jpg')).etag).toBe(before.etag);
    expect((await send('0')).status).toBe(201);
  });

  it('validates what a function returns when it is called: 400 naming the option, nothing stored', async () => {
    const res = await rig
      .http()
      .post('/per-request')
      .set({ 'x-user': '9', 'x-width': '80' })
      .attach('file', await photoJpeg(300, 200), '写真.jpg')
      .expect(400);
    expect(res.body.message).toMatch(/object\.contentDisposition must be a non-empty printable ASCII string/);
    expect(await rig.stored()).toEqual([]);
  });
}

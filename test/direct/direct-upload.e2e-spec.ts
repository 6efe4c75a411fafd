import { Test, type TestingModule } from '@nestjs/testing';
import sharp from 'sharp';
import { CiService, imageMogr2, isCiMediaError, isCiResponseError, type CiUploadTicket } from '../../lib';
import { ciErrorResponse } from '../../lib/upload';
import { CI_EMULATOR, CiTestingModule, type CiEmulator } from '../../testing';
import { photoJpeg } from '../support/images';

const thumb = { fileid: '{name}-thumb.webp', rule: imageMogr2().thumbnail({ width: 100 }).format('webp') };

/** Sends a file the way a browser does with a ticket: plain fetch, the ticket's method, URL, headers and fields. */
function send(
  ticket: CiUploadTicket,
  file: Buffer,
  tamper: { headers?: Record<string, string>; fields?: Record<string, string> } = {},
) {
  if (!ticket.fields) {
    return fetch(ticket.url, {
      method: ticket.method,
      headers: { ...ticket.headers, ...tamper.headers },
      body: new Uint8Array(file),
    });
  }
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...ticket.fields, ...tamper.fields }))
    form.append(name, value);
  form.append(ticket.fileField!, new Blob([new Uint8Array(file)]), 'photo');
  return fetch(ticket.url, { method: 'POST', headers: { ...ticket.headers, ...tamper.headers }, body: form });
}

async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    return { err, answer: ciErrorResponse(err) };
  }
  throw new Error('expected a refusal');
}

function suite(protocol: 'cos-v5' | 'files-v2') {
  let moduleRef: TestingModule;
  let ci: CiService;
  let emulator: CiEmulator;
  let jpeg: Buffer;
  const bucket = 'examplebucket-1250000000';
  const keys = () => emulator.listObjects(bucket).map((o) => o.key);

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [CiTestingModule.forRoot({ module: { protocol } })],
    }).compile();
    await moduleRef.init();
    ci = moduleRef.get(CiService);
    emulator = moduleRef.get(CI_EMULATOR);
    jpeg = await photoJpeg(400, 300);
  });
  afterAll(() => moduleRef.close());
  afterEach(() => emulator.reset());

  return {
    ci: () => ci,
    emulator: () => emulator,
    jpeg: () => jpeg,
    keys,
  };
}

describe('direct uploads (cos-v5): pre-signed PUT with Pic-Operations among the signed headers', () => {
  const s = suite('cos-v5');

  it('uploads with plain fetch, CI processes on upload, confirm returns the typed result', async () => {
    const ci = s.ci();
    const ticket = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: s.jpeg().length,
      originalName: 'me.jpg',
      rules: [thumb],
    });
    expect(ticket).toMatchObject({ kind: 'put', method: 'PUT', bucket: 'examplebucket-1250000000' });
    expect(ticket.key).toMatch(/^uploads\/\d{4}\/\d{2}\/[0-9a-f-]+\.jpg$/);
    expect(new URL(ticket.url).searchParams.get('q-header-list')).toBe(
      'content-length;content-type;host;pic-operations;x-cos-acl;x-cos-meta-ci-outputs;x-cos-meta-ci-ticket',
    );
    const res = await send(ticket, s.jpeg());
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<ProcessResults>');
    const result = await ci.confirmUpload(ticket.token);
    expect(result).toMatchObject({
      key: ticket.key,
      bucket: 'examplebucket-1250000000',
      fieldname: '',
      size: s.jpeg().length,
      mimetype: 'image/jpeg',
      originalName: 'me.jpg',
      imageInfo: {
        originalInfo: { format: 'JPEG', width: 400, height: 300, key: ticket.key },
        processResults: [{ key: ticket.outputs[0]!.key, format: 'WEBP', width: 100, height: 75 }],
      },
    });
    expect(ticket.outputs[0]!.key).toBe(ticket.key.replace(/\.jpg$/, '-thumb.webp'));
  });

  it('refuses a tampered Pic-Operations, another key, another size, another content type, an expired ticket', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const ticket = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: jpeg.length,
      rules: [thumb],
    });
    const tampered = ticket.headers['Pic-Operations']!.replace('thumbnail/100x', 'thumbnail/4000x');
    const cases: Array<[string, Promise<Response>]> = [
      ['tampered Pic-Operations', send(ticket, jpeg, { headers: { 'Pic-Operations': tampered } })],
      [
        'no Pic-Operations',
        fetch(ticket.url, {
          method: 'PUT',
          headers: { 'Content-Type': 'image/jpeg' },
          body: new Uint8Array(jpeg),
        }),
      ],
      [
        'another key',
        fetch(ticket.url.replace(ticket.key, 'uploads/elsewhere.jpg'), {
          method: 'PUT',
          headers: ticket.headers,
          body: new Uint8Array(jpeg),
        }),
      ],
      ['a larger body', send(ticket, Buffer.concat([jpeg, Buffer.alloc(1024)]))],
      ['another content type', send(ticket, jpeg, { headers: { 'Content-Type': 'text/html' } })],
      ['a public ACL', send(ticket, jpeg, { headers: { 'x-cos-acl': 'public-read' } })],
    ];
    for (const [what, response] of cases) {
      const res = await response;
      expect({ what, status: res.status }).toEqual({ what, status: 403 });
      expect(await res.text()).toMatch(/<Code>(SignatureDoesNotMatch|AccessDenied)<\/Code>/);
    }
    expect(s.keys()).toEqual([]);

    const short = await ci.createUploadTicket({ contentType: 'image/jpeg', size: jpeg.length, expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const late = await send(short, jpeg);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
    expect(s.keys()).toEqual([]);
  });

  it('confirms by key with what the server expects, and refuses (deleting) when an expected output is not there', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const ticket = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: jpeg.length,
      rules: [thumb],
    });
    expect((await send(ticket, jpeg)).status).toBe(200);
    const result = await ci.confirmUpload(ticket.key, { expect: { outputs: ticket.outputs } });
    expect(result).toMatchObject({
      key: ticket.key,
      imageInfo: { processResults: [{ key: ticket.outputs[0]!.key }] },
    });
    const refused = await refusal(
      ci.confirmUpload(ticket.key, {
        expect: { outputs: [...ticket.outputs, { key: 'uploads/never-made.webp' }] },
      }),
    );
    expect(refused.answer).toMatchObject({ statusCode: 422 });
    expect(s.keys()).toEqual([]);
    const badKey = await refusal(ci.confirmUpload('/leading-slash.jpg', { expect: {} }));
    expect(badKey.answer).toMatchObject({ statusCode: 400 });
  });

  it('refuses at ticket time what the profile does not allow', async () => {
    const ci = s.ci();
    const type = await refusal(ci.createUploadTicket({ contentType: 'text/html', size: 10 }));
    expect(type.answer).toMatchObject({ statusCode: 415 });
    const big = await refusal(ci.createUploadTicket({ contentType: 'image/png', size: 2000, maxSize: 1000 }));
    expect(big.answer).toMatchObject({ statusCode: 413 });
    const noSize = await refusal(ci.createUploadTicket({ contentType: 'image/png' }));
    expect(noSize.answer).toMatchObject({ statusCode: 400 });
    const forged = await refusal(ci.confirmUpload('eyJrZXkiOiJ4In0.AAAA'));
    expect(forged.answer).toMatchObject({ statusCode: 400, message: 'The upload ticket is not valid' });
  });

  it('confirm of a non-image deletes it and answers 415; of a missing upload answers 404', async () => {
    const ci = s.ci();
    const html = Buffer.from('<!doctype html><html><body>not an image</body></html>');
    const ticket = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: html.length,
      isPicInfo: false,
    });
    const res = await send(ticket, html);
    expect(res.status).toBe(200);
    expect(s.keys()).toEqual([ticket.key]);
    const refused = await refusal(ci.confirmUpload(ticket));
    expect(isCiMediaError(refused.err)).toBe(true);
    expect(refused.answer).toMatchObject({ statusCode: 415 });
    expect(s.keys()).toEqual([]);

    const never = await ci.createUploadTicket({ contentType: 'image/jpeg', size: 10 });
    const missing = await refusal(ci.confirmUpload(never.token));
    expect(isCiResponseError(missing.err)).toBe(true);
    expect(missing.answer).toMatchObject({ statusCode: 404 });
  });

  it('confirm of an upload whose outputs are missing deletes the original and answers 422', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const ticket = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: jpeg.length,
      rules: [thumb],
    });
    expect((await send(ticket, jpeg)).status).toBe(200);
    await ci.delete(ticket.outputs[0]!.key);
    expect(s.keys()).toEqual([ticket.key]);
    const refused = await refusal(ci.confirmUpload(ticket.token));
    expect(refused.answer).toMatchObject({ statusCode: 422 });
    expect(s.keys()).toEqual([]);
  });

  it('outputs of a rule with bucket are confirmed and, when refused, removed in that bucket, never in the source', async () => {
    // The seed: a rule's `bucket` is "the destination bucket that stores the result".
    const ci = s.ci();
    const emulator = s.emulator();
    const other = 'thumbs-1250000000';
    await emulator.createBucket(other);
    const ticket = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: s.jpeg().length,
      rules: [{ ...thumb, bucket: other }],
    });
    expect(ticket.outputs).toEqual([{ key: ticket.key.replace(/\.jpg$/, '-thumb.webp'), bucket: other }]);
    expect((await send(ticket, s.jpeg())).status).toBe(200);
    const result = await ci.confirmUpload(ticket.token);
    expect(result.imageInfo.processResults).toMatchObject([{ key: ticket.outputs[0]!.key, bucket: other }]);

    const second = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: s.jpeg().length,
      rules: [{ ...thumb, bucket: other }],
    });
    const sentinel = second.outputs[0]!.key;
    await ci.upload(s.jpeg(), { key: sentinel, rules: [], isPicInfo: false });
    const png = await sharp(s.jpeg()).png().toBuffer();
    const wrong = await ci.createUploadTicket({ contentType: 'image/png', size: png.length });
    expect((await send(wrong, png)).status).toBe(200);
    const refused = await refusal(
      ci.confirmUpload(wrong.key, { expect: { contentType: 'image/jpeg', outputs: second.outputs } }),
    );
    expect(refused.answer).toMatchObject({ statusCode: 415 });
    expect(emulator.listObjects(other).map((o) => o.key)).toEqual([ticket.outputs[0]!.key]);
    expect(s.keys().sort()).toEqual([sentinel, ticket.key].sort());
  });

  it('confirm of a PNG sent on a JPEG ticket (bytes of another type) deletes everything and answers 415', async () => {
    const ci = s.ci();
    const png = await sharp(s.jpeg()).png().toBuffer();
    const ticket = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: png.length,
      rules: [thumb],
    });
    expect((await send(ticket, png)).status).toBe(200);
    expect(s.keys()).toHaveLength(2);
    const refused = await refusal(ci.confirmUpload(ticket.token));
    expect(refused.answer).toMatchObject({ statusCode: 415 });
    expect(s.keys()).toEqual([]);
  });
});

describe('direct uploads (cos-v5): sweeping what was never confirmed', () => {
  const s = suite('cos-v5');

  it('removes unconfirmed ticket uploads and their outputs, and nothing the tickets did not create', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const confirmed = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: jpeg.length,
      rules: [thumb],
    });
    expect((await send(confirmed, jpeg)).status).toBe(200);
    await ci.confirmUpload(confirmed.token);
    const abandoned = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      size: jpeg.length,
      rules: [thumb],
    });
    expect((await send(abandoned, jpeg)).status).toBe(200);
    const posted = await ci.createUploadTicket({ kind: 'post', contentType: 'image/jpeg', rules: [thumb] });
    expect((await send(posted, jpeg)).status).toBe(201);
    const proxied = await ci.upload(jpeg, { rules: [thumb] });
    await ci.client.putObject('uploads/someone-elses.jpg', jpeg, { contentType: 'image/jpeg' });
    const before = s.keys().sort();
    expect(before).toHaveLength(8);

    expect(await ci.sweepUnconfirmed('uploads/', 60_000)).toEqual([]);
    expect(s.keys().sort()).toEqual(before);

    const swept = await ci.sweepUnconfirmed('uploads/', 0);
    expect(swept.sort()).toEqual([abandoned.key, posted.key].sort());
    const gone = [abandoned.key, ...abandoned.outputs.map((o) => o.key), posted.key];
    expect(s.keys().sort()).toEqual(before.filter((k) => !gone.includes(k)));
    expect(s.keys()).toEqual(
      expect.arrayContaining([
        confirmed.key,
        ...confirmed.outputs.map((o) => o.key),
        proxied.key,
        'uploads/someone-elses.jpg',
      ]),
    );
  });
});

describe('direct uploads (cos-v5): POST Object form with a policy', () => {
  const s = suite('cos-v5');

  it('posts the form with plain fetch from another origin, processing runs at confirm', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const ticket = await ci.createUploadTicket({ kind: 'post', contentType: 'image/jpeg', rules: [thumb] });
    expect(ticket).toMatchObject({ kind: 'post', method: 'POST', fileField: 'file' });
    const policy = JSON.parse(Buffer.from(ticket.fields!.policy!, 'base64').toString('utf8')) as {
      conditions: unknown[];
    };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$key', ticket.key],
        ['eq', '$Content-Type', 'image/jpeg'],
        ['content-length-range', 1, ticket.maxSize],
      ]),
    );
    const res = await send(ticket, jpeg, { headers: { Origin: 'http://app.example' } });
    expect({ status: res.status, body: res.status === 201 ? '' : await res.text() }).toEqual({
      status: 201,
      body: '',
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toBe('');
    expect(res.headers.get('location')).toMatch(new RegExp(`/examplebucket-1250000000/${ticket.key}$`));
    expect(s.keys()).toEqual([ticket.key]);
    const result = await ci.confirmUpload(ticket.token);
    expect(result).toMatchObject({
      key: ticket.key,
      size: jpeg.length,
      mimetype: 'image/jpeg',
      imageInfo: { processResults: [{ key: ticket.outputs[0]!.key, width: 100, height: 75 }] },
    });
    expect(s.keys().sort()).toEqual([ticket.key, ticket.outputs[0]!.key].sort());
  });

  it('refuses another key, another content type, an oversize file, a forged signature and an expired form', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const ticket = await ci.createUploadTicket({
      kind: 'post',
      contentType: 'image/jpeg',
      maxSize: jpeg.length + 10,
    });
    const cases: Array<[string, Promise<Response>, number, string]> = [
      ['another key', send(ticket, jpeg, { fields: { key: 'uploads/elsewhere.jpg' } }), 403, 'AccessDenied'],
      [
        'another content type',
        send(ticket, jpeg, { fields: { 'Content-Type': 'text/html' } }),
        403,
        'AccessDenied',
      ],
      ['a public ACL', send(ticket, jpeg, { fields: { acl: 'public-read' } }), 403, 'AccessDenied'],
      ['an oversize file', send(ticket, Buffer.concat([jpeg, Buffer.alloc(100)])), 400, 'EntityTooLarge'],
      [
        'a forged signature',
        send(ticket, jpeg, { fields: { 'q-signature': '0'.repeat(40) } }),
        403,
        'SignatureDoesNotMatch',
      ],
    ];
    for (const [what, response, status, code] of cases) {
      const res = await response;
      expect({ what, status: res.status, body: await res.text() }).toEqual({
        what,
        status,
        body: expect.stringContaining(`<Code>${code}</Code>`),
      });
    }
    const short = await ci.createUploadTicket({ kind: 'post', contentType: 'image/jpeg', expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const late = await send(short, jpeg);
    expect(late.status).toBe(403);
    expect(s.keys()).toEqual([]);
  });

  it('does not process a Pic-Operations form field (COS documents none for POST Object)', async () => {
    const jpeg = s.jpeg();
    const ticket = await s.ci().createUploadTicket({ kind: 'post', contentType: 'image/jpeg' });
    const picOperations = JSON.stringify({
      is_pic_info: 1,
      rules: [{ fileid: 'x.webp', rule: 'imageMogr2/format/webp' }],
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.fields!)) form.append(name, value);
    form.append('Pic-Operations', picOperations);
    form.append('file', new Blob([new Uint8Array(jpeg)]), 'a.jpg');
    const res = await fetch(ticket.url, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    expect(s.keys()).toEqual([ticket.key]);
  });

  it('answers success_action_redirect with a 303 naming bucket, key and ETag', async () => {
    const jpeg = s.jpeg();
    const ticket = await s.ci().createUploadTicket({ kind: 'post', contentType: 'image/jpeg' });
    const policyFree: Record<string, string> = {
      ...ticket.fields!,
      success_action_redirect: 'https://app.example/done',
    };
    delete policyFree.success_action_status;
    const res = await send({ ...ticket, fields: policyFree }, jpeg);
    // success_action_status is bound by the policy: a form without it is refused.
    expect(res.status).toBe(403);
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.fields!)) form.append(name, value);
    form.append('success_action_redirect', 'https://app.example/done');
    form.append('file', new Blob([new Uint8Array(jpeg)]), 'a.jpg');
    const redirected = await fetch(ticket.url, { method: 'POST', body: form, redirect: 'manual' });
    expect(redirected.status).toBe(303);
    const location = new URL(redirected.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://app.example/done');
    expect(location.searchParams.get('key')).toBe(ticket.key);
    expect(location.searchParams.get('bucket')).toBe('examplebucket-1250000000');
    expect(location.searchParams.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });
});

describe('direct uploads (files-v2): form signature narrowed to one file', () => {
  const s = suite('files-v2');

  it('uploads with plain fetch and Pic-Operations; the signature opens no other file', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const ticket = await ci.createUploadTicket({ contentType: 'image/jpeg', rules: [thumb] });
    expect(ticket).toMatchObject({ kind: 'files-v2', method: 'POST', fileField: 'filecontent' });
    const other = await send({ ...ticket, url: ticket.url.replace(/[^/]+\.jpg$/, 'other.jpg') }, jpeg);
    expect(other.status).toBe(403);
    expect(s.keys()).toEqual([]);
    const res = await send(ticket, jpeg);
    expect(res.status).toBe(200);
    const result = await ci.confirmUpload(ticket.token);
    expect(result).toMatchObject({
      key: ticket.key,
      mimetype: 'image/jpeg',
      imageInfo: { processResults: [{ key: ticket.outputs[0]!.key, width: 100, height: 75 }] },
    });
  });

  it('a tampered Pic-Operations (not covered by the signature) is caught at confirm: everything deleted, 422', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const ticket = await ci.createUploadTicket({ contentType: 'image/jpeg', rules: [thumb] });
    const tampered = JSON.stringify({ is_pic_info: 1, rules: [] });
    expect((await send(ticket, jpeg, { headers: { 'Pic-Operations': tampered } })).status).toBe(200);
    const refused = await refusal(ci.confirmUpload(ticket.token));
    expect(refused.answer).toMatchObject({ statusCode: 422 });
    expect(s.keys()).toEqual([]);
  });

  it('a file over the ticket size (files-v2 has no size bound on the wire) is caught at confirm: deleted, 413', async () => {
    const ci = s.ci();
    const jpeg = s.jpeg();
    const ticket = await ci.createUploadTicket({
      contentType: 'image/jpeg',
      maxSize: jpeg.length - 1,
      rules: [thumb],
    });
    expect((await send(ticket, jpeg)).status).toBe(200);
    const refused = await refusal(ci.confirmUpload(ticket.token));
    expect(refused.answer).toMatchObject({ statusCode: 413 });
    expect(s.keys()).toEqual([]);
  });

  it('an expired ticket is refused by the emulator', async () => {
    const ticket = await s.ci().createUploadTicket({ contentType: 'image/jpeg', expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const res = await send(ticket, s.jpeg());
    expect(res.status).toBe(403);
    expect(s.keys()).toEqual([]);
  });
});

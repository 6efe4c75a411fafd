import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { type CiEmulator, EMULATOR_DEV_CREDENTIALS, startCiEmulator } from '../../emulator';
import { quadrantJpeg } from '../../emulator/processing/test-images';
import { CiClient } from '../../lib/client';
import { createFilesV2Signature, parseFilesV2Signature } from '../../lib/protocol/files-v2';
import { BUCKET, rawRequest, REGION, type RawResponse, signedHeaders } from './support/emulator-test-kit';

const APPID = '1250000000';
const SHORT = 'examplebucket';
const BOUNDARY = '6815dbc897af4706bd5a39f49b157928';
const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** The multi-effect signature for the test bucket, valid 10 minutes unless told otherwise. */
function sign(overrides: { expiresAt?: number; bucket?: string; secretKey?: string } = {}): string {
  return createFilesV2Signature({
    appId: APPID,
    bucket: overrides.bucket ?? SHORT,
    secretId: EMULATOR_DEV_CREDENTIALS.secretId,
    secretKey: overrides.secretKey ?? EMULATOR_DEV_CREDENTIALS.secretKey,
    expiresAt: overrides.expiresAt ?? Math.floor(Date.now() / 1000) + 600,
  });
}

type Part = { name: string; value: string } | { name: 'filecontent'; file: Buffer };

/**
 * A form laid out byte for byte as the seed's example: each part's `Content-Disposition` ends with `; ` as the
 * seed prints it, the file part has no Content-Type, the body ends with the closing delimiter.
 */
function seedForm(parts: Part[], ending = `--${BOUNDARY}--\r\n`): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    if ('file' in part) {
      pieces.push(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="filecontent"; filename="filecontent"\r\n\r\n`,
        ),
        part.file,
        Buffer.from('\r\n'),
      );
    } else {
      pieces.push(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"; \r\n\r\n${part.value}\r\n`,
        ),
      );
    }
  }
  pieces.push(Buffer.from(ending));
  return Buffer.concat(pieces);
}

interface Envelope {
  code: number;
  message: string;
  request_id: string;
  data?: Record<string, unknown>;
}

describe('files-v2 API of the emulator (raw HTTP, as the seed shows it)', () => {
  let emu: CiEmulator;

  /** POSTs a form to `/files/v2/<appid>/<bucket>/<key>` with the seed's headers; parses the envelope. */
  async function post(
    key: string,
    body: Buffer,
    headers: Record<string, string> = {},
  ): Promise<{ res: RawResponse; envelope: Envelope }> {
    const res = await rawRequest(emu, {
      method: 'POST',
      path: `/files/v2/${APPID}/${SHORT}/${key.split('/').map(encodeURIComponent).join('/')}`,
      headers: {
        Host: 'cd.image.myqcloud.com',
        Connection: 'keep-alive',
        Accept: '*/*',
        'User-Agent': 'cos-python-sdk-v4',
        Authorization: sign(),
        'Content-Length': String(body.length),
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        ...headers,
      },
      body,
    });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const envelope = JSON.parse(res.text) as Envelope;
    expect(envelope.request_id).toBe(res.headers['x-cos-request-id']);
    return { res, envelope };
  }

  function expectLinks(entry: Record<string, unknown>, key: string): void {
    expect(entry.access_url).toBe(`http://${BUCKET}.file.myqcloud.com/${key}`);
    expect(entry.resource_path).toBe(`/${APPID}/${SHORT}/${key}`);
    expect(entry.source_url).toBe(`${emu.url}/${BUCKET}/${key}`);
    expect(entry.url).toBe(`${emu.url}/files/v2/${APPID}/${SHORT}/${key}`);
  }

  function expectRefused(
    { res, envelope }: { res: RawResponse; envelope: Envelope },
    status: number,
    code: number,
    message: RegExp,
  ): void {
    expect(res.status).toBe(status);
    expect(envelope).toEqual({
      code,
      message: expect.stringMatching(message),
      request_id: expect.any(String),
    });
  }

  beforeAll(async () => {
    emu = await startCiEmulator({ buckets: [BUCKET] });
  });
  afterAll(() => emu.close());

  it('op=upload with two rules: the envelope field by field, the outputs decoded, the original visible over XML', async () => {
    const source = await quadrantJpeg(400, 300);
    const picOperations = JSON.stringify({
      is_pic_info: 1,
      rules: [
        { fileid: 'test1.png', rule: 'imageView2/format/png' },
        { fileid: '/thumbs/small.webp', rule: 'imageMogr2/thumbnail/100x/format/webp' },
      ],
    });
    const { res, envelope } = await post(
      'seed/sample_file.jpg',
      seedForm([
        { name: 'op', value: 'upload' },
        { name: 'filecontent', file: source },
      ]),
      { 'Pic-Operations': picOperations },
    );
    expect(res.status).toBe(200);
    expect(Object.keys(envelope)).toEqual(['code', 'message', 'request_id', 'data']);
    expect(envelope.code).toBe(0);
    expect(envelope.message).toBe('SUCCESS');
    const data = envelope.data!;
    expect(Object.keys(data)).toEqual([
      'access_url',
      'resource_path',
      'source_url',
      'url',
      'timecost',
      'image_info',
    ]);
    expectLinks(data, 'seed/sample_file.jpg');
    expect(Number.isInteger(data.timecost)).toBe(true);
    const imageInfo = data.image_info as {
      original_info: Record<string, unknown>;
      process_results: Array<Record<string, unknown>>;
    };
    expect(Object.keys(imageInfo)).toEqual(['original_info', 'process_results']);
    const original = imageInfo.original_info;
    expect(Object.keys(original)).toEqual(['format', 'width', 'height', 'ave', 'orientation', 'quality']);
    expect(original).toMatchObject({ format: 'JPEG', width: 400, height: 300, orientation: 1 });
    expect(original.ave).toMatch(/^0x[0-9a-f]{6}$/);
    expect(original.quality).toBeGreaterThanOrEqual(85);
    expect(original.quality).toBeLessThanOrEqual(95);

    const [png, webp] = imageInfo.process_results;
    for (const result of [png!, webp!]) {
      expect(Object.keys(result).sort()).toEqual([
        'access_url',
        'file_id',
        'format',
        'height',
        'quality',
        'resource_path',
        'size',
        'source_url',
        'url',
        'width',
      ]);
      for (const field of ['width', 'height', 'size', 'quality']) expect(typeof result[field]).toBe('number');
    }
    expect(png).toMatchObject({
      file_id: 'test1.png',
      resource_path: '/1250000000/examplebucket/seed/test1.png',
      format: 'PNG',
      width: 400,
      height: 300,
    });
    expectLinks(png!, 'seed/test1.png');
    expect(webp).toMatchObject({ file_id: '/thumbs/small.webp', format: 'WEBP', width: 100, height: 75 });
    expectLinks(webp!, 'thumbs/small.webp');

    const storedPng = (await emu.getObject(BUCKET, 'seed/test1.png'))!;
    const storedWebp = (await emu.getObject(BUCKET, 'thumbs/small.webp'))!;
    expect(png!.size).toBe(storedPng.length);
    expect(webp!.size).toBe(storedWebp.length);
    expect(await sharp(storedPng).metadata()).toMatchObject({ format: 'png', width: 400, height: 300 });
    expect(await sharp(storedWebp).metadata()).toMatchObject({ format: 'webp', width: 100, height: 75 });

    // The original is an ordinary object of the XML API.
    const viaXml = await rawRequest(emu, {
      method: 'GET',
      path: `/${BUCKET}/seed/sample_file.jpg`,
      headers: signedHeaders({
        method: 'GET',
        pathname: '/seed/sample_file.jpg',
        host: `127.0.0.1:${emu.port}`,
      }),
    });
    expect(viaXml.status).toBe(200);
    expect(viaXml.headers['content-type']).toBe('image/jpeg');
    expect(viaXml.body).toEqual(source);
  });

  it('op=image_process on a file stored through the XML API (the seed body verbatim, its sloppy ending included)', async () => {
    const source = await quadrantJpeg(320, 240);
    const put = await rawRequest(emu, {
      method: 'PUT',
      path: `/${BUCKET}/stored/photo.jpg`,
      headers: signedHeaders({
        method: 'PUT',
        pathname: '/stored/photo.jpg',
        host: `127.0.0.1:${emu.port}`,
        headers: { 'content-type': 'image/jpeg', 'content-length': source.length },
      }),
      body: source,
    });
    expect(put.status).toBe(200);
    // The seed's image_process form: "image_process " with a trailing blank, name=" insertOnly", and `--boundary-`.
    const body = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="op"; \r\n\r\nimage_process \r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name=" insertOnly";\r\n\r\n0\r\n--${BOUNDARY}-\r\n`,
    );
    const { res, envelope } = await post('stored/photo.jpg', body, {
      'Pic-Operations': JSON.stringify({
        is_pic_info: 1,
        rules: [{ fileid: 'test1.png', rule: 'imageMogr2/rotate/90|imageView2/format/png' }],
      }),
    });
    expect(res.status).toBe(200);
    expect(envelope.code).toBe(0);
    expect(Object.keys(envelope.data!)).toEqual(['timecost', 'image_info']);
    const imageInfo = envelope.data!.image_info as {
      original_info: Record<string, unknown>;
      process_results: Array<Record<string, unknown>>;
    };
    expect(imageInfo.original_info).toMatchObject({ format: 'JPEG', width: 320, height: 240 });
    expect(imageInfo.process_results).toEqual([
      expect.objectContaining({
        file_id: 'test1.png',
        resource_path: '/1250000000/examplebucket/stored/test1.png',
        format: 'PNG',
        width: 240,
        height: 320,
      }),
    ]);
    const stored = (await emu.getObject(BUCKET, 'stored/test1.png'))!;
    expect(await sharp(stored).metadata()).toMatchObject({ format: 'png', width: 240, height: 320 });

    const missing = await post(
      'stored/none.jpg',
      seedForm([
        { name: 'op', value: 'image_process' },
        { name: 'insertOnly', value: '0' },
      ]),
      { 'Pic-Operations': JSON.stringify({ rules: [{ fileid: 'x.png', rule: 'imageView2/format/png' }] }) },
    );
    expectRefused(missing, 404, -4004, /stored\/none\.jpg does not exist/);
  });

  it('insertOnly=1 refuses to overwrite (upload and image_process); 0 overwrites; sha and biz_attr', async () => {
    const first = Buffer.from('first version');
    const form = (insertOnly: string, file: Buffer, extra: Part[] = []) =>
      seedForm([
        { name: 'op', value: 'upload' },
        { name: 'insertOnly', value: insertOnly },
        ...extra,
        { name: 'filecontent', file },
      ]);
    const created = await post(
      'docs/note.txt',
      form('1', first, [
        { name: 'sha', value: sha1(first) },
        { name: 'biz_attr', value: '相册 ✓' },
      ]),
    );
    expect(created.res.status).toBe(200);
    expect(created.envelope.data).not.toHaveProperty('image_info');

    const refused = await post('docs/note.txt', form('1', Buffer.from('second version')));
    expectRefused(refused, 409, -4018, /docs\/note\.txt already exists/);
    expect(await emu.getObject(BUCKET, 'docs/note.txt')).toEqual(first);

    const badSha = await post(
      'docs/other.txt',
      form('0', first, [{ name: 'sha', value: sha1(Buffer.from('x')) }]),
    );
    expectRefused(badSha, 400, -4002, /SHA-1/);
    expect(emu.listObjects(BUCKET, 'docs/other')).toEqual([]);

    const head = await rawRequest(emu, {
      method: 'HEAD',
      path: `/${BUCKET}/docs/note.txt`,
      headers: signedHeaders({ method: 'HEAD', pathname: '/docs/note.txt', host: `127.0.0.1:${emu.port}` }),
    });
    expect(decodeURIComponent(String(head.headers['x-cos-meta-biz-attr']))).toBe('相册 ✓');

    const overwritten = await post('docs/note.txt', form('0', Buffer.from('second version')));
    expect(overwritten.envelope.code).toBe(0);
    expect(await emu.getObject(BUCKET, 'docs/note.txt')).toEqual(Buffer.from('second version'));

    // image_process with insertOnly=1 refuses an output that would replace a file, and stores nothing.
    await post('docs/pic.jpg', form('1', await quadrantJpeg(64, 64)));
    const pic = JSON.stringify({ rules: [{ fileid: 'note.txt', rule: 'imageView2/format/png' }] });
    const processRefused = await post(
      'docs/pic.jpg',
      seedForm([
        { name: 'op', value: 'image_process' },
        { name: 'insertOnly', value: '1' },
      ]),
      { 'Pic-Operations': pic },
    );
    expectRefused(processRefused, 409, -4018, /docs\/note\.txt already exists/);
    expect(await emu.getObject(BUCKET, 'docs/note.txt')).toEqual(Buffer.from('second version'));
  });

  it('refuses a forged, a foreign, an expired and a missing signature with 403', async () => {
    const body = seedForm([
      { name: 'op', value: 'upload' },
      { name: 'filecontent', file: Buffer.from('x') },
    ]);
    // Forged: the MAC of one text, a later expiry in the text.
    const valid = Buffer.from(sign(), 'base64');
    const parsed = parseFilesV2Signature(valid.toString('base64'))!;
    const forgedPlain = parsed.plain.replace(/e=\d+/, `e=${parsed.expiresAt + 86400}`);
    const forged = Buffer.concat([parsed.mac, Buffer.from(forgedPlain)]).toString('base64');
    expectRefused(await post('sig/a.txt', body, { Authorization: forged }), 403, -60932, /does not match/);
    expectRefused(
      await post('sig/a.txt', body, { Authorization: sign({ secretKey: 'not-the-key' }) }),
      403,
      -60932,
      /does not match/,
    );
    expectRefused(
      await post('sig/a.txt', body, { Authorization: sign({ bucket: 'otherbucket' }) }),
      403,
      -60932,
      /another bucket/,
    );
    expectRefused(
      await post('sig/a.txt', body, {
        Authorization: sign({ expiresAt: Math.floor(Date.now() / 1000) - 10 }),
      }),
      403,
      -60936,
      /expired/,
    );
    expectRefused(
      await post('sig/a.txt', body, { Authorization: 'not a signature' }),
      403,
      -60938,
      /multi-effect/,
    );
    expect(emu.listObjects(BUCKET, 'sig/')).toEqual([]);
    // No message quotes the key.
    expect(JSON.stringify(emu.requests)).not.toContain(EMULATOR_DEV_CREDENTIALS.secretKey);
  });

  it('refuses six rules and a text file with 400 and CI codes, storing nothing', async () => {
    const rules = Array.from({ length: 6 }, (_, i) => ({
      fileid: `r${i}.png`,
      rule: 'imageView2/format/png',
    }));
    const sixRules = await post(
      'refused/six.jpg',
      seedForm([
        { name: 'op', value: 'upload' },
        { name: 'filecontent', file: await quadrantJpeg(32, 32) },
      ]),
      { 'Pic-Operations': JSON.stringify({ rules }) },
    );
    expectRefused(sixRules, 400, -60997, /6 rules/);

    const text = await post(
      'refused/notes.txt',
      seedForm([
        { name: 'op', value: 'upload' },
        { name: 'filecontent', file: Buffer.from('just some text, not an image\n'.repeat(20)) },
      ]),
      { 'Pic-Operations': JSON.stringify({ rules: [{ fileid: 'n.png', rule: 'imageView2/format/png' }] }) },
    );
    expectRefused(text, 400, -62999, /InvalidImageFormat/);
    expect(emu.listObjects(BUCKET, 'refused/')).toEqual([]);
  });

  it('a slice upload: init with Pic-Operations, three slices out of order and in parallel, finish processes it', async () => {
    const source = await quadrantJpeg(640, 480);
    const sliceSize = Math.ceil(source.length / 3);
    const picOperations = JSON.stringify({
      is_pic_info: 1,
      rules: [{ fileid: 'sliced-thumb.png', rule: 'imageMogr2/thumbnail/160x/format/png' }],
    });
    const init = await post(
      'sliced/big.jpg',
      seedForm([
        { name: 'op', value: 'upload_slice_init' },
        { name: 'filesize', value: String(source.length) },
        { name: 'slice_size', value: String(sliceSize) },
        { name: 'insertOnly', value: '1' },
        { name: 'sha', value: sha1(source) },
      ]),
      { 'Pic-Operations': picOperations },
    );
    expect(init.res.status).toBe(200);
    const session = init.envelope.data!.session as string;
    expect(init.envelope.data).toEqual({
      session: expect.any(String),
      slice_size: sliceSize,
      serial_upload: 0,
    });

    const answers = await Promise.all(
      [2, 0, 1].map((i) =>
        post(
          'sliced/big.jpg',
          seedForm([
            { name: 'op', value: 'upload_slice_data' },
            { name: 'session', value: session },
            { name: 'offset', value: String(i * sliceSize) },
            { name: 'filecontent', file: source.subarray(i * sliceSize, (i + 1) * sliceSize) },
          ]),
        ),
      ),
    );
    expect(answers.map((a) => a.envelope.data)).toEqual(
      [2, 0, 1].map((i) => ({ session, offset: i * sliceSize })),
    );
    expect(emu.listObjects(BUCKET, 'sliced/')).toEqual([]);

    const finish = await post(
      'sliced/big.jpg',
      seedForm([
        { name: 'op', value: 'upload_slice_finish' },
        { name: 'session', value: session },
        { name: 'filesize', value: String(source.length) },
      ]),
      { 'Pic-Operations': picOperations },
    );
    expect(finish.res.status).toBe(200);
    expect(finish.envelope.code).toBe(0);
    expectLinks(finish.envelope.data!, 'sliced/big.jpg');
    const imageInfo = finish.envelope.data!.image_info as {
      original_info: Record<string, unknown>;
      process_results: Array<Record<string, unknown>>;
    };
    expect(imageInfo.original_info).toMatchObject({ format: 'JPEG', width: 640, height: 480 });
    expect(imageInfo.process_results).toEqual([
      expect.objectContaining({ file_id: 'sliced-thumb.png', format: 'PNG', width: 160, height: 120 }),
    ]);
    expect(await emu.getObject(BUCKET, 'sliced/big.jpg')).toEqual(source);
    const thumb = (await emu.getObject(BUCKET, 'sliced/sliced-thumb.png'))!;
    expect(await sharp(thumb).metadata()).toMatchObject({ format: 'png', width: 160, height: 120 });
    expect(emu.listMultipartUploads(BUCKET)).toEqual([]);

    // The session ended with the finish.
    const again = await post(
      'sliced/big.jpg',
      seedForm([
        { name: 'op', value: 'upload_slice_finish' },
        { name: 'session', value: session },
      ]),
    );
    expectRefused(again, 404, -4008, /no open slice session/);
  });
});

describe('files-v2 API of the emulator: malformed requests', () => {
  let emu: CiEmulator;

  beforeAll(async () => {
    emu = await startCiEmulator({ buckets: [BUCKET] });
  });
  afterAll(() => emu.close());

  async function send(
    method: string,
    path: string,
    body: Buffer,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; envelope: Envelope }> {
    const res = await rawRequest(emu, {
      method,
      path,
      headers: {
        Authorization: sign(),
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        'Content-Length': String(body.length),
        ...headers,
      },
      body,
    });
    return { status: res.status, envelope: JSON.parse(res.text) as Envelope };
  }

  const path = `/files/v2/${APPID}/${SHORT}/bad/a.txt`;
  const upload = seedForm([
    { name: 'op', value: 'upload' },
    { name: 'filecontent', file: Buffer.from('abc') },
  ]);

  it('answers each fault with its envelope code and status, storing nothing', async () => {
    const cases: Array<[Promise<{ status: number; envelope: Envelope }>, number, number, RegExp]> = [
      [send('PUT', path, upload), 405, -4007, /POST/],
      [
        send('POST', path, seedForm([{ name: 'op', value: 'delete' }])),
        400,
        -4001,
        /op "delete" is not served/,
      ],
      [send('POST', path, seedForm([{ name: 'op', value: 'upload' }])), 400, -60950, /no filecontent/],
      [
        send('POST', path, Buffer.from('op=upload'), { 'Content-Type': 'application/x-www-form-urlencoded' }),
        400,
        -4001,
        /multipart/,
      ],
      [
        send('POST', `/files/v2/${APPID}/nobucket/a.txt`, upload, {
          Authorization: sign({ bucket: 'nobucket' }),
        }),
        404,
        -4006,
        /nobucket-1250000000 does not exist/,
      ],
      [send('POST', `/files/v2/${APPID}/${SHORT}/`, upload), 400, -4001, /names no file/],
      [send('POST', path, upload, { Authorization: '' }), 403, -60938, /no Authorization/],
      [
        send('POST', path, seedForm([{ name: 'op', value: 'image_process' }]), {
          'Pic-Operations': '{"rules":[{"fileid":"x.png","rule":"imageMogr2/nonsense/1"}]}',
        }),
        400,
        -60998,
        /rules\[0\]/,
      ],
      [
        send('POST', path, seedForm([{ name: 'op', value: 'image_process' }]), {
          'Pic-Operations': '{"rules":[{"fileid":"x.png","rule":"style/none"}]}',
        }),
        400,
        -60967,
        /StyleNotFound/,
      ],
    ];
    for (const [answer, status, code, message] of cases) {
      const { status: got, envelope } = await answer;
      expect({ status: got, code: envelope.code }).toEqual({ status, code });
      expect(envelope.message).toMatch(message);
    }
    expect(emu.listObjects(BUCKET)).toEqual([]);
  });

  it('stores a key with non-ASCII segments, decoded per segment', async () => {
    const key = '相册/a b.txt';
    const { status, envelope } = await send(
      'POST',
      `/files/v2/${APPID}/${SHORT}/${key.split('/').map(encodeURIComponent).join('/')}`,
      seedForm([
        { name: 'op', value: 'upload' },
        { name: 'insertOnly', value: '0' },
        { name: 'filecontent', file: Buffer.from('hi') },
      ]),
    );
    expect(status).toBe(200);
    expect(envelope.data!.resource_path).toBe(`/${APPID}/${SHORT}/${key}`);
    expect(envelope.data!.access_url).toBe(`http://${BUCKET}.file.myqcloud.com/%E7%9B%B8%E5%86%8C/a%20b.txt`);
    expect(await emu.getObject(BUCKET, key)).toEqual(Buffer.from('hi'));
  });

  it('a client that leaves in the middle of the file leaves nothing behind (-4003 in the log)', async () => {
    const body = seedForm([
      { name: 'op', value: 'upload' },
      { name: 'filecontent', file: Buffer.alloc(200_000, 7) },
    ]);
    const logged = new Promise<CiEmulator['requests'][number]>((resolve) => {
      const listener = (record: CiEmulator['requests'][number]) => {
        emu.off('request', listener);
        resolve(record);
      };
      emu.on('request', listener);
    });
    const socket = connect(emu.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /files/v2/${APPID}/${SHORT}/gone.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${sign()}\r\n` +
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, 100_000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    const record = await logged;
    expect(record).toMatchObject({ operation: 'FilesV2Upload', errorCode: '-4003', status: 400 });
    expect(emu.listObjects(BUCKET, 'gone')).toEqual([]);
  });
});

describe('files-v2 API of the emulator with CiClient (protocol files-v2)', () => {
  let emu: CiEmulator;
  let client: CiClient;
  const picOperations = JSON.stringify({
    is_pic_info: 1,
    rules: [{ fileid: 'client-thumb.webp', rule: 'style/small' }],
  });

  beforeAll(async () => {
    emu = await startCiEmulator({
      buckets: [BUCKET],
      styles: { small: 'imageMogr2/thumbnail/50x/format/webp' },
    });
    client = new CiClient({
      bucket: BUCKET,
      region: REGION,
      credentials: EMULATOR_DEV_CREDENTIALS,
      endpoint: emu.url,
      protocol: 'files-v2',
      upload: { multipartThreshold: 1024 * 1024, partSize: 1024 * 1024 },
    });
  });
  afterAll(async () => {
    await client.close();
    await emu.close();
  });

  it('upload() of a small image with rules, then processObject()', async () => {
    const source = await quadrantJpeg(200, 100);
    const uploaded = await client.upload('client/a.jpg', source, { picOperations });
    expect(uploaded).toMatchObject({
      key: 'client/a.jpg',
      bucket: BUCKET,
      resourcePath: `/${APPID}/${SHORT}/client/a.jpg`,
      sourceUrl: `${emu.url}/${BUCKET}/client/a.jpg`,
      imageInfo: {
        originalInfo: { format: 'JPEG', width: 200, height: 100, orientation: 1 },
        processResults: [{ key: 'client/client-thumb.webp', format: 'WEBP', width: 50, height: 25 }],
      },
    });
    expect(emu.requests.at(-1)?.operation).toBe('FilesV2Upload');
    expect(await emu.getObject(BUCKET, 'client/a.jpg')).toEqual(source);

    const processed = await client.processObject(
      'client/a.jpg',
      JSON.stringify({ rules: [{ fileid: '/client/rotated.png', rule: 'imageMogr2/rotate/90/format/png' }] }),
    );
    expect(processed.imageInfo).toEqual({
      processResults: [
        expect.objectContaining({ key: 'client/rotated.png', format: 'PNG', width: 100, height: 200 }),
      ],
    });
    const rotated = (await emu.getObject(BUCKET, 'client/rotated.png'))!;
    expect(await sharp(rotated).metadata()).toMatchObject({ format: 'png', width: 100, height: 200 });
  });

  it('a large Buffer of known size goes in one op=upload request (up to 20 MB) and is processed in it', async () => {
    const source = await sharp({
      create: {
        width: 1500,
        height: 1000,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .jpeg({ quality: 90 })
      .toBuffer();
    expect(source.length).toBeGreaterThan(1024 * 1024);
    const before = emu.requests.length;
    const result = await client.upload('client/big.jpg', source, { picOperations });
    expect(emu.requests.slice(before).map((r) => r.operation)).toEqual(['FilesV2Upload']);
    expect(result.imageInfo.processResults).toEqual([
      expect.objectContaining({ key: 'client/client-thumb.webp', format: 'WEBP', width: 50, height: 33 }),
    ]);
    const stored = (await emu.getObject(BUCKET, 'client/big.jpg'))!;
    expect(sha1(stored)).toBe(sha1(source));
    expect(emu.listMultipartUploads(BUCKET)).toEqual([]);
  });

  it('a stream of known size over 20 MB goes through slices of the chosen part size', async () => {
    const source = Buffer.concat([await quadrantJpeg(200, 100), randomBytes(21 * 1024 * 1024)]);
    const before = emu.requests.length;
    const result = await client.upload('client/huge.jpg', Readable.from([source]), { size: source.length });
    const operations = emu.requests.slice(before).map((r) => r.operation);
    expect(operations[0]).toBe('FilesV2SliceInit');
    // upload.partSize is 1 MiB here.
    expect(operations.filter((o) => o === 'FilesV2SliceData').length).toBe(
      Math.ceil(source.length / (1024 * 1024)),
    );
    expect(operations.at(-1)).toBe('FilesV2SliceFinish');
    expect(result.size).toBe(source.length);
    expect(sha1((await emu.getObject(BUCKET, 'client/huge.jpg'))!)).toBe(sha1(source));
  });
});

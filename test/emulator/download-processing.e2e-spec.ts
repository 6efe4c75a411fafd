import { createHash } from 'node:crypto';
import sharp from 'sharp';
import {
  type CiEmulator,
  EMULATOR_DEV_CREDENTIALS,
  startCiEmulator,
  storeOnlyPicProcessor,
} from '../../emulator';
import { CiClient } from '../../lib/client';
import { buildPicOperations } from '../../lib/core/pic-operations';
import { ciProcess, imageMogr2, imageSlim, imageView2, pipe, watermarkText } from '../../lib/core/rules';
import { BUCKET, REGION } from './support/emulator-test-kit';

/** A 400x300 JPEG whose EXIF says orientation 6 and names its camera. */
async function rotatedFixture(): Promise<Buffer> {
  return sharp({ create: { width: 400, height: 300, channels: 3, background: '#336699' } })
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExifMerge({ IFD0: { Make: 'ci-test-cam' } })
    .toBuffer();
}

async function fetchImage(url: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** Runs `body` with a fresh emulator (the given processor, default CI's) and a client on it, then closes both. */
async function withEmulator(
  extensions: Parameters<typeof startCiEmulator>[1],
  body: (emulator: CiEmulator, client: CiClient) => Promise<void>,
): Promise<void> {
  const emulator = await startCiEmulator({}, extensions);
  const client = new CiClient({
    bucket: BUCKET,
    region: REGION,
    credentials: EMULATOR_DEV_CREDENTIALS,
    endpoint: emulator.url,
  });
  try {
    await body(emulator, client);
  } finally {
    await client.close();
    await emulator.close();
  }
}

/** Fetches a processing URL that must succeed: its content type and the decoded image's metadata. */
async function processed(url: string): Promise<{ type: string | null; meta: sharp.Metadata }> {
  const res = await fetchImage(url);
  expect(res.status).toBe(200);
  return { type: res.type, meta: await sharp(res.body).metadata() };
}

describe('download-time processing through processing URLs (emulator, real pixels)', () => {
  let emulator: CiEmulator;
  let client: CiClient;
  let fixture: Buffer;

  beforeAll(async () => {
    emulator = await startCiEmulator({ styles: { thumb: 'imageMogr2/thumbnail/50x' } });
    client = new CiClient({
      bucket: BUCKET,
      region: REGION,
      credentials: EMULATOR_DEV_CREDENTIALS,
      endpoint: emulator.url,
    });
    fixture = await rotatedFixture();
    await client.putObject('photos/a.jpg', fixture, { contentType: 'image/jpeg' });
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  it('a signed thumbnail URL fetched with plain fetch gives a 100-px-wide image', async () => {
    const url = await client.getObjectUrl('photos/a.jpg', {
      process: imageMogr2().thumbnail({ width: 100 }),
    });
    expect(url).toMatch(/[?&]q-signature=[0-9a-f]{40}&imageMogr2\/thumbnail\/100x$/);
    // The rule is in the signed parameter list (double-encoded there, as the official SDK writes it).
    expect(url).toContain('q-url-param-list=imagemogr2%252fthumbnail%252f100x');
    expect(await processed(url)).toMatchObject({
      type: 'image/jpeg',
      meta: { format: 'jpeg', width: 100, height: 75 },
    });
  });

  it('an unsigned URL of a private object is 403, and never the image', async () => {
    const url = await client.getObjectUrl('photos/a.jpg', {
      process: imageMogr2().thumbnail({ width: 100 }),
      signed: false,
    });
    expect(url).toBe(`${emulator.url}/${BUCKET}/photos/a.jpg?imageMogr2/thumbnail/100x`);
    const res = await fetchImage(url);
    expect(res.status).toBe(403);
    expect(res.body.toString()).toContain('<Code>AccessDenied</Code>');
  });

  it('a pipe URL runs both steps in order', async () => {
    const url = await client.getObjectUrl('photos/a.jpg', {
      process: pipe(imageMogr2().thumbnail({ width: 200 }), imageMogr2().rotate(90).format('png')),
    });
    expect(url).toContain('&imageMogr2/thumbnail/200x|imageMogr2/rotate/90/format/png');
    expect(await processed(url)).toMatchObject({
      type: 'image/png',
      meta: { format: 'png', width: 150, height: 200 },
    });
  });

  it('imageView2 and a text watermark run with the same executor as Pic-Operations', async () => {
    const view = await fetchImage(
      await client.getObjectUrl('photos/a.jpg', {
        process: imageView2({ mode: 2, width: 80, format: 'webp' }),
      }),
    );
    expect(view.status).toBe(200);
    expect(await sharp(view.body).metadata()).toMatchObject({ format: 'webp', width: 80, height: 60 });

    const marked = await fetchImage(
      await client.getObjectUrl('photos/a.jpg', {
        process: watermarkText({ text: 'CI', fontSize: 40, fill: '#FFFFFF', gravity: 'center' }),
      }),
    );
    expect(marked.status).toBe(200);
    const { data, info } = await sharp(marked.body).raw().toBuffer({ resolveWithObject: true });
    const centre = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
    const original = await sharp(fixture).raw().toBuffer();
    // Pixels changed where the white text is drawn; the untouched original would be equal everywhere.
    expect(data.equals(original)).toBe(false);
    expect(data[centre] + data[centre + 1] + data[centre + 2]).toBeGreaterThanOrEqual(0);
  });

  it('an operation the emulator cannot run answers CI error, not the original', async () => {
    const unknown = await fetchImage(
      await client.getObjectUrl('photos/a.jpg', { process: 'imageMogr2/magic/1' }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.type).toMatch(/xml/);
    expect(unknown.body.toString()).toContain('<Code>InvalidArgument</Code>');
    expect(unknown.body.toString()).toContain('magic');

    const unknownStep = await fetchImage(await client.getObjectUrl('photos/a.jpg', { process: 'sparkle/9' }));
    expect(unknownStep.status).toBe(400);
    expect(unknownStep.body.toString()).toContain('<Code>InvalidArgument</Code>');

    const malformed = await fetchImage(
      `${emulator.url}/${BUCKET}/photos/a.jpg?${new URL(await client.getObjectUrl('photos/a.jpg')).search.slice(1)}&imageMogr2/thumbnail/abc`,
    );
    expect(malformed.status).toBe(400);
  });

  it('styles: by separator URL (a.jpg!thumb) and as style/<name> in the query; an unknown style is 400 StyleNotFound', async () => {
    const bySeparator = await fetchImage(
      await client.getObjectUrl('photos/a.jpg', { process: { style: 'thumb' } }),
    );
    expect(bySeparator.status).toBe(200);
    expect(await sharp(bySeparator.body).metadata()).toMatchObject({ width: 50 });

    const byQuery = await fetchImage(await client.getObjectUrl('photos/a.jpg', { process: 'style/thumb' }));
    expect(await sharp(byQuery.body).metadata()).toMatchObject({ width: 50 });

    const missing = await fetchImage(await client.getObjectUrl('photos/a.jpg', { process: 'style/nope' }));
    expect(missing.status).toBe(400);
    expect(missing.body.toString()).toContain('<Code>StyleNotFound</Code>');
  });

  it('a missing key is 404 NoSuchKey, with or without processing', async () => {
    const res = await fetchImage(
      await client.getObjectUrl('photos/none.jpg', { process: imageMogr2().thumbnail({ width: 10 }) }),
    );
    expect(res.status).toBe(404);
    expect(res.body.toString()).toContain('<Code>NoSuchKey</Code>');
  });

  it('imageInfo, imageAve and exif give the fixture real values, typed', async () => {
    const info = await client.imageInfo('photos/a.jpg');
    expect(info).toEqual({
      format: 'JPEG',
      width: 400,
      height: 300,
      size: fixture.length,
      md5: createHash('md5').update(fixture).digest('hex'),
      photoRgb: expect.stringMatching(/^0x[0-9a-f]{6}$/),
      frameCount: 1,
      raw: {},
    });
    const ave = await client.imageAve('photos/a.jpg');
    expect(ave.rgb).toBe(info.photoRgb);
    // #336699 through JPEG: within a few levels of the fill.
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(ave.rgb!.slice(2).slice(i - 1, i + 1), 16));
    expect(Math.abs(r - 0x33) + Math.abs(g - 0x66) + Math.abs(b - 0x99)).toBeLessThan(12);

    const exif = await client.exif('photos/a.jpg');
    expect(exif.orientation).toBe(6);
    expect(exif.tags).toMatchObject({ Orientation: '6', Make: 'ci-test-cam' });
  });

  it('imageInfo answers CI JSON with numbers as strings', async () => {
    const url = await client.getObjectUrl('photos/a.jpg', { process: 'imageInfo' });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ format: 'jpeg', width: '400', height: '300', size: String(fixture.length) });
  });

  // CI's exif page: "如图片无 EXIF 信息,将返回 {"error" : "no exif data"}" (https://cloud.tencent.com/document/api/460/6926).
  it('exif of an image without EXIF answers no tags, as CI documents', async () => {
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    await client.putObject('photos/plain.png', plain);
    const url = await client.getObjectUrl('photos/plain.png', { process: 'exif' });
    expect(await (await fetch(url)).json()).toEqual({ error: 'no exif data' });
    expect(await client.exif('photos/plain.png')).toEqual({ tags: {}, raw: { error: 'no exif data' } });
  });

  it('publicDomain gives plain URLs on that domain unless signed is asked', async () => {
    const cdn = new CiClient({
      bucket: BUCKET,
      region: REGION,
      credentials: EMULATOR_DEV_CREDENTIALS,
      endpoint: emulator.url,
      publicDomain: 'https://img.example.com',
      styleSeparator: '-',
    });
    try {
      expect(
        await cdn.getObjectUrl('相册/a b.jpg', {
          process: imageMogr2().thumbnail({ width: 200, height: 200, mode: 'shrink' }),
        }),
      ).toBe('https://img.example.com/%E7%9B%B8%E5%86%8C/a%20b.jpg?imageMogr2/thumbnail/200x200%3E');
      expect(await cdn.getObjectUrl('a.jpg', { process: { style: 'thumb' } })).toBe(
        'https://img.example.com/a.jpg-thumb',
      );
      const signed = await cdn.getObjectUrl('photos/a.jpg', { process: { style: 'thumb' }, signed: true });
      expect(signed.startsWith(`${emulator.url}/${BUCKET}/photos/a.jpg-thumb?q-sign-algorithm=sha1`)).toBe(
        true,
      );
      const res = await fetchImage(signed);
      expect(res.status).toBe(200);
      expect(await sharp(res.body).metadata()).toMatchObject({ width: 50 });
    } finally {
      await cdn.close();
    }
  });

  it('a rule is validated before a URL is made', async () => {
    await expect(client.getObjectUrl('a.jpg', { process: 'imageMogr2/thumbnail/abc' })).rejects.toMatchObject(
      {
        reason: 'RULE_MALFORMED',
      },
    );
    await expect(client.getObjectUrl('a.jpg', { process: { style: 'bad name' } })).rejects.toMatchObject({
      reason: 'RULE_MALFORMED',
    });
  });
});

describe('stand-ins and new operations through Pic-Operations', () => {
  it('ci-process, blind watermark and QRcode rules are accepted and stored with their pixels unchanged (documented stand-ins); imageSlim never grows', async () => {
    await withEmulator({}, async (emulator, client) => {
      const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#204080' } })
        .png({ compressionLevel: 0 })
        .toBuffer();
      const result = await client.putObject('ai/a.png', png, {
        picOperations: buildPicOperations({
          isPicInfo: true,
          rules: [
            { fileid: 'matte.png', rule: ciProcess('AIPicMatting', { 'center-layout': 1 }) },
            { fileid: 'slim.png', rule: imageSlim() },
            { fileid: 'blind.png', rule: 'watermark/3/type/3/text/dGVzdA|QRcode/cover/1' },
          ],
        }),
      });
      expect(result.imageInfo.processResults.map((r) => [r.key, r.width, r.height])).toEqual([
        ['ai/matte.png', 30, 20],
        ['ai/slim.png', 30, 20],
        ['ai/blind.png', 30, 20],
      ]);
      const blind = await sharp((await emulator.getObject(BUCKET, 'ai/blind.png'))!)
        .raw()
        .toBuffer();
      expect(blind.equals(await sharp(png).raw().toBuffer())).toBe(true);
      const matte = await sharp((await emulator.getObject(BUCKET, 'ai/matte.png'))!)
        .raw()
        .toBuffer();
      expect(matte.equals(await sharp(png).raw().toBuffer())).toBe(true);
      const slim = (await emulator.getObject(BUCKET, 'ai/slim.png'))!;
      expect(slim.length).toBeLessThan(png.length);
      expect((await sharp(slim).raw().toBuffer()).equals(await sharp(png).raw().toBuffer())).toBe(true);
    });
  });
});

describe('download-time processing without a processor', () => {
  it('answers 501 NotImplemented, never the untouched original', async () => {
    await withEmulator({ picProcessor: storeOnlyPicProcessor }, async (_emulator, client) => {
      await client.putObject('a.jpg', await rotatedFixture());
      const res = await fetch(
        await client.getObjectUrl('a.jpg', { process: imageMogr2().thumbnail({ width: 10 }) }),
      );
      expect(res.status).toBe(501);
      expect(await res.text()).toContain('<Code>NotImplemented</Code>');
    });
  });
});

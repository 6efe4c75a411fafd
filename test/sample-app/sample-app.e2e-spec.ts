import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import supertest from 'supertest';
import sharp from 'sharp';
import type { CiUploadProgress } from '../../lib';
import { bootstrap } from '../../sample-app/main';
import { uploadProgress } from '../../sample-app/progress/upload-progress.hub';
import type { SampleBackend } from '../../sample-app/sample-ci-options';
import { largeJpeg, photoJpeg } from '../support/images';
import { expectFailedProgress, expectSuccessfulProgress } from '../support/progress';

/** Opens a Server-Sent Events stream: `opened` once its headers came, `events` (parsed `data`) once it ends. */
function openEvents(url: string) {
  let opened!: (status: number) => void;
  const headers = new Promise<number>((resolve) => (opened = resolve));
  const events = new Promise<CiUploadProgress[]>((resolve, reject) => {
    get(url, (res) => {
      opened(res.statusCode ?? 0);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve(
          text
            .split('\n\n')
            .flatMap((event) => event.split('\n').filter((l) => l.startsWith('data: ')))
            .map((l) => JSON.parse(l.slice('data: '.length)) as CiUploadProgress),
        ),
      );
    }).on('error', reject);
  });
  return { headers, events };
}

describe('sample app on the embedded emulator', () => {
  let app: INestApplication;
  let backend: SampleBackend;
  let http: ReturnType<typeof supertest>;
  let url: string;

  beforeAll(async () => {
    ({ app, backend, url } = await bootstrap(0, { logger: false }));
    http = supertest(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await backend?.emulator?.close();
  });

  it('serves the page with an upload form', async () => {
    const res = await http.get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/<form id="upload-form"/);
    expect(res.text).toMatch(/<input id="file-input" name="file" type="file"/);
  });

  it('answers POST /images with 201, the original dimensions and three variants', async () => {
    const photo = await photoJpeg(1600, 1200);
    const res = await http.post('/images').attach('file', photo, 'photo.jpg').expect(201);
    expect(res.body.imageInfo.originalInfo).toMatchObject({ width: 1600, height: 1200 });
    const [thumb, large, avatar] = res.body.imageInfo.processResults;
    expect(thumb).toMatchObject({ width: 200, height: 150, format: expect.stringMatching(/webp/i) });
    expect(large).toMatchObject({ width: 1080, height: 810, format: expect.stringMatching(/jpe?g/i) });
    expect(avatar).toMatchObject({ width: 96, height: 96, format: expect.stringMatching(/png/i) });

    const links = await http.get(`/images/${encodeURIComponent(res.body.key)}`).expect(200);
    const download = await fetch(links.body.variants.thumb);
    expect(download.status).toBe(200);
    expect(download.headers.get('access-control-allow-origin')).toBe('*');
    expect(await sharp(Buffer.from(await download.arrayBuffer())).metadata()).toMatchObject({
      width: 200,
      format: 'webp',
    });
  });

  it('never upscales: a 720x480 photo keeps its size in "large", the thumb fits 200x200', async () => {
    const res = await http
      .post('/images')
      .attach('file', await photoJpeg(720, 480), 'small.jpg')
      .expect(201);
    const [thumb, large] = res.body.imageInfo.processResults;
    expect(thumb).toMatchObject({ width: 200, height: 133 });
    expect(large).toMatchObject({ width: 720, height: 480 });
    const portrait = await http
      .post('/images')
      .attach('file', await photoJpeg(600, 1600), 'tall.jpg')
      .expect(201);
    expect(portrait.body.imageInfo.processResults.slice(0, 2)).toEqual([
      expect.objectContaining({ width: 75, height: 200 }),
      expect.objectContaining({ width: 405, height: 1080 }),
    ]);
  });

  it('serves the favicon the page links to', async () => {
    const page = await http.get('/').expect(200);
    expect(page.text).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml" />');
    const icon = await http.get('/favicon.svg').responseType('blob').expect(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(await sharp(icon.body as Buffer).metadata()).toMatchObject({
      format: 'svg',
      width: 64,
      height: 64,
    });
  });

  it('answers a non-image with 415', async () => {
    const res = await http.post('/images').attach('file', Buffer.from('hello\n'), 'hello.txt').expect(415);
    expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
  });

  it('makes a variant with a server-side style, and refuses an unknown style', async () => {
    const upload = await http
      .post('/images')
      .attach('file', await photoJpeg(640, 480), 'p.jpg')
      .expect(201);
    const res = await http
      .post('/images/variants')
      .send({ key: upload.body.key, style: 'rotate' })
      .expect(201);
    expect(res.body.variant).toMatchObject({ width: 480, height: 640 });
    await http
      .post('/images/variants')
      .send({ key: upload.body.key, style: 'imageMogr2/rotate/1' })
      .expect(400);
  });

  it('streams the server-side progress of an upload to GET /uploads/:id/progress, then ends the stream', async () => {
    const id = randomUUID();
    const stream = openEvents(`${url}/uploads/${id}/progress`);
    expect(await stream.headers).toBe(200);
    // Its size is predicted from the request: piped into one PUT, stored and processed in it.
    const photo = await largeJpeg(3);
    const res = await http
      .post('/images')
      .set('X-Upload-Id', id)
      .attach('file', photo, 'big.jpg')
      .expect(201);
    expectSuccessfulProgress(await stream.events, {
      size: photo.length,
      key: res.body.key,
      fieldname: 'file',
      originalName: 'big.jpg',
      phases: ['receiving', 'uploading', 'done'],
    });
    expect(uploadProgress.size).toBe(0);
  });

  it('ends the stream of a refused file with failed, and refuses a malformed upload id', async () => {
    const id = randomUUID();
    const stream = openEvents(`${url}/uploads/${id}/progress`);
    await stream.headers;
    const res = await http
      .post('/images')
      .set('X-Upload-Id', id)
      .attach('file', Buffer.from('hello\n'), 'hello.txt')
      .expect(415);
    expectFailedProgress(await stream.events, {
      statusCode: 415,
      code: 'CI_UNSUPPORTED_MEDIA',
      message: res.body.message,
    });
    await http.get('/uploads/not*an*id/progress').expect(400);
    // An upload whose id nobody watches (or without one) goes on as usual.
    await http
      .post('/images')
      .set('X-Upload-Id', randomUUID())
      .attach('file', await photoJpeg(300, 200), 'a.jpg')
      .expect(201);
    expect(uploadProgress.size).toBe(0);
  });

  it('uploads a gallery in one request', async () => {
    const res = await http
      .post('/galleries')
      .attach('files', await photoJpeg(300, 200), 'a.jpg')
      .attach('files', await photoJpeg(200, 300), 'b.jpg')
      .expect(201);
    expect(res.body.count).toBe(2);
  });
});

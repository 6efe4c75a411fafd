/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { bootstrap } from '../../sample-app/main';
import type { SampleBackend } from '../../sample-app/sample-ci-options';
import { findChromium } from '../support/find-chromium';
import { largeJpeg } from '../support/images';

describe('the sample page, "direct to storage" mode, in a real browser', () => {
  let app: INestApplication;
  let backend: SampleBackend;
  let url: string;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    ({ app, backend, url } = await bootstrap(0, { logger: false }));
    profile = mkdtempSync(join(tmpdir(), 'ci-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: findChromium(),
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await backend?.emulator?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('gets a ticket, sends the file straight to storage with the browser progress, confirms, shows the variants', async () => {
    const page = await browser.newPage();
    const toApp: string[] = [];
    const toStorage: Array<{ method: string; url: string }> = [];
    page.on('request', (request) => {
      const target = new URL(request.url());
      if (target.origin === new URL(url).origin) toApp.push(`${request.method()} ${target.pathname}`);
      else if (request.method() !== 'GET' && request.method() !== 'OPTIONS')
        toStorage.push({ method: request.method(), url: request.url() });
    });
    await page.goto(url);
    await page.check('input[name="mode"][value="direct"]');
    const photo = await largeJpeg(1);
    await page.setInputFiles('#file-input', { name: 'direct.jpg', mimeType: 'image/jpeg', buffer: photo });
    const card = page.locator('article.upload.done');
    await card.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() =>
      [...document.querySelectorAll('article.upload.done img')].every(
        (i) => (i as HTMLImageElement).complete,
      ),
    );
    const rendered = await card.locator('img').evaluateAll((imgs) =>
      imgs.map((i) => {
        const img = i as HTMLImageElement;
        return {
          alt: img.alt,
          natural: [img.naturalWidth, img.naturalHeight],
          info: [Number(img.dataset.width), Number(img.dataset.height)],
        };
      }),
    );
    expect(rendered.map((r) => r.alt)).toEqual(['original', 'thumb', 'large', 'avatar']);
    for (const r of rendered) {
      expect(r.natural[0]).toBeGreaterThan(0);
      expect(r.natural).toEqual(r.info);
    }
    const shown = await card.evaluate((el) => ({
      mode: (el as HTMLElement).dataset.mode,
      key: (el as HTMLElement).dataset.key,
      browserSent: (el as HTMLElement).dataset.browserSent,
      bar: (el.querySelector('progress') as HTMLProgressElement).value,
      status: el.querySelector('.status')!.textContent,
    }));
    expect(shown).toMatchObject({ mode: 'direct', browserSent: String(photo.length), bar: 100 });
    expect(shown.status).toMatch(/^Stored directly as uploads\/.+\.jpg/);
    // The bytes went to storage (the emulator, another origin), never through the app.
    expect(toStorage).toEqual([{ method: 'PUT', url: expect.stringContaining(shown.key!) }]);
    expect(toApp.filter((r) => r.startsWith('POST'))).toEqual([
      'POST /direct/ticket',
      'POST /direct/confirm',
    ]);
    const bucket = backend.emulator!.buckets[0]!;
    expect((await backend.emulator!.getObject(bucket, shown.key!))?.equals(photo)).toBe(true);

    // A file the profile does not allow is refused at the ticket: nothing is sent to storage.
    await page.setInputFiles('#file-input', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('text'),
    });
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await error.textContent()).toMatch(/notes\.txt: Content type text\/plain is not allowed here/);
    expect(toStorage).toHaveLength(1);
    await page.close();
  }, 60_000);
});

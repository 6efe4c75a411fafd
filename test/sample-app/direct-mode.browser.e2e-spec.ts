/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { useSamplePage } from './sample-page.rig';
import { largeJpeg } from '../support/images';

describe('the sample page, "direct to storage" mode, in a real browser', () => {
  const rig = useSamplePage();

  it('gets a ticket, sends the file straight to storage with the browser progress, confirms, shows the variants', async () => {
    const page = await rig.browser.newPage();
    const toApp: string[] = [];
    const toStorage: Array<{ method: string; url: string }> = [];
    page.on('request', (request) => {
      const target = new URL(request.url());
      if (target.origin === new URL(rig.url).origin) toApp.push(`${request.method()} ${target.pathname}`);
      else if (request.method() !== 'GET' && request.method() !== 'OPTIONS')
        toStorage.push({ method: request.method(), url: request.url() });
    });
    await page.goto(rig.url);
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
    const bucket = rig.backend.emulator!.buckets[0]!;
    expect((await rig.backend.emulator!.getObject(bucket, shown.key!))?.equals(photo)).toBe(true);

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

/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { useSamplePage } from './sample-page.rig';
import { largeJpeg, photoJpeg } from '../support/images';

const ARTIFACTS = join(__dirname, '../../test-artifacts');

describe('the sample page in a real browser', () => {
  const rig = useSamplePage();

  it('uploads an image, shows the original beside its rendered variants, and explains a refused file', async () => {
    const page = await rig.browser.newPage();
    const notFound: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) notFound.push(response.url());
    });
    await page.goto(rig.url);
    await page.setInputFiles('#file-input', {
      name: 'landscape.jpg',
      mimeType: 'image/jpeg',
      buffer: await photoJpeg(1600, 1000),
    });
    const card = page.locator('article.upload.done');
    await card.waitFor({ timeout: 30_000 });
    const figures = card.locator('figure');
    await waitForCount(figures, 4);

    // Every image decoded in the browser, at the dimensions image_info reports.
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
    expect(rendered[0]!.natural).toEqual([1600, 1000]);
    expect(await card.locator('figcaption').first().textContent()).toMatch(/1600×1000/);

    await page.setInputFiles('#file-input', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not an image at all'),
    });
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await error.textContent()).toMatch(/notes\.txt: The file is not an image/);
    // The server's reports reached both cards: one PUT for the photo, a refusal for the text.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLElement>('article.upload')].every((a) =>
        /(done|failed)$/.test(a.dataset.phases ?? ''),
      ),
    );
    expect(
      await page
        .locator('article.upload')
        .evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.phases)),
    ).toEqual(['receiving,failed', 'receiving,uploading,done']);

    // The page and everything it asks for, favicon included, exist.
    expect(notFound).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'sample-app.png'), fullPage: true });
  }, 60_000);

  it("shows the server's progress: phases in order, every byte received and stored at CI", async () => {
    const page = await rig.browser.newPage();
    await page.goto(rig.url);
    const photo = await largeJpeg(3);
    await page.setInputFiles('#file-input', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: photo });
    const card = page.locator('article.upload.done');
    await card.waitFor({ timeout: 30_000 });
    // The stream's last event can trail the upload's answer by a moment.
    await page.waitForFunction(() =>
      (document.querySelector('article.upload') as HTMLElement).dataset.phases?.endsWith('done'),
    );
    const shown = await card.evaluate((el) => ({
      ...(el as HTMLElement).dataset,
      bar: (el.querySelector('progress') as HTMLProgressElement).value,
    }));
    // A single-file form's file over 2 MiB is piped into one PUT of its predicted size: CI answers that request.
    expect(shown).toMatchObject({
      phases: 'receiving,uploading,done',
      bytesReceived: String(photo.length),
      bytesSent: String(photo.length),
      bar: 100,
    });
    await page.close();
  }, 60_000);
});

async function waitForCount(locator: { count(): Promise<number> }, n: number, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while ((await locator.count()) !== n) {
    if (Date.now() > until) throw new Error(`expected ${n} elements, got ${await locator.count()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findChromium, NO_CHROMIUM_MESSAGE } from './find-chromium';

describe('findChromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'find-chromium-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fake = join(dir, 'chromium-browser');
  writeFileSync(fake, '#!/bin/sh\n');
  chmodSync(fake, 0o755);

  it('takes CHROMIUM_PATH first, and refuses one that is not there', () => {
    expect(findChromium({ CHROMIUM_PATH: fake, PATH: '' })).toBe(fake);
    expect(() => findChromium({ CHROMIUM_PATH: join(dir, 'nope') })).toThrow(
      `CHROMIUM_PATH=${join(dir, 'nope')} is not an executable file`,
    );
  });

  it('finds a browser by itself on this machine', () => {
    expect(findChromium({ PATH: process.env.PATH })).toMatch(/chrom/);
  });

  it('looks on PATH under the usual names', () => {
    expect(findChromium({ PATH: `/nonexistent${delimiter}${dir}` }, [join(dir, 'none')])).toBe(fake);
  });

  it('fails with the one line saying what to install when there is nothing to find', () => {
    expect(() =>
      findChromium({ PATH: join(dir, 'empty') }, [join(dir, 'none'), join(dir, 'nor-this')]),
    ).toThrow(new Error(NO_CHROMIUM_MESSAGE));
    expect(NO_CHROMIUM_MESSAGE).not.toContain('\n');
  });
});

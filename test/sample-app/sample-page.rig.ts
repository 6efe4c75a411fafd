/// <reference lib="dom" />
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { bootstrap } from '../../sample-app/main';
import type { SampleBackend } from '../../sample-app/sample-ci-options';
import { findChromium } from '../support/find-chromium';

/** The sample app on its embedded emulator and a headless Chromium, started for a suite. */
export interface SamplePageRig {
  /** The sample app's URL. */
  readonly url: string;
  /** The browser (a fresh profile). */
  readonly browser: BrowserContext;
  /** Where the sample app stores (its embedded emulator). */
  readonly backend: SampleBackend;
}

/**
 * Starts the sample app and a headless Chromium (a fresh profile each run, passed as --user-data-dir) before the
 * suite, and closes both after it; the flags keep Chromium off the network this machine does not have.
 */
export function useSamplePage(): SamplePageRig {
  let app: INestApplication | undefined;
  let profile: string | undefined;
  const rig = {} as { url: string; browser: BrowserContext; backend: SampleBackend };

  beforeAll(async () => {
    ({ app, backend: rig.backend, url: rig.url } = await bootstrap(0, { logger: false }));
    profile = mkdtempSync(join(tmpdir(), 'ci-chromium-'));
    rig.browser = await chromium.launchPersistentContext(profile, {
      executablePath: findChromium(),
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await rig.browser?.close();
    await app?.close();
    await rig.backend?.emulator?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  return rig;
}

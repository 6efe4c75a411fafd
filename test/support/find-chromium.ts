import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';

/** Names a Chromium goes by on PATH, in the order tried. */
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The one line the browser test fails with when no browser is found. */
export const NO_CHROMIUM_MESSAGE =
  'No Chromium for the browser test: install one (`apt-get install chromium`, or `npx playwright install chromium`) or set CHROMIUM_PATH';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a Chromium to drive: `CHROMIUM_PATH` (which must then exist), else `/usr/bin/chromium`, else
 * chromium/chromium-browser/google-chrome on `PATH`, else the one `npx playwright install chromium` downloaded.
 * `fixed` are the places looked at besides PATH (the first before it). Throws one line saying what to install when there is none: the browser test never skips.
 */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  fixed: readonly string[] = ['/usr/bin/chromium', chromium.executablePath()],
): string {
  const chosen = env.CHROMIUM_PATH?.trim();
  if (chosen) {
    if (!executable(chosen)) throw new Error(`CHROMIUM_PATH=${chosen} is not an executable file`);
    return chosen;
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [
    fixed[0]!,
    ...ON_PATH.flatMap((name) => dirs.map((dir) => join(dir, name))),
    ...fixed.slice(1),
  ];
  const found = candidates.find(executable);
  if (!found) throw new Error(NO_CHROMIUM_MESSAGE);
  return found;
}

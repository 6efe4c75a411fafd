import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs the store-only scenario in a child node where `sharp` cannot be resolved; its JSON report. */
function runWithoutSharp(): Promise<{
  code: number | null;
  report: Record<string, unknown>;
  stderr: string;
}> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(ROOT, 'test', 'support', 'hide-sharp.js'),
      '-r',
      join(ROOT, 'test', 'emulator', 'support', 'register-ts.js'),
      join(ROOT, 'test', 'emulator', 'support', 'store-only-without-sharp.ts'),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) =>
      resolve({ code, stderr, report: stdout ? (JSON.parse(stdout) as Record<string, unknown>) : {} }),
    ),
  );
}

describe('sharp is loaded only when pixels are needed (issue 12)', () => {
  it('without sharp, the emulator and testing entries load, store-only storage works, processing answers one line naming sharp', async () => {
    const { code, report, stderr } = await runWithoutSharp();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report).toEqual({
      sharpHidden: true,
      testingExports: ['CI_EMULATOR', 'CiTestingModule'],
      stored: 'stored without sharp',
      appended: 'appended',
      plainWithDefaultProcessor: 'no processing asked',
      processed: {
        statusCode: 501,
        code: 'NotImplemented',
        message:
          "The emulator's image processing needs the 'sharp' package, which is not installed: npm i -D sharp",
      },
      objectsAfterRefusal: ['plain.bin'],
    });
  }, 60_000);
});

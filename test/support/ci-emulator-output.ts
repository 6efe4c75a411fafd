import type { ChildProcess } from 'node:child_process';

/** The variables `ci-emulator` prints for the README Quick start, in the order it prints them. */
export const EMULATOR_EXPORTS = [
  'COS_BUCKET',
  'COS_ENDPOINT',
  'COS_REGION',
  'COS_SECRET_ID',
  'COS_SECRET_KEY',
];

/**
 * Waits until a `ci-emulator` child has printed its start-up banner; resolves with everything it printed and
 * the `export NAME=value` lines of it. Rejects with what it wrote when it exits first.
 */
export function emulatorBanner(
  child: ChildProcess,
): Promise<{ text: string; exports: Record<string, string> }> {
  let text = '';
  let errors = '';
  child.stderr?.on('data', (d: Buffer) => (errors += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (!text.includes('Stop with Ctrl+C.')) return;
      const exports = Object.fromEntries(
        [...text.matchAll(/^ {2}export (COS_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
      );
      resolve({ text, exports });
    });
    child.once('exit', (code) =>
      reject(new Error(`ci-emulator exited with ${code} early: ${text}${errors}`)),
    );
  });
}

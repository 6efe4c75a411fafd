import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs the project's own cycle check (`npm run lint:cycles`, part of `npm run lint`) with extra files. */
function runCycleCheck(...files: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'lint:cycles', '--', ...files],
      { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

describe('npm run lint: the import-cycle check', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'import-cycle-'));
    await writeFile(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = (): unknown => b;\n");
    await writeFile(join(dir, 'b.ts'), "import { a } from './a';\nexport const b = (): unknown => a;\n");
    await writeFile(join(dir, 'c.ts'), 'export const c = 1;\n');
    await writeFile(join(dir, 'd.ts'), "import { c } from './c';\nexport const d = c + 1;\n");
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails on a two-file cycle and names both files', async () => {
    const run = await runCycleCheck(join(dir, 'a.ts'));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/a\.ts -> .*b\.ts/);
  });

  it('passes on the project itself plus files that import in one direction', async () => {
    const run = await runCycleCheck(join(dir, 'd.ts'));
    expect(run.stdout).not.toMatch(/\d\) /);
    expect(run.code).toBe(0);
  });
});

/** Lints `code` as if it were `file` with the project's ESLint config; the messages of `no-restricted-imports`. */
function restrictedImports(file: string, code: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'npx',
      ['eslint', '--format', 'json', '--stdin', '--stdin-filename', file],
      { cwd: ROOT },
      (_error, stdout) => {
        try {
          const [result] = JSON.parse(stdout) as { messages: { ruleId: string; message: string }[] }[];
          resolve(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    );
    child.stdin?.end(code);
  });
}

describe('npm run lint: the emulator folders point down (eslint.config.mjs EMULATOR_LEVELS)', () => {
  it.each([
    ['emulator/storage/x.ts', "import '../handlers/handler.types'"],
    ['emulator/processing/download/x.ts', "import '../../handlers/handler.types'"],
    ['emulator/handlers/x.ts', "import '../files-v2/files-v2.path'"],
  ])('refuses an import that points up or sideways: %s %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([
      expect.stringContaining('imports only the folders below it'),
    ]);
  });

  it('accepts an import that points down', async () => {
    expect(await restrictedImports('emulator/handlers/x.ts', "import '../storage/object-store';\n")).toEqual(
      [],
    );
  });
});

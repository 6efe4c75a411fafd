import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');

/** The ```ts blocks of the README, in order. */
function readmeSamples(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('README code samples', () => {
  it('has samples to check', () => {
    expect(readmeSamples().length).toBeGreaterThanOrEqual(6);
  });

  it('every ts sample compiles against the package, as a user imports it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-samples-'));
    try {
      const files = readmeSamples().map((code, i) => {
        const file = join(dir, `sample-${i}.ts`);
        // Each sample is its own module, importing the package by its published names.
        writeFileSync(
          file,
          code.includes('export ') || code.includes('import ') ? code : `${code}\nexport {};\n`,
        );
        return file;
      });
      const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        baseUrl: ROOT,
        paths: {
          'nestjs-tencent-ci': ['lib/index.ts'],
          'nestjs-tencent-ci/express': ['lib/express/index.ts'],
          // JavaScript packages whose types are a separate @types package.
          express: ['node_modules/@types/express'],
          multer: ['node_modules/@types/multer'],
          'nestjs-tencent-ci/emulator': ['emulator/index.ts'],
          'nestjs-tencent-ci/testing': ['testing/index.ts'],
          'nestjs-tencent-ci/protocol': ['lib/protocol/index.ts'],
          '*': ['node_modules/*', 'node_modules/@types/*'],
        },
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file?.fileName.startsWith(dir))
        .map((d) => {
          const where = d.file
            ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
            : '';
          return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

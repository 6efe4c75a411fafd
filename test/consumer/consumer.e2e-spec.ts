import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { EMULATOR_EXPORTS, emulatorBanner } from '../support/ci-emulator-output';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const APPS = join(__dirname, 'apps');

/** What the consumer apps install besides the tarball, at the versions this project has (so npm's cache has them). */
const PEERS = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  '@nestjs/testing',
  'reflect-metadata',
  'rxjs',
  'sharp',
  'supertest',
  '@types/supertest',
  '@types/node',
  '@types/jest',
  // What `nest new` adds for Express; @types/multer deliberately not: the package's types must not need it.
  '@types/express',
];
/** What a plain Express app installs besides the tarball: no @nestjs/* at all. */
const EXPRESS_APP = [
  'express',
  'multer',
  'sharp',
  'supertest',
  '@types/express',
  '@types/multer',
  '@types/supertest',
  '@types/node',
];
/** Test tools, linked from this project's node_modules rather than installed again (jest alone is ~300 packages). */
const TOOLS = ['typescript', 'vitest', 'jest', '@jest/globals', '@swc/jest', '@swc/core'];
const version = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

/** The README's Quick start block, as a user copies it into src/app.module.ts. */
function readmeQuickStart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  return /```ts\n([\s\S]*?)```/.exec(section)![1]!;
}

/** The README's plain Express file, as a user copies it into src/app.ts. */
function readmeExpressApp(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Plain Express (no Nest)'));
  return /```ts\n([\s\S]*?)```/.exec(section)![1]!;
}

/** Output of a failed command, for the failure message. */
async function sh(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`,
    );
  }
}

describe('the packed package in a fresh ESM app (vitest), a CommonJS app (jest) and a plain Express app', () => {
  const work = mkdtempSync(join(tmpdir(), 'ci-consumer-'));
  let emulator: ChildProcess | undefined;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    const packed = await sh('npm', ['pack', '--silent', '--pack-destination', work], ROOT);
    const tarball = packed.trim().split('\n').pop()!;
    writeFileSync(
      join(work, 'package.json'),
      JSON.stringify({
        name: 'consumers',
        private: true,
        dependencies: {
          'nestjs-tencent-ci': `file:./${tarball}`,
          ...Object.fromEntries(PEERS.map((name) => [name, version(name)])),
        },
      }),
    );
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], work);
    for (const tool of TOOLS) {
      mkdirSync(dirname(join(work, 'node_modules', tool)), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', tool), join(work, 'node_modules', tool), 'dir');
    }
    for (const kind of ['esm', 'cjs']) {
      const app = join(work, kind);
      cpSync(join(APPS, kind), app, { recursive: true });
      cpSync(join(APPS, 'shared'), app, { recursive: true });
      writeFileSync(join(app, 'src', 'app.module.ts'), readmeQuickStart(), { flag: 'w' });
    }
    // The CommonJS app's tests import without extensions, as `nest new --type cjs` writes its own.
    for (const file of ['quick-start', 'whole-app', 'failures']) {
      const path = join(work, 'cjs', 'test', `${file}.e2e-spec.ts`);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/('\.{1,2}\/[^']+)\.js'/g, "$1'"));
    }
    // The plain Express app: its own install, the tarball and Express only.
    const plain = join(work, 'express');
    cpSync(join(APPS, 'express'), plain, { recursive: true });
    writeFileSync(
      join(plain, 'package.json'),
      JSON.stringify({
        ...JSON.parse(readFileSync(join(APPS, 'express', 'package.json'), 'utf8')),
        dependencies: {
          'nestjs-tencent-ci': `file:../${tarball}`,
          ...Object.fromEntries(EXPRESS_APP.map((name) => [name, version(name)])),
        },
      }),
    );
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], plain);
    mkdirSync(join(plain, 'src'));
    writeFileSync(join(plain, 'src', 'app.ts'), readmeExpressApp());
  }, 360_000);

  afterAll(async () => {
    if (emulator && emulator.exitCode === null) {
      const exited = new Promise((resolve) => emulator!.once('exit', resolve));
      emulator.kill('SIGTERM');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('ships LICENSE, both READMEs and the dist entry points, and nothing of the sources or tests', async () => {
    const files = readFileSync(join(work, 'node_modules', 'nestjs-tencent-ci', 'package.json'), 'utf8');
    expect(JSON.parse(files).license).toBe('MIT');
    const listing = await sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
    const paths = (JSON.parse(listing) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map(
      (f) => f.path,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'emulator/README.md',
        'dist/lib/index.js',
        'dist/lib/protocol/index.d.ts',
        'dist/testing/index.js',
        'dist/emulator/cli.js',
      ]),
    );
    expect(
      paths.filter((p) =>
        /\.spec\.|^test\/|^lib\/|^sample-app|^dist\/sample-app|^dist\/lib\/testing/.test(p),
      ),
    ).toEqual([]);
  });

  it('both apps compile with tsc: ESM nodenext with skipLibCheck false and no @types/multer, CJS as nest new writes it and node10', async () => {
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    // The CommonJS app with the CLI's tsconfig (nodenext), and with the classic `module: commonjs` resolution,
    // where the subpaths resolve by typesVersions.
    await Promise.all([
      sh(tsc, ['-p', 'tsconfig.json'], join(work, 'esm')),
      sh(tsc, ['-p', 'tsconfig.json', '--noEmit'], join(work, 'cjs')),
      sh(tsc, ['-p', 'tsconfig.node10.json', '--noEmit'], join(work, 'cjs')),
    ]);
  }, 120_000);

  it('npx ci-emulator starts and prints the exports the Quick start reads', async () => {
    emulator = spawn(join(work, 'node_modules', '.bin', 'ci-emulator'), ['--port', '0', '--quiet'], {
      cwd: work,
    });
    Object.assign(env, (await emulatorBanner(emulator)).exports);
    expect(Object.keys(env).sort()).toEqual(EMULATOR_EXPORTS);
  }, 30_000);

  it('the ESM app (nodenext) passes its own e2e tests under vitest', async () => {
    const out = await sh(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run'], join(work, 'esm'), {
      ...process.env,
      ...env,
      CI: 'true',
      NO_COLOR: '1',
    });
    expect(out).toMatch(/Tests\s+14 passed \(14\)/);
  }, 120_000);

  it('the plain Express app installs no @nestjs/* package, compiles, and passes its tests against the emulator', async () => {
    const plain = join(work, 'express');
    expect(existsSync(join(plain, 'node_modules', '@nestjs'))).toBe(false);
    await sh(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], plain);
    const out = await sh(process.execPath, ['--test', 'dist/test/express.e2e-spec.js'], plain, {
      ...process.env,
      ...env,
    });
    expect(out).toMatch(/# pass 5\n# fail 0/);
  }, 180_000);

  it('the CommonJS app (nest new --type cjs, jest-e2e.json changed only as the README says) passes under jest', async () => {
    // As the CLI's `test:e2e` script runs jest: with --experimental-vm-modules and test/jest-e2e.json.
    const jest = join(ROOT, 'node_modules', '.bin', 'jest');
    const out = await sh(jest, ['--ci', '--config', './test/jest-e2e.json'], join(work, 'cjs'), {
      ...process.env,
      ...env,
      NODE_OPTIONS: '--experimental-vm-modules',
    });
    expect(out).toMatch(/Tests:\s+14 passed, 14 total/);
  }, 120_000);
});

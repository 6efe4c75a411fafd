import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layer folders of lib/ (design.md): imports point down only. */
const dir = (name) => [`**/${name}`, `**/${name}/**`];
const FRAMEWORKS = ['@nestjs/*', 'express', 'multer', 'fastify', '@fastify/*', 'rxjs'];

/** `files` may not import from the listed layer folders nor the listed packages (nor match `more` patterns). */
function zone(files, layers, packages, why, more = []) {
  return {
    files,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...layers.map((l) => ({ group: dir(l), message: `${why} (layer "${l}" is above it)` })),
            ...(packages.length
              ? [{ group: packages, message: `${why} (a framework belongs to an adapter)` }]
              : []),
            ...more,
          ],
        },
      ],
    },
  };
}

const ABOVE_CORE = ['client', 'upload', 'multer', 'nest', 'express', 'testing', 'emulator'];

/**
 * The emulator's folders, top to bottom (design.md): a folder imports only from the rows below its own, never
 * from its row's other folders. The entry files (`emulator/index.ts`, `emulator/cli.ts`) sit above them all.
 */
const EMULATOR_LEVELS = [
  ['cli'],
  ['server'],
  ['faults'],
  ['dispatchers'],
  ['handlers', 'files-v2'],
  ['auth'],
  ['processing'],
  ['http'],
  ['routing'],
  ['errors'],
  ['xml'],
  ['storage', 'util'],
];
const EMULATOR_LIB = [
  'lib/client',
  'lib/upload',
  'lib/multer',
  'lib/nest',
  'lib/express',
  'lib/testing',
  'testing',
];
const EMULATOR_PACKAGES = ['@nestjs/*', 'express', 'multer'];
const EMULATOR_WHY = 'the emulator imports lib/core and lib/protocol only';

/** The zones of the emulator's folders: each may not import a folder of its own row or of a row above. */
function emulatorZones() {
  return EMULATOR_LEVELS.flatMap((row, level) =>
    row.map((folder) => {
      const barred = [...EMULATOR_LEVELS.slice(0, level).flat(), ...row.filter((f) => f !== folder)];
      return zone([`emulator/${folder}/**/*.ts`], EMULATOR_LIB, EMULATOR_PACKAGES, EMULATOR_WHY, [
        {
          // A relative import that climbs out of the folder and into a barred one (`../handlers/x`).
          regex: `^(\\.\\./)+(${barred.join('|')})(/|$)`,
          message: `emulator/${folder} imports only the folders below it (eslint.config.mjs EMULATOR_LEVELS)`,
        },
      ]);
    }),
  );
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // The layers of design.md, enforced: the use case knows no framework, adapters do not import each other.
  zone(['lib/core/**/*.ts', 'lib/protocol/**/*.ts'], ABOVE_CORE, FRAMEWORKS, 'core and protocol are pure'),
  zone(['lib/client/**/*.ts'], ABOVE_CORE.slice(1), FRAMEWORKS, 'the client knows no framework'),
  zone(['lib/upload/**/*.ts'], ABOVE_CORE.slice(2), FRAMEWORKS, 'the upload use case knows no framework'),
  zone(
    ['lib/multer/**/*.ts'],
    ['nest', 'express', 'testing', 'emulator'],
    ['@nestjs/*', 'express', 'fastify', 'rxjs'],
    'the multer adapter is shared by Nest and Express',
  ),
  zone(
    ['lib/express/**/*.ts'],
    ['nest', 'testing', 'emulator'],
    ['@nestjs/*', 'fastify', '@fastify/*', 'rxjs'],
    'the Express subpath must load without Nest',
  ),
  zone(['lib/nest/**/*.ts'], ['express', 'testing', 'emulator'], [], 'adapters do not import each other'),
  zone(['emulator/**/*.ts'], EMULATOR_LIB, EMULATOR_PACKAGES, EMULATOR_WHY),
  ...emulatorZones(),
);

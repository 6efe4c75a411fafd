import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layer folders of lib/ (design.md): imports point down only. */
const dir = (name) => [`**/${name}`, `**/${name}/**`];
const FRAMEWORKS = ['@nestjs/*', 'express', 'multer', 'fastify', '@fastify/*', 'rxjs'];

/** `files` may not import from the listed layer folders nor the listed packages. */
function zone(files, layers, packages, why) {
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
          ],
        },
      ],
    },
  };
}

const ABOVE_CORE = ['client', 'upload', 'multer', 'nest', 'express', 'testing', 'emulator'];

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
  zone(
    ['emulator/**/*.ts'],
    ['lib/client', 'lib/upload', 'lib/multer', 'lib/nest', 'lib/express', 'lib/testing', 'testing'],
    ['@nestjs/*', 'express', 'multer'],
    'the emulator imports lib/core and lib/protocol only',
  ),
);

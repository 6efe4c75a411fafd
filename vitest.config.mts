import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// vitest runs what a Nest CLI app generates today; swc (not esbuild) keeps Nest's decorator metadata.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    }),
  ],
  test: {
    globals: true,
    include: ['test/**/*.vitest.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

// The tests run on tsc's output (the decorators and their metadata compiled by tsc, as the app ships).
export default defineConfig({
  test: { include: ['dist/test/**/*.e2e-spec.js'], testTimeout: 30000, fileParallelism: false },
});

// A CommonJS app's jest on tsc's output. Nest 12 and file-type are ESM-only, so @swc/jest turns them into
// CommonJS for jest's module loader (the same two settings as this package's own jest config).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.e2e-spec.js'],
  transform: { '^.+\\.m?js$': ['@swc/jest', { module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|uid|load-esm|file-type|strtok3|token-types|@tokenizer|uint8array-extras|peek-readable|@borewit)/)',
  ],
  moduleNameMapper: { '^file-type$': require.resolve('file-type').replace(/[^/\\]*$/, 'index.js') },
  testTimeout: 30000,
};

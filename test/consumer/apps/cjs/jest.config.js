// A CommonJS app's jest on tsc's output, as the README gives it for Node 20.19 and 22: Nest 12 is ESM-only, so
// @swc/jest turns it into CommonJS; nestjs-tencent-ci itself needs nothing (it loads file-type with `import()`,
// which jest resolves under --experimental-vm-modules, as the scripts of `nest new --type cjs` run it).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.e2e-spec.js'],
  transform: { '^.+\\.m?js$': ['@swc/jest', { module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|load-esm)/)'],
  testTimeout: 30000,
};

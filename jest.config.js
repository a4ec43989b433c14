/** Tests by tier: test/unit, test/integration (dynalite, sandboxes over HTTP), test/e2e (local runtime over HTTP), test/infra (CDK). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/setup-env.js'],
  maxWorkers: 2,
  // test/aws needs moto: npm run test:aws (jest.aws.config.js)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/aws/'],
};

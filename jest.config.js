/** One jest config for unit, integration and e2e tests; see test/README in the README's "Tests" section. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  maxWorkers: 2,
  // child processes and SMTP sockets of the crash tests can outlive a suite by a moment; never let CI hang on them
  forceExit: true,
};

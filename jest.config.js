/**
 * One jest config for unit, integration and e2e tests (README "Tests").
 * bpmnlint 11 and its moddle/min-dash dependencies ship ESM only; jest (before Node 24.9) cannot require
 * ESM, so those few packages are compiled to CommonJS by ts-jest like our own sources.
 */
const ESM_ONLY_PACKAGES = ['bpmnlint', 'min-dash', 'moddle', 'moddle-xml', 'saxen', 'bpmn-moddle'];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+/node_modules/.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true }, isolatedModules: true }],
  },
  // transform only the ESM-only packages under bpmnlint (its own nested copies), never the CommonJS ones bpmn-engine uses
  transformIgnorePatterns: [`^(?!.*/node_modules/bpmnlint/(?:node_modules/(?:${ESM_ONLY_PACKAGES.join('|')})/|lib/|rules/)).*/node_modules/`],
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  maxWorkers: 2,
  // child processes and SMTP sockets of the crash tests can outlive a suite by a moment; never let CI hang on them
  forceExit: true,
};

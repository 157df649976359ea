/**
 * One jest config for unit, integration and e2e tests (README "Tests").
 * moddle 8, min-dash 5 and friends (under bpmn-engine's bpmn-moddle and bpmnlint) and feelin (with lezer-feel, temporal-polyfill) ship ESM only. Node >= 20.19
 * loads them through require(esm); jest's module loader cannot (before Node 24.9), so these packages, wherever
 * they sit in node_modules, are compiled to CommonJS by ts-jest like our own sources.
 */
const ESM_ONLY_PACKAGES = ['bpmnlint', 'min-dash', 'moddle', 'moddle-xml', 'saxen', 'bpmn-moddle', 'feelin', 'lezer-feel', 'temporal-polyfill', 'temporal-spec', 'temporal-utils'];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+/node_modules/.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true }, isolatedModules: true }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(?:${ESM_ONLY_PACKAGES.join('|')})/)`],
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  maxWorkers: 2,
  // child processes and SMTP sockets of the crash tests can outlive a suite by a moment; never let CI hang on them
  forceExit: true,
};

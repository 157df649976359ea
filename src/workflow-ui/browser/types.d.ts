// Browser-only packages without type declarations, and what esbuild resolves for us (see ../build-bundles.mjs).
declare module 'bpmn-js-properties-panel';
declare module '@bpmn-io/properties-panel';
declare module 'bpmn-js-bpmnlint';
declare module 'bpmn-js-token-simulation';
declare module 'bpmnlint/lib/linter';
declare module '*.css';

/** The bpmnlint configuration `{ extends: 'bpmnlint:recommended' }`, compiled at build time with its rules. */
declare module 'virtual:bpmnlint-recommended' {
  const bundle: { config: { rules: Record<string, unknown> }; resolver: { resolveRule(pkg: string, name: string): unknown; resolveConfig(pkg: string, name: string): unknown } };
  export default bundle;
}

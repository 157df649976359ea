/**
 * bpmnlint 11 ships JavaScript without a `types` entry; these are the parts the validator uses
 * (see node_modules/bpmnlint/lib/types.d.ts for the full shapes).
 */
declare module 'bpmnlint' {
  export interface LintReport {
    id?: string;
    message: string;
    category: 'error' | 'warn' | 'info' | 'rule-error';
    meta?: { documentation?: { url?: string } };
    [key: string]: unknown;
  }
  export interface LintConfig {
    extends?: string | string[];
    rules?: Record<string, string | number | [string | number, unknown?]>;
  }
  export interface LintResolver {
    resolveRule(pkg: string, ruleName: string): unknown;
    resolveConfig(pkg: string, configName: string): unknown;
  }
  export class Linter {
    constructor(options: { config?: LintConfig; resolver: LintResolver });
    /** Reports keyed by rule name (`label-required`, `oms/no-scripts`, ...). */
    lint(moddleRoot: unknown, config?: LintConfig): Promise<Record<string, LintReport[]>>;
  }
}

declare module 'bpmnlint/lib/resolver/node-resolver' {
  import type { LintResolver } from 'bpmnlint';
  /** Finds rules and configs (`bpmnlint:recommended`) with Node's module resolution. */
  class NodeResolver implements LintResolver {
    constructor(options?: { require?: NodeJS.Require; requireLocal?: NodeJS.Require });
    resolveRule(pkg: string, ruleName: string): unknown;
    resolveConfig(pkg: string, configName: string): unknown;
  }
  export = NodeResolver;
}

/**
 * Live lint with the configuration the server validates a deploy with (src/workflow/validation/lint-config.ts):
 * bpmnlint's recommended rules with our severities, plus our rules (task types, gateway conditions, timers,
 * condition syntax, ...). The server's 422 stays the authority; this shows the same findings while drawing.
 */
import { lintConfig, OMS_PLUGIN } from '../../../workflow/validation/lint-config';
import { omsRules } from '../../../workflow/validation/rules';
import recommended from 'virtual:bpmnlint-recommended';

/**
 * The `{ config, resolver }` bundle bpmn-js-bpmnlint expects. The browser cannot resolve `extends` at run time, so
 * the recommended rules come compiled (build-bundles.mjs) and the server's overrides are laid over them.
 */
export function lintBundle(knownTaskTypes: ReadonlySet<string>) {
  const { rules } = lintConfig((type) => knownTaskTypes.has(type));
  return {
    config: { rules: { ...recommended.config.rules, ...rules } },
    resolver: {
      resolveRule(pkg: string, name: string) {
        if (pkg === OMS_PLUGIN) return omsRules[name as keyof typeof omsRules];
        return recommended.resolver.resolveRule(pkg, name);
      },
      resolveConfig(pkg: string, name: string) {
        return recommended.resolver.resolveConfig(pkg, name);
      },
    },
  };
}

/** An issue as bpmn-js-bpmnlint reports it in `linting.completed`. */
export interface LintIssue {
  id: string;
  message: string;
  category: 'error' | 'warn' | 'info' | 'rule-error';
  rule: string;
  actualElementId?: string;
}

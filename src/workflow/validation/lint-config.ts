/**
 * The lint configuration of validation before deploy: bpmnlint `recommended`, the severities below and our
 * rules (./rules). Free of Node APIs, so that the modeler's live lint can use the same configuration.
 */
import { omsRules } from './rules';
import type { TaskTypeRuleConfig } from './rules/task-type';

/** bpmnlint's config shape (`extends` a shared config, `rules` by name: category or [category, rule config]). */
export interface OmsLintConfig {
  extends: string;
  rules: Record<string, 'error' | 'warn' | ['error', unknown]>;
}

/**
 * Severity of bpmnlint's recommended rules. Everything not listed keeps its `recommended` category:
 *
 * errors (the diagram would run wrongly, or not as drawn, on bpmn-engine):
 *   start-event-required, no-implicit-start (an activity without incoming flow is started with the
 *   process), no-disconnected (same: a loose service task would run on every instance),
 *   no-implicit-split (tokens fork in parallel), conditional-flows, no-duplicate-sequence-flows,
 *   single-blank-start-event, single-event-definition, event-based-gateway, link-event,
 *   no-complex-gateway, ad-hoc-sub-process, sub-process-blank-start-event,
 *   event-sub-process-typed-start-event
 *
 * warnings (recommended already): fake-join (several flows into a task: each token runs it once, which
 *   is what a loop back or alternative paths mean; the shipped order-fulfillment diagram relies on it),
 *   global, no-inclusive-gateway, no-overlapping-elements, superfluous-gateway, superfluous-label,
 *   superfluous-termination
 */
export const SEVERITY_OVERRIDES: Record<string, 'warn'> = {
  // cosmetic: names are labels for people; the runtime uses ids
  'label-required': 'warn',
  // layout only: a diagram deployed through the API without DI runs; it just cannot be drawn in the admin
  'no-bpmndi': 'warn',
  // BPMN allows implicit ends: a token that reaches an element without outgoing flow ends there, and the
  // instance completes when no token is left; bpmn-engine does exactly that
  'end-event-required': 'warn',
  'no-implicit-end': 'warn',
  // well defined for every gateway kind (exclusive: routes each token; parallel: joins, then forks);
  // a readability rule
  'no-gateway-join-fork': 'warn',
};

/** Our rules run as the bpmnlint plugin "oms" (`oms/<rule>` in a config resolves to this package name); all are errors. */
export const OMS_PLUGIN = 'bpmnlint-plugin-oms';

/** `{ extends: 'bpmnlint:recommended', rules }` with our severities and every oms rule as an error. */
export function lintConfig(taskTypes: (type: string) => boolean): OmsLintConfig {
  const taskTypeConfig: TaskTypeRuleConfig = { isRegistered: taskTypes };
  const rules: OmsLintConfig['rules'] = { ...SEVERITY_OVERRIDES };
  for (const name of Object.keys(omsRules)) rules[`oms/${name}`] = 'error';
  rules['oms/task-type'] = ['error', taskTypeConfig];
  return { extends: 'bpmnlint:recommended', rules };
}

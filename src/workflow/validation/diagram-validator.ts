/**
 * Validation before deploy (DESIGN "Definitions", issue 4 item 2): bpmnlint's `recommended` rules plus
 * ours (src/workflow/validation/rules), every problem named by its element id. Errors block a deploy;
 * warnings do not and are returned with it.
 */
import { createRequire } from 'node:module';
import BpmnModdle from 'bpmn-moddle';
import type { LintConfig, LintReport, LintResolver } from 'bpmnlint';
import { moddleExtensions } from '../bpmn/moddle-extensions';
import { omsRules } from './rules';
import type { TaskTypeRuleConfig } from './rules/task-type';
import { type DiagramProblem, is, many, type ModdleElement, reportableId } from './types';

export type { DiagramProblem } from './types';

export interface DiagramValidation {
  /** The (first) process's name, else its id; '' when there is none. */
  name: string;
  /** Problems that block a deploy. */
  errors: DiagramProblem[];
  /** Lint findings that do not block a deploy. */
  warnings: DiagramProblem[];
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
const SEVERITY_OVERRIDES: Record<string, 'warn'> = {
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

/** Our rules run as the bpmnlint plugin "oms"; all of them are errors. */
const OMS_PLUGIN = 'bpmnlint-plugin-oms';

/** When an oms rule reports an element, the bpmnlint rule listed here says the same about it: keep ours. */
const SUPERSEDES: Record<string, string[]> = {
  'oms/gateway-conditions': ['conditional-flows'],
};

/** Rules whose finding on an element is already said by the parser's "unresolved reference" on it. */
const COVERED_BY_UNRESOLVED_REFERENCE = new Set(['oms/sequence-flow-ends', 'oms/message-reference']);

/** Unknown content in these namespaces is a mistake; in others (zeebe, camunda, ...) it is vendor configuration we ignore. */
const STRICT_PREFIXES = new Set(['bpmn', 'bpmndi', 'dc', 'di', 'oms']);

/*
 * bpmnlint 11 is CommonJS but requires min-dash 5, which is ESM only. Node >= 20.19 loads that through
 * require(esm); Jest's module loader cannot (before Node 24.9), so the app would not start under the
 * integration tests. Loading bpmnlint with Node's own require works in both; in production it is the same
 * as a plain require. (Its NodeResolver already loads rules and configs with Node's require.)
 */
const nodeRequire = createRequire(__filename);
const { Linter } = nodeRequire('bpmnlint') as typeof import('bpmnlint');
const NodeResolver = nodeRequire('bpmnlint/lib/resolver/node-resolver') as typeof import('bpmnlint/lib/resolver/node-resolver');
const nodeResolver = new NodeResolver();

class OmsResolver implements LintResolver {
  resolveRule(pkg: string, ruleName: string): unknown {
    if (pkg === OMS_PLUGIN) {
      const rule = (omsRules as Record<string, unknown>)[ruleName];
      if (!rule) throw new Error(`cannot resolve rule <${ruleName}> from <${pkg}>`);
      return rule;
    }
    return nodeResolver.resolveRule(pkg, ruleName);
  }

  resolveConfig(pkg: string, configName: string): unknown {
    return nodeResolver.resolveConfig(pkg, configName);
  }
}

function lintConfig(taskTypes: (type: string) => boolean): LintConfig {
  const taskTypeConfig: TaskTypeRuleConfig = { isRegistered: taskTypes };
  const ours: NonNullable<LintConfig['rules']> = {};
  for (const name of Object.keys(omsRules)) ours[`oms/${name}`] = 'error';
  ours['oms/task-type'] = ['error', taskTypeConfig];
  return { extends: 'bpmnlint:recommended', rules: { ...SEVERITY_OVERRIDES, ...ours } };
}

interface ModdleWarning {
  message: string;
  element?: ModdleElement;
  property?: string;
  value?: unknown;
}

/** Parser findings: references to ids that do not exist, and content the schema does not know. */
function parserProblems(warnings: ModdleWarning[]): { errors: DiagramProblem[]; warnings: DiagramProblem[] } {
  const result = { errors: [] as DiagramProblem[], warnings: [] as DiagramProblem[] };
  for (const warning of warnings) {
    const firstLine = warning.message.split('\n')[0] ?? warning.message;
    const line = /line: (\d+)/.exec(warning.message)?.[1];
    const at = line ? ` (line ${line})` : '';
    if (/^unresolved reference/.test(warning.message)) {
      const property = (warning.property ?? 'a reference').replace(/^bpmn:/, '');
      const problem = { path: reportableId(warning.element) ?? 'xml', message: `${property} references "${String(warning.value)}", which does not exist`, rule: 'xml' };
      // a drawing of an element that is gone does not change how the process runs
      if (/^(bpmndi|di|dc):/.test(warning.element?.$type ?? '')) result.warnings.push(problem);
      else result.errors.push(problem);
      continue;
    }
    const unparsable = /^unparsable content <([^>]+)>/.exec(warning.message);
    if (unparsable) {
      const prefix = /unknown type <([^:>]+):/.exec(warning.message)?.[1];
      if (prefix && !STRICT_PREFIXES.has(prefix)) {
        result.warnings.push({ path: 'xml', message: `<${unparsable[1]}>${at} is not used by this runtime and is ignored`, rule: 'xml' });
      } else {
        result.errors.push({ path: 'xml', message: `${firstLine.replace(/ detected.*$/, '')}${at}: ${/nested error: (.*)$/m.exec(warning.message)?.[1] ?? 'not valid BPMN 2.0'}`, rule: 'xml' });
      }
      continue;
    }
    result.warnings.push({ path: reportableId(warning.element) ?? 'xml', message: `${firstLine}${at}`, rule: 'xml' });
  }
  return result;
}

/**
 * bpmnlint's rules read `incoming`/`outgoing` of flow nodes, which the XML may leave out (ours do; Camunda
 * Modeler writes them). bpmn-engine follows the sequence flows' sourceRef/targetRef, so rebuild both lists
 * from those: the linter then sees the graph the engine will run.
 */
function connectFlowNodes(container: ModdleElement): void {
  const elements = many(container, 'flowElements');
  for (const element of elements) {
    if (is(element, 'bpmn:FlowNode')) {
      element.incoming = [];
      element.outgoing = [];
    }
  }
  for (const element of elements) {
    if (is(element, 'bpmn:SequenceFlow')) {
      const source = element.sourceRef as ModdleElement | undefined;
      const target = element.targetRef as ModdleElement | undefined;
      if (source && Array.isArray(source.outgoing)) source.outgoing.push(element);
      if (target && Array.isArray(target.incoming)) target.incoming.push(element);
    }
    if (is(element, 'bpmn:FlowElementsContainer')) connectFlowNodes(element);
  }
}

function toProblem(rule: string, report: LintReport, fallbackPath: string): DiagramProblem {
  return { path: report.id ?? fallbackPath, message: report.message, rule };
}

/**
 * Validates a BPMN 2.0 diagram: parse (bpmn-moddle with our extensions), bpmnlint `recommended` with the
 * severities above, and our rules. `taskTypes` tells whether a task type is registered.
 */
export async function validateDiagram(xml: string, taskTypes: (type: string) => boolean): Promise<DiagramValidation> {
  let definitions: ModdleElement;
  let moddleWarnings: ModdleWarning[];
  try {
    const parsed = await new BpmnModdle(moddleExtensions).fromXML(xml, 'bpmn:Definitions');
    definitions = parsed.rootElement as ModdleElement;
    moddleWarnings = parsed.warnings as ModdleWarning[];
  } catch (error) {
    return { name: '', errors: [{ path: 'xml', message: `not a BPMN 2.0 document: ${(error as Error).message}`, rule: 'xml' }], warnings: [] };
  }

  const parser = parserProblems(moddleWarnings);
  const errors: DiagramProblem[] = [...parser.errors];
  const warnings: DiagramProblem[] = [...parser.warnings];

  const processes = many(definitions, 'rootElements').filter((element) => is(element, 'bpmn:Process'));
  if (processes.length === 0) {
    errors.push({ path: 'definitions', message: 'the diagram has no process', rule: 'oms/process' });
  } else if (!processes.some((process) => process.isExecutable === true)) {
    errors.push({ path: processes[0]?.id ?? 'definitions', message: 'no process is executable: set isExecutable="true" on the process to run', rule: 'oms/process' });
  }
  for (const process of processes) connectFlowNodes(process);

  const reports = await new Linter({ config: lintConfig(taskTypes), resolver: new OmsResolver() }).lint(definitions);

  const reported = new Map<string, Set<string>>();
  for (const [rule, ruleReports] of Object.entries(reports)) {
    reported.set(rule, new Set(ruleReports.map((report) => report.id ?? '')));
  }
  const superseded = (rule: string, id: string | undefined) =>
    Object.entries(SUPERSEDES).some(([ours, theirs]) => theirs.includes(rule) && reported.get(ours)?.has(id ?? ''));
  const unresolved = new Set(parser.errors.map((problem) => problem.path));

  for (const [rule, ruleReports] of Object.entries(reports)) {
    const ours = rule.startsWith('oms/');
    for (const report of ruleReports) {
      if (superseded(rule, report.id)) continue;
      if (COVERED_BY_UNRESOLVED_REFERENCE.has(rule) && unresolved.has(report.id ?? '')) continue;
      if (report.category === 'rule-error') {
        // a crashing bpmnlint rule must not block deploys; a crashing rule of ours means we cannot vouch for the diagram
        const problem = { path: 'definitions', message: `lint rule ${rule} failed: ${report.message}`, rule };
        (ours ? errors : warnings).push(problem);
        continue;
      }
      (report.category === 'error' ? errors : warnings).push(toProblem(rule, report, 'definitions'));
    }
  }

  const first = processes[0];
  return { name: first?.name ?? first?.id ?? '', errors, warnings };
}

/**
 * Validation before deploy (DESIGN "Definitions", issue 4 item 2): bpmnlint's `recommended` rules plus
 * ours (src/workflow/validation/rules), every problem named by its element id. Errors block a deploy;
 * warnings do not and are returned with it.
 */
import BpmnModdle from 'bpmn-moddle';
import { type LintReport, type LintResolver, Linter } from 'bpmnlint';
import NodeResolver from 'bpmnlint/lib/resolver/node-resolver';
import { moddleExtensions, taskTypeOf } from '../bpmn/moddle-extensions';
import { lintConfig, OMS_PLUGIN } from './lint-config';
import { omsRules } from './rules';
import { type DiagramProblem, is, many, type ModdleElement, reportableId } from './types';
import { xmlLimitProblems } from './xml-limits';

export type { DiagramProblem } from './types';

export interface DiagramValidation {
  /** The (first) process's name, else its id; '' when there is none. */
  name: string;
  /** Problems that block a deploy. */
  errors: DiagramProblem[];
  /** Lint findings that do not block a deploy. */
  warnings: DiagramProblem[];
  /** Every service and send task with the task type it names: what deploying the diagram lets it do. */
  taskTypes: Array<{ elementId: string; type: string }>;
}

/** The task types a diagram's service and send tasks name, in every process and sub-process. */
function taskTypesIn(container: ModdleElement): Array<{ elementId: string; type: string }> {
  return many(container, 'flowElements').flatMap((element) => {
    if (is(element, 'bpmn:FlowElementsContainer')) return taskTypesIn(element);
    if (!is(element, 'bpmn:ServiceTask') && !is(element, 'bpmn:SendTask')) return [];
    const type = taskTypeOf(element as never)?.trim();
    return type ? [{ elementId: element.id ?? '', type }] : [];
  });
}

/** When an oms rule reports an element, the bpmnlint rule listed here says the same about it: keep ours. */
const SUPERSEDES: Record<string, string[]> = {
  'oms/gateway-conditions': ['conditional-flows'],
};

/** Rules whose finding on an element is already said by the parser's "unresolved reference" on it. */
const COVERED_BY_UNRESOLVED_REFERENCE = new Set(['oms/sequence-flow-ends', 'oms/message-reference']);

/** Unknown content in these namespaces is a mistake; in others (zeebe, camunda, ...) it is vendor configuration we ignore. */
const STRICT_PREFIXES = new Set(['bpmn', 'bpmndi', 'dc', 'di', 'oms']);

// bpmnlint 11 is CommonJS but requires min-dash 5 (ESM only): Node >= 20.19 loads it through require(esm);
// under jest, jest.config.js compiles those packages to CommonJS.
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
    const attribute = /^unknown attribute <([^>]+)>/.exec(warning.message)?.[1];
    if (attribute) {
      const prefix = attribute.includes(':') ? attribute.split(':')[0] : undefined;
      const problem = { path: reportableId(warning.element) ?? 'xml', message: `attribute ${attribute} is not known`, rule: 'xml' };
      if (prefix && STRICT_PREFIXES.has(prefix)) result.errors.push(problem);
      else result.warnings.push({ ...problem, message: `attribute ${attribute} is not used by this runtime and is ignored` });
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
      // a flow missing an end is reported on its own (oms/sequence-flow-ends or the parser); leave it out of the graph
      if (!source || !target) continue;
      if (Array.isArray(source.outgoing)) source.outgoing.push(element);
      if (Array.isArray(target.incoming)) target.incoming.push(element);
    }
    if (is(element, 'bpmn:FlowElementsContainer')) connectFlowNodes(element);
  }
}

function toProblem(rule: string, report: LintReport, fallbackPath: string): DiagramProblem {
  return { path: report.id ?? fallbackPath, message: report.message, rule };
}

/**
 * Validates a BPMN 2.0 diagram: size limits (xml-limits.ts), parse (bpmn-moddle with our extensions), bpmnlint `recommended` with the
 * severities above, and our rules. `taskTypes` tells whether a task type is registered.
 */
export async function validateDiagram(xml: string, taskTypes: (type: string) => boolean): Promise<DiagramValidation> {
  // counted before moddle builds the tree: a hostile diagram must not cost seconds and gigabytes to refuse
  const tooLarge = xmlLimitProblems(xml);
  if (tooLarge.length) return { name: '', errors: tooLarge, warnings: [], taskTypes: [] };
  let definitions: ModdleElement;
  let moddleWarnings: ModdleWarning[];
  try {
    const parsed = await new BpmnModdle(moddleExtensions).fromXML(xml, 'bpmn:Definitions');
    definitions = parsed.rootElement as ModdleElement;
    moddleWarnings = parsed.warnings as ModdleWarning[];
  } catch (error) {
    return { name: '', errors: [{ path: 'xml', message: `not a BPMN 2.0 document: ${(error as Error).message}`, rule: 'xml' }], warnings: [], taskTypes: [] };
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
  // bpmnlint's rules expect these lists to exist (`global`, `no-bpmndi` fail on a diagram without them)
  for (const property of ['rootElements', 'diagrams']) {
    if (!Array.isArray(definitions[property])) definitions[property] = [];
  }

  const reports = await new Linter({ config: lintConfig(taskTypes), resolver: new OmsResolver() }).lint(definitions);

  // without any BPMNDiagram, no-bpmndi would name every element: say it once
  if (many(definitions, 'diagrams').length === 0 && reports['no-bpmndi']) {
    delete reports['no-bpmndi'];
    warnings.push({ path: processes[0]?.id ?? 'definitions', message: 'the diagram has no layout (bpmndi:BPMNDiagram): it runs, but cannot be drawn', rule: 'no-bpmndi' });
  }

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
  return { name: first?.name ?? first?.id ?? '', errors, warnings, taskTypes: processes.flatMap(taskTypesIn) };
}

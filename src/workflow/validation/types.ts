/**
 * The shapes our lint rules work with. Rules are bpmnlint rules (bpmn-io style): a factory taking the
 * rule's config and returning `{ check(node, reporter) }`, called for every element of the moddle tree.
 */

/** A bpmn-moddle element, as far as the rules read it. */
export interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
  $instanceOf?: (type: string) => boolean;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

export interface Reporter {
  report(id: string | undefined, message: string): void;
}

export interface LintRule {
  check(node: ModdleElement, reporter: Reporter): boolean | void;
}

export type RuleFactory<Config = unknown> = (config: Config) => LintRule;

/** One problem, named by the id of the element it is about (API.md `{path: elementId, message}`). */
export interface DiagramProblem {
  path: string;
  message: string;
  /** The lint rule that found it: a bpmnlint rule name, `oms/<rule>` for ours, or `xml` for the parser. */
  rule: string;
}

/** `is(node, 'bpmn:Event')`: type check that honours the moddle type hierarchy. */
export function is(node: ModdleElement | undefined | null, type: string): boolean {
  if (!node) return false;
  return typeof node.$instanceOf === 'function' ? node.$instanceOf(type) : node.$type === type;
}

export function isAny(node: ModdleElement | undefined | null, types: string[]): boolean {
  return types.some((type) => is(node, type));
}

/** Elements of a many-valued property (`flowElements`, `eventDefinitions`, `outgoing`, ...). */
export function many(node: ModdleElement, property: string): ModdleElement[] {
  const value = node[property];
  return Array.isArray(value) ? (value as ModdleElement[]) : [];
}

/** The body of a bpmn:Expression / bpmn:FormalExpression child, trimmed; undefined when absent. */
export function expressionBody(expression: unknown): string | undefined {
  if (!expression || typeof expression !== 'object') return undefined;
  const body = (expression as { body?: unknown }).body;
  return typeof body === 'string' ? body.trim() : undefined;
}

/** The id to report a problem of an element without one (event definitions, expressions): its nearest parent's. */
export function reportableId(node: ModdleElement | undefined): string | undefined {
  for (let current = node; current; current = current.$parent) {
    if (current.id) return current.id;
  }
  return undefined;
}

import { Engine } from 'bpmn-engine';
import { Timers } from 'bpmn-elements';
import { resolveText } from '../expressions/diagram-expression';

/**
 * The parts of bpmn-engine's API the runtime uses (its published types do not describe extension points), and the
 * options every engine of ours runs with: safe expressions, durable timers, a quiet logger.
 */
export interface ElementApi {
  id: string;
  type: string;
  name?: string;
  owner?: { name?: string; type?: string; behaviour?: Record<string, unknown> };
  content: { executionId: string; expireAt?: string | Date; message?: { id: string; name?: string } };
  cancel(): void;
}
export interface Execution {
  getPostponed(): ElementApi[];
  signal(message: Record<string, unknown>): void;
}
export interface LooseEngine {
  state: string;
  recover(state: unknown): LooseEngine;
  once(event: 'end' | 'error', listener: (error: Error) => void): void;
  execute(options: Record<string, unknown>): Promise<Execution>;
  resume(options: Record<string, unknown>): Promise<Execution>;
  getState(): Promise<unknown>;
  getDefinitions(): Promise<Array<{ context: { definitionContext: SourceContext } }>>;
  stop(): void;
}
/** A diagram parsed and serialized by bpmn-engine (moddle-context-serializer's context): read-only, shareable by engines. */
export interface SourceContext {
  id: string;
  serialize(): string | undefined;
}
/** An activity of the diagram as an extension sees it before it runs. */
export interface ActivityDefinition {
  type: string;
  id: string;
  behaviour: Record<string, unknown> & { Service?: unknown };
}
export const BpmnEngine = Engine as unknown as new (options: Record<string, unknown>) => LooseEngine;

/**
 * Conditions and other `${...}` / `=...` expressions go through FEEL (feelin, expressions/) over the process variables;
 * bpmn-engine's own resolver has no operators (STACK "bpmn-engine 25"), and scripts never run.
 */
export const safeExpressions = (variables: Record<string, unknown>) => ({
  resolveExpression: (expression: unknown) => (typeof expression === 'string' ? resolveText(expression, variables) : expression),
});

/** Timers that are never armed in memory: a step ends at a timer wait, and a timer job fires it later. */
export const durableTimers = () => new Timers({ setTimeout: () => ({ durable: true }), clearTimeout: () => undefined } as never);

/**
 * bpmn-engine's default logger makes a `debug` logger per element of every engine (each asking whether stderr is a
 * TTY): a measurable part of a step. Its output is only wanted when DEBUG names bpmn-engine.
 */
const quietLogger = () => ({ debug: () => undefined, error: () => undefined, warn: () => undefined });
export const engineLogger = /bpmn-engine|\*/.test(process.env.DEBUG ?? '') ? {} : { Logger: quietLogger };

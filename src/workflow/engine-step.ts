import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import { normaliseExpressionSource, parseExpression } from './expressions/expression';
import { moddleExtensions, taskInputsOf, taskTypeOf } from './bpmn/moddle-extensions';
import type { WaitingElement } from './process-instance.entity';
import type { TaskContext, TaskTypeRegistry } from './task-type.registry';

/** What one step tells the runtime to save. */
export interface StepResult {
  state: unknown;
  completed: boolean;
  waiting: WaitingElement[];
  variables: Record<string, unknown>;
  /** Elements entered and left during the step, in order; a leave may close an element entered in an earlier step. */
  history: HistoryEvent[];
}

export type HistoryEvent =
  | { kind: 'enter'; elementId: string; elementType: string; name: string | null; executionId: string; at: Date }
  | { kind: 'leave'; elementId: string; at: Date };

export interface StepInput {
  instanceId: string;
  businessKey: string | null;
  /** Saved engine state; absent for the first step, which starts from the XML. */
  state?: unknown;
  xml: string;
  variables: Record<string, unknown>;
  /** A message to deliver to the element waiting for it. */
  message?: { name: string; payload: Record<string, unknown> };
  /** How long a step may run before it is given up (a handler that never answers). */
  timeoutMs: number;
  /** Crash tests only: SIGKILL this process right after this task type's handler returns (before the step is saved). */
  crashAfterTask?: string;
}

/** A task type the diagram names is not registered: the step fails and ends as an incident. */
export class UnknownTaskTypeError extends Error {}
export class MessageNotAwaitedError extends Error {}

/** The parts of bpmn-engine's API used here (its published types do not describe extension points). */
interface ElementApi {
  id: string;
  type: string;
  name?: string;
  owner?: { name?: string; type?: string };
  content: { executionId: string; message?: { id: string; name?: string } };
}
interface Execution {
  environment: { variables: Record<string, unknown> };
  getPostponed(): ElementApi[];
  signal(message: Record<string, unknown>): void;
}
interface LooseEngine {
  state: string;
  once(event: 'end' | 'error', listener: (error: Error) => void): void;
  recover(state: unknown): LooseEngine;
  execute(options: Record<string, unknown>): Promise<Execution>;
  resume(options: Record<string, unknown>): Promise<Execution>;
  getState(): Promise<unknown>;
  stop(): void;
}
interface ActivityDefinition {
  type: string;
  id: string;
  behaviour: Record<string, unknown> & { Service?: unknown };
  environment: { variables: Record<string, unknown> };
}
const BpmnEngine = Engine as unknown as new (options: Record<string, unknown>) => LooseEngine;

// keys bpmn-elements copies into the environment's variables from its own messages; not process data
const ENGINE_NOISE = new Set(['fields', 'content', 'properties']);

/**
 * Conditions and other `${...}` / `=...` expressions go through our safe expression language;
 * bpmn-engine's own resolver has no operators (STACK "bpmn-engine 25"), and scripts are never run.
 */
const evaluateExpression = (source: string, variables: Record<string, unknown>) =>
  parseExpression(normaliseExpressionSource(source)).evaluate(variables);

const safeExpressions = {
  resolveExpression(expression: string, context: { environment?: { variables?: Record<string, unknown> } }) {
    const variables = context.environment?.variables ?? {};
    if (typeof expression !== 'string') return expression;
    const trimmed = expression.trim();
    if (trimmed.startsWith('=') || /^\$\{[\s\S]*\}$/.test(trimmed)) return evaluateExpression(trimmed, variables);
    if (!trimmed.includes('${')) return expression;
    return expression.replace(/\$\{([^}]*)\}/g, (_, inner: string) => String(evaluateExpression(inner, variables) ?? ''));
  },
};

/**
 * Runs one instance from its saved state to its next wait (or its end) and returns what to save.
 * Nothing stays in memory afterwards: the engine is stopped and dropped (DESIGN "Instances").
 */
export async function runEngineStep(input: StepInput, registry: TaskTypeRegistry): Promise<StepResult> {
  const history: HistoryEvent[] = [];
  const waitingExecutions = new Set<string>();
  let pendingHandlers = 0;
  let handlerError: Error | undefined;

  const extensions = {
    omsTaskTypes(activity: ActivityDefinition) {
      if (activity.type !== 'bpmn:ServiceTask' && activity.type !== 'bpmn:SendTask') return;
      const type = taskTypeOf(activity.behaviour as never);
      const taskInput = taskInputsOf(activity.behaviour as never);
      activity.behaviour.Service = function OmsService() {
        return {
          execute(message: { content: { executionId: string } }, callback: (error: Error | null, output?: unknown) => void) {
            const taskType = type ? registry.get(type) : undefined;
            if (!taskType) {
              handlerError = new UnknownTaskTypeError(`<${activity.id}> names task type "${type ?? ''}", which is not registered`);
              return callback(handlerError);
            }
            const context: TaskContext = {
              instanceId: input.instanceId,
              businessKey: input.businessKey,
              elementId: activity.id,
              executionId: message.content.executionId,
              variables: { ...cleanVariables(activity.environment.variables) },
              input: taskInput,
            };
            pendingHandlers++;
            taskType
              .handle(context)
              .then((output) => {
                if (input.crashAfterTask === type) process.kill(process.pid, 'SIGKILL');
                if (output) Object.assign(activity.environment.variables, output);
                pendingHandlers--;
                callback(null, output ?? {});
              })
              .catch((error: unknown) => {
                pendingHandlers--;
                handlerError = error instanceof Error ? error : new Error(String(error));
                callback(handlerError);
              });
          },
        };
      };
    },
  };

  const listener = new EventEmitter();
  // enter and leave carry different execution ids for some elements: a leave closes the element's oldest open entry
  listener.on('activity.enter', (api: ElementApi) => {
    history.push({ kind: 'enter', elementId: api.id, elementType: api.type, name: api.name ?? null, executionId: api.content.executionId, at: new Date() });
  });
  listener.on('activity.leave', (api: ElementApi) => {
    history.push({ kind: 'leave', elementId: api.id, at: new Date() });
    waitingExecutions.delete(api.content.executionId);
  });
  const markWaiting = (api: { content: { executionId: string } }) => waitingExecutions.add(api.content.executionId);
  listener.on('activity.wait', markWaiting);
  listener.on('activity.timer', markWaiting);

  const options = { name: input.instanceId, moddleOptions: moddleExtensions, extensions, expressions: safeExpressions };
  const engine = input.state
    ? new BpmnEngine(options).recover(structuredClone(input.state))
    : new BpmnEngine({ ...options, source: input.xml });

  const finished = new Promise<'end' | Error>((resolve) => {
    engine.once('end', () => resolve('end'));
    engine.once('error', (error) => resolve(handlerError ?? error));
  });
  try {
    const execution = input.state
      ? await engine.resume({ listener })
      : await engine.execute({ listener, variables: { ...input.variables } });

    if (input.message) {
      const target = execution
        .getPostponed()
        .find((api) => api.content.message?.name === input.message!.name);
      if (!target) throw new MessageNotAwaitedError(`the instance is not waiting for message ${input.message.name}`);
      Object.assign(execution.environment.variables, input.message.payload);
      execution.signal({ id: target.content.message!.id, ...input.message.payload });
    }

    const stable = waitUntilStable(
      () => pendingHandlers === 0 && activitiesOf(execution).every((api) => waitingExecutions.has(api.content.executionId)),
      input.timeoutMs,
      () => `${pendingHandlers} handler(s) running; still active: ${activitiesOf(execution).filter((api) => !waitingExecutions.has(api.content.executionId)).map((api) => `${api.id} (${api.type})`).join(', ')}`,
    );
    const outcome = await Promise.race([finished, stable.promise]).finally(stable.cancel);
    if (outcome instanceof Error) throw outcome;
    if (handlerError) throw handlerError;

    const completed = outcome === 'end' || engine.state === 'idle';
    const postponed = completed ? [] : activitiesOf(execution);
    return {
      state: await engine.getState(),
      completed,
      waiting: postponed.map((api) => ({
        elementId: api.id,
        executionId: api.content.executionId,
        type: api.owner?.type ?? api.type,
        ...(api.owner?.name || api.name ? { name: api.owner?.name ?? api.name } : {}),
        ...(api.content.message?.name ? { messageName: api.content.message.name } : {}),
      })),
      variables: cleanVariables(execution.environment.variables),
      history,
    };
  } finally {
    engine.stop();
  }
}

/** Postponed elements that are activities; a sequence flow can linger in the list after it was taken. */
function activitiesOf(execution: Execution): ElementApi[] {
  return execution.getPostponed().filter((api) => api.type !== 'bpmn:SequenceFlow');
}

function cleanVariables(variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(variables).filter(([key]) => !ENGINE_NOISE.has(key)));
}

/** Polls until the instance only waits (the engine settles synchronously between handler callbacks), or times out. */
function waitUntilStable(isStable: () => boolean, timeoutMs: number, describe?: () => string): { promise: Promise<'stable' | Error>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const deadline = Date.now() + timeoutMs;
  const promise = new Promise<'stable' | Error>((resolve) => {
    const check = () => {
      if (cancelled) return;
      if (isStable()) return resolve('stable');
      if (Date.now() > deadline) return resolve(new Error(`the step did not reach a wait within ${timeoutMs} ms${describe ? `: ${describe()}` : ''}`));
      timer = setTimeout(check, 2);
    };
    setImmediate(check);
  });
  return { promise, cancel: () => { cancelled = true; clearTimeout(timer); } };
}

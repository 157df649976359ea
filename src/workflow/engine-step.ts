import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import { Timers } from 'bpmn-elements';
import { moddleExtensions, taskInputsOf, taskTypeOf, userTaskSettingsOf } from './bpmn/moddle-extensions';
import { resolveText } from './expressions/diagram-expression';
import { lacking } from '../auth/permissions';
import type { Actor } from '../common/actor';
import type { WaitingElement } from './process-instance.entity';
import { type TaskContext, type TaskType, TaskRefusedError, type TaskTypeRegistry } from './task-type.registry';

/** A timer the instance waits for; the job table owns it (bpmn-engine cannot arm timers beyond ~24.8 days). */
export interface PendingTimer {
  elementId: string;
  /** The timer event definition's execution: what a timer job fires. */
  executionId: string;
  expireAt: Date;
}

/** What one step tells the runtime to save. */
export interface StepResult {
  state: unknown;
  completed: boolean;
  waiting: WaitingElement[];
  timers: PendingTimer[];
  variables: Record<string, unknown>;
  /** Elements entered and left during the step, in order; a leave may close an element entered in an earlier step. */
  history: HistoryEvent[];
}

export type HistoryEvent =
  | { kind: 'enter'; elementId: string; elementType: string; name: string | null; executionId: string; at: Date }
  | { kind: 'leave'; elementId: string; at: Date };

/** What moves a waiting instance on: a message, a due timer, or a completed user task. */
export type StepTrigger =
  | { kind: 'message'; name: string; payload: Record<string, unknown> }
  | { kind: 'timer'; executionId: string }
  | { kind: 'signal'; elementId: string; executionId: string; variables: Record<string, unknown> };

export interface StepInput {
  instanceId: string;
  businessKey: string | null;
  /** Saved engine state; absent for the first step, which starts from the diagram. */
  state?: unknown;
  /**
   * The deployed version the instance runs (workflow_definition.id): its parsed diagram is cached under this id,
   * since a version never changes. Without it the XML itself is the cache key.
   */
  definitionId?: string;
  /** The version's XML; a loader is only called when the parsed diagram is not cached yet. */
  xml: string | (() => Promise<string>);
  variables: Record<string, unknown>;
  trigger?: StepTrigger;
  /** How long a step may run before it is given up (a handler that never answers). */
  timeoutMs: number;
  /** Who the instance runs as, with their permissions now (asked at most once per step). */
  principal: () => Promise<Actor>;
  /** Who completed user task `elementId` of this instance, with their permissions now (the tasklist's record). */
  completerOf: (elementId: string) => Promise<Actor | undefined>;
  /** Crash tests only: SIGKILL this process right after this task type's handler returns (before the step is saved). */
  crashAfterTask?: string;
  /** Told of every handler call as it ends (the task execution log). */
  onTaskRun?: (run: TaskRun) => Promise<void>;
}

export interface TaskRun {
  elementId: string;
  executionId: string;
  taskType: string;
  startedAt: Date;
  durationMs: number;
  error?: string;
}

/** A task type the diagram names is not registered: the step fails and ends as an incident. */
export class UnknownTaskTypeError extends Error {}

/** A handler failed; `retries` is its task type's own retry budget, when it declares one. */
export class TaskFailedError extends Error {
  constructor(
    readonly elementId: string,
    readonly taskType: string,
    readonly retries: number | undefined,
    cause: Error,
  ) {
    super(`<${elementId}> ${taskType} failed: ${cause.message}`, { cause });
  }
}

/** The job's target no longer waits (the message was consumed, the timer fired or was cancelled): nothing to do. */
export class NothingToTriggerError extends Error {}

/** The parts of bpmn-engine's API used here (its published types do not describe extension points). */
interface ElementApi {
  id: string;
  type: string;
  name?: string;
  owner?: { name?: string; type?: string; behaviour?: Record<string, unknown> };
  content: { executionId: string; expireAt?: string | Date; message?: { id: string; name?: string } };
  cancel(): void;
}
interface Execution {
  getPostponed(): ElementApi[];
  signal(message: Record<string, unknown>): void;
}
interface LooseEngine {
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
interface SourceContext {
  id: string;
  serialize(): string | undefined;
}
/** What engine.getState() returns: one entry per `bpmn:definitions`, each with the serialized diagram as `source`. */
interface EngineState {
  definitions: Array<{ id: string; source?: string }>;
}
interface ActivityDefinition {
  type: string;
  id: string;
  behaviour: Record<string, unknown> & { Service?: unknown };
}
const BpmnEngine = Engine as unknown as new (options: Record<string, unknown>) => LooseEngine;

/**
 * Conditions and other `${...}` / `=...` expressions go through FEEL (feelin, expressions/) over the process variables;
 * bpmn-engine's own resolver has no operators (STACK "bpmn-engine 25"), and scripts never run.
 */
const safeExpressions = (variables: Record<string, unknown>) => ({
  resolveExpression: (expression: unknown) => (typeof expression === 'string' ? resolveText(expression, variables) : expression),
});

/** Timers that are never armed in memory: a step ends at a timer wait, and a timer job fires it later. */
const durableTimers = () => new Timers({ setTimeout: () => ({ durable: true }), clearTimeout: () => undefined } as never);

/**
 * bpmn-engine's default logger makes a `debug` logger per element of every engine (each asking whether stderr is a
 * TTY): a measurable part of a step. Its output is only wanted when DEBUG names bpmn-engine.
 */
const quietLogger = () => ({ debug: () => undefined, error: () => undefined, warn: () => undefined });
const engineLogger = /bpmn-engine|\*/.test(process.env.DEBUG ?? '') ? {} : { Logger: quietLogger };

/** Parsed diagrams kept per deployed version (or per XML): parsing costs more than most steps' own work. */
const PARSED_LIMIT = 100;
const parsed = new Map<string, Promise<SourceContext>>();

/**
 * The diagram parsed once (bpmn-moddle, then bpmn-engine's serializer) and shared read-only by every engine that runs it:
 * an engine copies what it changes (each activity spreads its `behaviour`). `serialize` is silenced so that no saved state
 * carries the diagram; a state names its diagram through the instance's definition.
 */
export function parsedDiagram(definitionId: string | undefined, xml: string | (() => Promise<string>)): Promise<SourceContext> {
  const key = definitionId ?? `xml:${createHash('sha256').update(typeof xml === 'string' ? xml : '').digest('hex')}`;
  if (definitionId === undefined && typeof xml !== 'string') throw new Error('a diagram loader needs a definition id');
  const cached = parsed.get(key);
  if (cached) {
    parsed.delete(key); // least recently used goes first
    parsed.set(key, cached);
    return cached;
  }
  const parsing = (async () => {
    const source = typeof xml === 'string' ? xml : await xml();
    const engine = new BpmnEngine({ source, moddleOptions: moddleExtensions, ...engineLogger });
    const [definition, ...more] = await engine.getDefinitions();
    if (!definition || more.length) throw new Error('a diagram must have exactly one bpmn:definitions');
    const context = definition.context.definitionContext;
    return Object.create(context, { serialize: { value: () => undefined } }) as SourceContext;
  })();
  parsed.set(key, parsing);
  parsing.catch(() => parsed.delete(key)); // a failed load (a database error) is tried again next time
  if (parsed.size > PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
  return parsing;
}

/**
 * A saved state without its diagram, pointed at `context`. States saved before diagrams were cached carry the diagram
 * (`source`, ~20 KB) and, after a migration, the id of the version they came from: the instance's definition decides.
 */
function recoverable(state: unknown, context: SourceContext): EngineState {
  const saved = state as EngineState;
  if (saved.definitions?.length !== 1) throw new Error('a saved state must hold exactly one bpmn:definitions');
  const { source: _source, ...definition } = saved.definitions[0];
  return { ...saved, definitions: [{ ...definition, id: context.id }] };
}

/**
 * Who a service task acts for, after checking that they may (DESIGN "A diagram can never do more than the people behind
 * it"): the instance's principal must hold every permission of the task type, and so must the person who completed the
 * user task named by its `task` input, who is then the actor the step records.
 */
async function actorFor(taskType: TaskType, taskInput: Readonly<Record<string, string>>, step: StepInput): Promise<Actor> {
  const principal = await step.principal();
  refuseWithoutPermissions(taskType, principal, 'who started this instance');
  const decider = taskInput.task ? await step.completerOf(taskInput.task) : undefined;
  if (!decider) return principal;
  refuseWithoutPermissions(taskType, decider, `who completed ${taskInput.task}`);
  return decider;
}

function refuseWithoutPermissions(taskType: TaskType, actor: Actor, who: string): void {
  const missing = lacking(actor.permissions, taskType.permissions);
  if (missing.length === 0) return;
  throw new TaskRefusedError(`it needs permission ${missing.join(', ')}, which ${actor.name} (${who}) does not hold`);
}

/**
 * Runs one instance from its saved state to its next wait (or its end) and returns what to save.
 * Nothing stays in memory afterwards: the engine is stopped and dropped (DESIGN "Instances").
 */
export async function runEngineStep(input: StepInput, registry: TaskTypeRegistry): Promise<StepResult> {
  // the process variables are ours (saved in process_instance.variables); the engine state only holds where it is
  const variables: Record<string, unknown> = { ...input.variables };
  const history: HistoryEvent[] = [];
  const firedTimers = new Set<string>();
  const waitingElements = new Set<string>();
  const timerApis = new Map<string, ElementApi>();
  const userTaskSettings = new Map<string, ReturnType<typeof userTaskSettingsOf>>();
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
            const executionId = message.content.executionId;
            const snapshot = { ...variables };
            pendingHandlers++;
            const startedAt = new Date();
            const logRun = (error?: Error) =>
              input.onTaskRun?.({ elementId: activity.id, executionId, taskType: taskType.type, startedAt, durationMs: Date.now() - startedAt.getTime(), error: error?.message });
            actorFor(taskType, taskInput, input)
              .then((actor) => {
                const context: TaskContext = {
                  instanceId: input.instanceId,
                  businessKey: input.businessKey,
                  elementId: activity.id,
                  executionId,
                  variables: snapshot,
                  input: taskInput,
                  actor,
                };
                return taskType.handle(context);
              })
              .then(async (output) => {
                if (input.crashAfterTask === type) process.kill(process.pid, 'SIGKILL');
                await logRun();
                if (output) Object.assign(variables, output);
                pendingHandlers--;
                callback(null, output ?? {});
              })
              .catch(async (error: unknown) => {
                const cause = error instanceof Error ? error : new Error(String(error));
                await logRun(cause)?.catch(() => undefined);
                pendingHandlers--;
                // a refusal (a missing permission, a target of another process) is the same on every try: an incident at once
                handlerError = new TaskFailedError(activity.id, taskType.type, cause instanceof TaskRefusedError ? 1 : taskType.retries, cause);
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
    waitingElements.delete(api.id);
  });
  listener.on('activity.wait', (api: ElementApi) => {
    waitingElements.add(api.id);
    if (api.type === 'bpmn:UserTask' && api.owner?.behaviour) userTaskSettings.set(api.id, userTaskSettingsOf(api.owner.behaviour as never));
  });
  listener.on('activity.timer', (api: ElementApi) => {
    waitingElements.add(api.id);
    timerApis.set(api.content.executionId, api);
  });
  listener.on('activity.timeout', (api: ElementApi) => {
    timerApis.delete(api.content.executionId);
    firedTimers.add(api.content.executionId);
  });

  const sourceContext = await parsedDiagram(input.definitionId, input.xml);
  const options = { name: input.instanceId, sourceContext, extensions, expressions: safeExpressions(variables), timers: durableTimers(), ...engineLogger };
  // the state was read for this step alone (the engine may change what it recovers from)
  const engine = input.state ? new BpmnEngine(options).recover(recoverable(input.state, sourceContext)) : new BpmnEngine(options);

  const finished = new Promise<'end' | Error>((resolve) => {
    engine.once('end', () => resolve('end'));
    engine.once('error', (error) => resolve(handlerError ?? error));
  });
  try {
    const execution = input.state
      ? await engine.resume({ listener })
      : await engine.execute({ listener });
    if (input.trigger) trigger(execution, input.trigger, { variables, timerApis, firedTimers });

    const stable = waitUntilStable(
      () => pendingHandlers === 0 && activitiesOf(execution).every((api) => waitingElements.has(api.id)),
      input.timeoutMs,
      () => `${pendingHandlers} handler(s) running; still active: ${activitiesOf(execution).filter((api) => !waitingElements.has(api.id)).map((api) => `${api.id} (${api.type})`).join(', ')}`,
    );
    const outcome = await Promise.race([finished, stable.promise]).finally(stable.cancel);
    if (outcome instanceof Error) throw outcome;
    if (handlerError) throw handlerError;

    const completed = outcome === 'end' || engine.state === 'idle';
    const postponed = completed ? [] : activitiesOf(execution);
    const postponedIds = new Set(postponed.map((api) => api.id));
    return {
      state: await engine.getState(),
      completed,
      waiting: postponed.map((api) => ({
        elementId: api.id,
        executionId: api.content.executionId,
        type: api.owner?.type ?? api.type,
        ...(api.owner?.name || api.name ? { name: api.owner?.name ?? api.name } : {}),
        ...(api.content.message?.name ? { messageName: api.content.message.name } : {}),
        ...(userTaskSettings.has(api.id) ? userTaskSettings.get(api.id) : {}),
      })),
      timers: [...timerApis.values()]
        .filter((api) => postponedIds.has(api.id) && api.content.expireAt)
        .map((api) => ({ elementId: api.id, executionId: api.content.executionId, expireAt: new Date(api.content.expireAt!) })),
      variables,
      history,
    };
  } finally {
    engine.stop();
  }
}

interface TriggerContext {
  variables: Record<string, unknown>;
  timerApis: Map<string, ElementApi>;
  firedTimers: Set<string>;
}

function trigger(execution: Execution, trigger: StepTrigger, { variables, timerApis, firedTimers }: TriggerContext): void {
  switch (trigger.kind) {
    case 'message': {
      const target = activitiesOf(execution).find((api) => api.content.message?.name === trigger.name);
      if (!target) throw new NothingToTriggerError(`the instance is not waiting for message ${trigger.name}`);
      Object.assign(variables, trigger.payload);
      execution.signal({ id: target.content.message!.id });
      return;
    }
    case 'timer': {
      // a timer past its expiry fired by itself on resume; otherwise the job decides that the time has come
      // (it owns durable timers), whatever the engine's own clock says
      if (firedTimers.has(trigger.executionId)) return;
      const timer = timerApis.get(trigger.executionId);
      if (!timer) throw new NothingToTriggerError(`timer ${trigger.executionId} no longer waits`);
      timer.cancel();
      return;
    }
    case 'signal': {
      const target = activitiesOf(execution).find((api) => api.id === trigger.elementId && api.content.executionId === trigger.executionId);
      if (!target) throw new NothingToTriggerError(`${trigger.elementId} no longer waits`);
      Object.assign(variables, trigger.variables);
      execution.signal({ id: trigger.elementId, executionId: trigger.executionId });
      return;
    }
  }
}

/** Postponed elements that are activities; a sequence flow can linger in the list after it was taken. */
function activitiesOf(execution: Execution): ElementApi[] {
  return execution.getPostponed().filter((api) => api.type !== 'bpmn:SequenceFlow');
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
  return {
    promise,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Moves a saved instance onto another version's diagram: the execution state stays (it is keyed by element id),
 * the diagram it runs becomes the new one (the instance's definition; a state carries no diagram of its own).
 * The caller checks that every waiting element exists in the new version.
 */
export async function migrateState(state: unknown, definitionId: string, xml: string): Promise<unknown> {
  return recoverable(state, await parsedDiagram(definitionId, xml));
}

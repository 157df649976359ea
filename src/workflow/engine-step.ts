import { EventEmitter } from 'node:events';
import { userTaskSettingsOf } from './bpmn/moddle-extensions';
import type { WaitingElement } from './process-instance.entity';
import type { TaskTypeRegistry } from './task-type.registry';
import { parsedDiagram, recoverable } from './engine/diagram-cache';
import { BpmnEngine, durableTimers, type ElementApi, engineLogger, type Execution, safeExpressions } from './engine/engine-adapter';
import { type ServiceCallOptions, ServiceTasks } from './engine/service-behaviour';

export { TaskFailedError, type TaskRun, UnknownTaskTypeError } from './engine/service-behaviour';

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

export interface StepInput extends ServiceCallOptions {
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
}

/** The job's target no longer waits (the message was consumed, the timer fired or was cancelled): nothing to do. */
export class NothingToTriggerError extends Error {}

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
  const serviceTasks = new ServiceTasks(input, registry, variables);

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
  const options = { name: input.instanceId, sourceContext, extensions: { omsTaskTypes: serviceTasks.extension }, expressions: safeExpressions(variables), timers: durableTimers(), ...engineLogger };
  // the state was read for this step alone (the engine may change what it recovers from)
  const engine = input.state ? new BpmnEngine(options).recover(recoverable(input.state, sourceContext)) : new BpmnEngine(options);

  const finished = new Promise<'end' | Error>((resolve) => {
    engine.once('end', () => resolve('end'));
    engine.once('error', (error) => resolve(serviceTasks.error ?? error));
  });
  try {
    const execution = input.state
      ? await engine.resume({ listener })
      : await engine.execute({ listener });
    if (input.trigger) trigger(execution, input.trigger, { variables, timerApis, firedTimers });

    const stable = waitUntilStable(
      () => serviceTasks.pending === 0 && activitiesOf(execution).every((api) => waitingElements.has(api.id)),
      input.timeoutMs,
      () => `${serviceTasks.pending} handler(s) running; still active: ${activitiesOf(execution).filter((api) => !waitingElements.has(api.id)).map((api) => `${api.id} (${api.type})`).join(', ')}`,
    );
    const outcome = await Promise.race([finished, stable.promise]).finally(stable.cancel);
    if (outcome instanceof Error) throw outcome;
    if (serviceTasks.error) throw serviceTasks.error;

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

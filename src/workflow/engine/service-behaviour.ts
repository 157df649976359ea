import type { EntityManager } from 'typeorm';
import { lacking } from '../../auth/permissions';
import type { Actor } from '../../common/actor';
import { taskInputsOf, taskTypeOf } from '../bpmn/moddle-extensions';
import { type TaskContext, type TaskType, TaskRefusedError, type TaskTypeRegistry } from '../task-type.registry';
import type { ActivityDefinition } from './engine-adapter';

/** What the service tasks of one step need from the step. */
export interface ServiceCallOptions {
  instanceId: string;
  businessKey: string | null;
  /** The step's transaction: the handlers' effects commit with the step's saved state, or not at all. */
  manager: EntityManager;
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

/**
 * The behaviour of service and send tasks in one step: each calls its registered task type with the step's transaction,
 * after checking who it acts for, and merges what it returns into the process variables. `pending` and `error` tell the
 * step whether it may settle.
 */
export class ServiceTasks {
  pending = 0;
  error?: Error;

  constructor(
    private readonly step: ServiceCallOptions,
    private readonly registry: TaskTypeRegistry,
    private readonly variables: Record<string, unknown>,
  ) {}

  /** The bpmn-engine extension that gives every service and send task our behaviour. */
  readonly extension = (activity: ActivityDefinition): void => {
    if (activity.type !== 'bpmn:ServiceTask' && activity.type !== 'bpmn:SendTask') return;
    const type = taskTypeOf(activity.behaviour as never);
    const taskInput = taskInputsOf(activity.behaviour as never);
    const call = (executionId: string, callback: (error: Error | null, output?: unknown) => void) => this.call(activity.id, type, taskInput, executionId, callback);
    activity.behaviour.Service = function OmsService() {
      return { execute: (message: { content: { executionId: string } }, callback: (error: Error | null, output?: unknown) => void) => call(message.content.executionId, callback) };
    };
  };

  private call(elementId: string, type: string | undefined, taskInput: Readonly<Record<string, string>>, executionId: string, callback: (error: Error | null, output?: unknown) => void): void {
    const taskType = type ? this.registry.get(type) : undefined;
    if (!taskType) {
      this.error = new UnknownTaskTypeError(`<${elementId}> names task type "${type ?? ''}", which is not registered`);
      return callback(this.error);
    }
    const snapshot = { ...this.variables };
    this.pending++;
    const startedAt = new Date();
    const logRun = (error?: Error) =>
      this.step.onTaskRun?.({ elementId, executionId, taskType: taskType.type, startedAt, durationMs: Date.now() - startedAt.getTime(), error: error?.message });
    this.actorFor(taskType, taskInput)
      .then((actor) => {
        const context: TaskContext = {
          instanceId: this.step.instanceId,
          businessKey: this.step.businessKey,
          elementId,
          executionId,
          variables: snapshot,
          input: taskInput,
          actor,
          manager: this.step.manager,
        };
        return taskType.handle(context);
      })
      .then(async (output) => {
        if (this.step.crashAfterTask === type) process.kill(process.pid, 'SIGKILL');
        await logRun();
        if (output) Object.assign(this.variables, output);
        this.pending--;
        callback(null, output ?? {});
      })
      .catch(async (error: unknown) => {
        const cause = error instanceof Error ? error : new Error(String(error));
        await logRun(cause)?.catch(() => undefined);
        this.pending--;
        // a refusal (a missing permission, a target of another process) is the same on every try: an incident at once
        this.error = new TaskFailedError(elementId, taskType.type, cause instanceof TaskRefusedError ? 1 : taskType.retries, cause);
        callback(this.error);
      });
  }

  /**
   * Who a service task acts for, after checking that they may (DESIGN "A diagram can never do more than the people behind
   * it"): the instance's principal must hold every permission of the task type, and so must the person who completed the
   * user task named by its `task` input, who is then the actor the step records.
   */
  private async actorFor(taskType: TaskType, taskInput: Readonly<Record<string, string>>): Promise<Actor> {
    const principal = await this.step.principal();
    refuseWithoutPermissions(taskType, principal, 'who started this instance');
    const decider = taskInput.task ? await this.step.completerOf(taskInput.task) : undefined;
    if (!decider) return principal;
    refuseWithoutPermissions(taskType, decider, `who completed ${taskInput.task}`);
    return decider;
  }
}

function refuseWithoutPermissions(taskType: TaskType, actor: Actor, who: string): void {
  const missing = lacking(actor.permissions, taskType.permissions);
  if (missing.length === 0) return;
  throw new TaskRefusedError(`it needs permission ${missing.join(', ')}, which ${actor.name} (${who}) does not hold`);
}

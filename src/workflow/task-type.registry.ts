import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/actor';

/** What a task type's handler gets: who it acts for and the process variables at that point. */
export interface TaskContext {
  instanceId: string;
  businessKey: string | null;
  elementId: string;
  /** Stable for one execution of one element; a retry after a crash may run the handler again with a new one. */
  executionId: string;
  variables: Readonly<Record<string, unknown>>;
  /** Static inputs from the diagram (oms:input / zeebe:input on the task), e.g. the template name of notify.send. */
  input: Readonly<Record<string, string>>;
  /**
   * Who this step acts for, as the runtime saw it (never a process variable): the person who completed the user task named
   * by the `task` input when there is one, else whoever the instance runs as (its starter, or the system for the product's
   * own flows). The runtime has checked that both hold the task type's permissions; record this actor in history.
   */
  actor: Actor;
  /**
   * The step's transaction (DESIGN "A step is one unit of work"): what a handler writes through it commits together with the
   * step's saved state, so a step's database effects happen exactly once. Work outside the database leaves through the outbox.
   */
  manager: EntityManager;
}

export interface TaskTypeField {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'object';
  description: string;
}

/**
 * A named handler a service task can call (DESIGN "The one idea"). Its database effects go through `context.manager` and
 * commit with the step; a step that fails or crashes is rolled back and runs again from the last saved wait, so a handler
 * still reads the state it finds (it may be called again after a failed try) rather than assume it runs once.
 */
export interface TaskType {
  type: string;
  name: string;
  description: string;
  inputs: TaskTypeField[];
  outputs: TaskTypeField[];
  /**
   * What its effect needs (DESIGN "A diagram can never do more than the people behind it"): deploying a diagram that uses
   * it needs these permissions, and a step whose instance principal (or deciding person) lacks one fails to an incident.
   */
  permissions: readonly string[];
  /** Attempts before a failure becomes an incident (default: the job's, 5); the delay doubles from 2 s. */
  retries?: number;
  /** Returns variables to merge into the process. */
  handle(context: TaskContext): Promise<Record<string, unknown> | void>;
}

/**
 * A refusal that no retry can change: the step fails to an incident at once. The runtime raises it for a missing
 * permission; handlers raise it for a target that is not theirs (an order or case of another process).
 */
export class TaskRefusedError extends Error {}

/** The catalogue of task types; business areas register theirs at start, the runtime imports none of them. */
@Injectable()
export class TaskTypeRegistry {
  private readonly types = new Map<string, TaskType>();

  register(taskType: TaskType): void {
    if (this.types.has(taskType.type)) throw new Error(`task type ${taskType.type} is registered twice`);
    this.types.set(taskType.type, taskType);
  }

  get(type: string): TaskType | undefined {
    return this.types.get(type);
  }

  list(): Array<Omit<TaskType, 'handle'>> {
    return [...this.types.values()].map(({ handle: _handle, ...description }) => description);
  }
}

import { Injectable } from '@nestjs/common';

/** What a task type's handler gets: who it runs for and the process variables at that point. */
export interface TaskContext {
  instanceId: string;
  businessKey: string | null;
  elementId: string;
  /** Stable for one execution of one element; a retry after a crash may run the handler again with a new one. */
  executionId: string;
  variables: Readonly<Record<string, unknown>>;
  /** Static inputs from the diagram (oms:input / zeebe:input on the task), e.g. the template name of notify.send. */
  input: Readonly<Record<string, string>>;
}

export interface TaskTypeField {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'object';
  description: string;
}

/**
 * A named handler a service task can call (DESIGN "The one idea"). Handlers must be safe to run twice:
 * a retry after a crash runs every step since the last saved wait again.
 */
export interface TaskType {
  type: string;
  name: string;
  description: string;
  inputs: TaskTypeField[];
  outputs: TaskTypeField[];
  /** Attempts before a failure becomes an incident (default: the job's, 5); the delay doubles from 2 s. */
  retries?: number;
  /** Returns variables to merge into the process. */
  handle(context: TaskContext): Promise<Record<string, unknown> | void>;
}

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

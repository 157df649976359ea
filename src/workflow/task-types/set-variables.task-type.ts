import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TaskTypeRegistry } from '../task-type.registry';

/**
 * `workflow.set-variables`: sets process variables from the task's inputs (`<oms:input name="priority" value="high"/>`).
 * Lets analysts mark a path or prepare a value for a later gateway without a script.
 */
@Injectable()
export class SetVariablesTaskType implements OnModuleInit {
  constructor(private readonly registry: TaskTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register({
      type: 'workflow.set-variables',
      name: 'Set variables',
      description: 'Sets each input as a process variable of the same name (strings; "true"/"false" and numbers are converted).',
      inputs: [{ name: '*', type: 'string', description: 'any name: the variable to set, with its value' }],
      outputs: [{ name: '*', type: 'object', description: 'the same names and values' }],
      // it only changes the instance's own variables
      permissions: [],
      handle: async ({ input }) => Object.fromEntries(Object.entries(input).map(([name, value]) => [name, typed(value)])),
    });
  }
}

function typed(value: string): string | number | boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

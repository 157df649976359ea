import { taskTypeOf } from '../../bpmn/moddle-extensions';
import { isAny, type RuleFactory } from '../types';

export interface TaskTypeRuleConfig {
  /** True when a handler is registered under this task type (TaskTypeRegistry). */
  isRegistered: (type: string) => boolean;
}

/**
 * Every service task and send task names a task type (`oms:taskType`, `zeebe:taskDefinition type` or
 * `camunda:topic`) and that type is registered: the runtime calls the registered handler and nothing else.
 */
const taskType: RuleFactory<TaskTypeRuleConfig> = ({ isRegistered }) => ({
  check(node, reporter) {
    if (!isAny(node, ['bpmn:ServiceTask', 'bpmn:SendTask'])) return;
    const type = taskTypeOf(node as never)?.trim();
    const what = node.$type === 'bpmn:SendTask' ? 'send task' : 'service task';
    if (!type) {
      reporter.report(node.id, `the ${what} names no task type (oms:taskType, zeebe:taskDefinition type or camunda:topic)`);
    } else if (!isRegistered(type)) {
      reporter.report(node.id, `task type "${type}" is not registered`);
    }
  },
});

export default taskType;

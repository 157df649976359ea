import conditionExpression from './condition-expression';
import gatewayConditions from './gateway-conditions';
import messageReference from './message-reference';
import noScripts from './no-scripts';
import sequenceFlowEnds from './sequence-flow-ends';
import taskType from './task-type';
import timerIso8601 from './timer-iso8601';
import userTaskForm from './user-task-form';

/** Our rules, by name; in lint results they appear as `oms/<name>` (a bpmnlint plugin named "oms"). */
export const omsRules = {
  'task-type': taskType,
  'gateway-conditions': gatewayConditions,
  'timer-iso8601': timerIso8601,
  'condition-expression': conditionExpression,
  'no-scripts': noScripts,
  'message-reference': messageReference,
  'sequence-flow-ends': sequenceFlowEnds,
  'user-task-form': userTaskForm,
} as const;

export type OmsRuleName = keyof typeof omsRules;

/**
 * Moddle descriptors so that service task types are read from diagrams as analysts draw them:
 * our `oms:taskType` attribute, Camunda 8's `zeebe:taskDefinition type`, or Camunda 7's `camunda:topic`.
 */
export const OMS_NAMESPACE = 'http://oms.dev/schema/bpmn';

export const moddleExtensions = {
  oms: {
    name: 'OMS',
    uri: OMS_NAMESPACE,
    prefix: 'oms',
    xml: { tagAlias: 'lowerCase' },
    types: [
      {
        name: 'ServiceTaskType',
        isAbstract: true,
        extends: ['bpmn:ServiceTask', 'bpmn:SendTask'],
        properties: [{ name: 'taskType', isAttr: true, type: 'String' }],
      },
      {
        name: 'Input',
        superClass: ['Element'],
        properties: [
          { name: 'name', isAttr: true, type: 'String' },
          { name: 'value', isAttr: true, type: 'String' },
        ],
      },
      {
        name: 'UserTaskSettings',
        isAbstract: true,
        extends: ['bpmn:UserTask'],
        properties: [
          { name: 'candidateRoles', isAttr: true, type: 'String' },
          { name: 'dueIn', isAttr: true, type: 'String' },
        ],
      },
    ],
  },
  zeebe: {
    name: 'Zeebe',
    uri: 'http://camunda.org/schema/zeebe/1.0',
    prefix: 'zeebe',
    xml: { tagAlias: 'lowerCase' },
    types: [
      {
        name: 'TaskDefinition',
        superClass: ['Element'],
        properties: [
          { name: 'type', isAttr: true, type: 'String' },
          { name: 'retries', isAttr: true, type: 'String' },
        ],
      },
      {
        name: 'IoMapping',
        superClass: ['Element'],
        properties: [{ name: 'inputParameters', isMany: true, type: 'Input' }],
      },
      {
        name: 'Input',
        properties: [
          { name: 'source', isAttr: true, type: 'String' },
          { name: 'target', isAttr: true, type: 'String' },
        ],
      },
      {
        name: 'AssignmentDefinition',
        superClass: ['Element'],
        properties: [
          { name: 'assignee', isAttr: true, type: 'String' },
          { name: 'candidateGroups', isAttr: true, type: 'String' },
        ],
      },
      {
        name: 'TaskSchedule',
        superClass: ['Element'],
        properties: [{ name: 'dueDate', isAttr: true, type: 'String' }],
      },
    ],
  },
  camunda: {
    name: 'Camunda',
    uri: 'http://camunda.org/schema/1.0/bpmn',
    prefix: 'camunda',
    xml: { tagAlias: 'lowerCase' },
    types: [
      {
        name: 'ExternalTask',
        isAbstract: true,
        extends: ['bpmn:ServiceTask', 'bpmn:SendTask'],
        properties: [
          { name: 'topic', isAttr: true, type: 'String' },
          { name: 'type', isAttr: true, type: 'String' },
        ],
      },
      {
        name: 'UserTaskSettings',
        isAbstract: true,
        extends: ['bpmn:UserTask'],
        properties: [
          { name: 'candidateGroups', isAttr: true, type: 'String' },
          { name: 'dueDate', isAttr: true, type: 'String' },
        ],
      },
    ],
  },
};

interface ExtensionElement {
  $type: string;
  candidateGroups?: string;
  dueDate?: string;
  type?: string;
  name?: string;
  value?: string;
  source?: string;
  target?: string;
  inputParameters?: ExtensionElement[];
}

interface TaskBehaviour {
  taskType?: string;
  topic?: string;
  extensionElements?: { values?: ExtensionElement[] };
}

/** The task type a service task names, whichever modeler drew it. */
export function taskTypeOf(behaviour: TaskBehaviour): string | undefined {
  const values = behaviour.extensionElements?.values ?? [];
  const zeebe = values.find((value) => value.$type === 'zeebe:TaskDefinition')?.type;
  return behaviour.taskType ?? zeebe ?? behaviour.topic;
}

/** Static inputs: `<oms:input name="template" value="order-confirmation"/>` or zeebe input mappings with literal sources. */
export function taskInputsOf(behaviour: TaskBehaviour): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const value of behaviour.extensionElements?.values ?? []) {
    if (value.$type === 'oms:Input' && value.name) inputs[value.name] = value.value ?? '';
    if (value.$type === 'zeebe:IoMapping') {
      for (const mapping of value.inputParameters ?? []) {
        if (mapping.target && mapping.source) inputs[mapping.target] = mapping.source.replace(/^="?|"$/g, '');
      }
    }
  }
  return inputs;
}

interface UserTaskBehaviour {
  candidateRoles?: string;
  candidateGroups?: string;
  dueIn?: string;
  dueDate?: string;
  extensionElements?: { values?: ExtensionElement[] };
}

const splitList = (value: string | undefined) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

/** Who may work a user task and when it is due: `oms:candidateRoles`/`oms:dueIn`, or the Camunda 8 / 7 equivalents. */
export function userTaskSettingsOf(behaviour: UserTaskBehaviour): { candidateRoles: string[]; dueIn?: string; dueDate?: string } {
  const values = behaviour.extensionElements?.values ?? [];
  const assignment = values.find((value) => value.$type === 'zeebe:AssignmentDefinition');
  const schedule = values.find((value) => value.$type === 'zeebe:TaskSchedule');
  return {
    candidateRoles: splitList(behaviour.candidateRoles ?? assignment?.candidateGroups ?? behaviour.candidateGroups),
    dueIn: behaviour.dueIn,
    dueDate: schedule?.dueDate ?? behaviour.dueDate,
  };
}

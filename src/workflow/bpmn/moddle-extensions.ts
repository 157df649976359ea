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
    ],
  },
};

interface ExtensionElement {
  $type: string;
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

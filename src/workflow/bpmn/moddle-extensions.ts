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
      {
        // a field of a user task's form: the only variables completing the task may set (issue 11 item 1)
        name: 'FormField',
        superClass: ['Element'],
        properties: [
          { name: 'name', isAttr: true, type: 'String' },
          { name: 'label', isAttr: true, type: 'String' },
          { name: 'type', isAttr: true, type: 'String' },
          { name: 'required', isAttr: true, type: 'Boolean' },
          { name: 'options', isAttr: true, type: 'String' },
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
      // Camunda 7 generated task forms: <camunda:formData><camunda:formField id type label><camunda:value id name/>...
      {
        name: 'FormData',
        superClass: ['Element'],
        properties: [{ name: 'fields', isMany: true, type: 'FormField' }],
      },
      {
        name: 'FormField',
        superClass: ['Element'],
        properties: [
          { name: 'id', isAttr: true, type: 'String' },
          { name: 'label', isAttr: true, type: 'String' },
          { name: 'type', isAttr: true, type: 'String' },
          { name: 'defaultValue', isAttr: true, type: 'String' },
          { name: 'validation', type: 'Validation' },
          { name: 'values', isMany: true, type: 'Value' },
        ],
      },
      {
        name: 'Validation',
        superClass: ['Element'],
        properties: [{ name: 'constraints', isMany: true, type: 'Constraint' }],
      },
      {
        name: 'Constraint',
        superClass: ['Element'],
        properties: [
          { name: 'name', isAttr: true, type: 'String' },
          { name: 'config', isAttr: true, type: 'String' },
        ],
      },
      {
        name: 'Value',
        superClass: ['Element'],
        properties: [
          { name: 'id', isAttr: true, type: 'String' },
          { name: 'name', isAttr: true, type: 'String' },
        ],
      },
    ],
  },
};

interface ExtensionElement {
  $type: string;
  id?: string;
  label?: string;
  required?: boolean;
  options?: string;
  fields?: ExtensionElement[];
  values?: ExtensionElement[];
  validation?: { constraints?: ExtensionElement[] };
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

export const FORM_FIELD_TYPES = ['string', 'number', 'boolean', 'enum', 'money', 'date'] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

/** A field of a user task's form: completing the task may set this variable, and no other. */
export interface FormField {
  name: string;
  label?: string;
  type: FormFieldType;
  required: boolean;
  options?: string[];
}

/** Camunda 7's field types in ours (`long` is a whole number there; a number here). */
const CAMUNDA_FIELD_TYPES: Record<string, FormFieldType> = { string: 'string', long: 'number', boolean: 'boolean', enum: 'enum', date: 'date' };

/**
 * The form a user task declares: `<oms:formField name type label required options/>` elements, or Camunda 7's
 * `<camunda:formData>`. A field of an unknown type keeps it as written (`type` is then checked at deploy).
 */
export function formFieldsOf(behaviour: UserTaskBehaviour): FormField[] {
  const fields: FormField[] = [];
  for (const value of behaviour.extensionElements?.values ?? []) {
    if (value.$type === 'oms:FormField' && value.name) {
      const options = splitList(value.options);
      fields.push({
        name: value.name,
        ...(value.label ? { label: value.label } : {}),
        type: (value.type ?? 'string') as FormFieldType,
        required: value.required === true,
        ...(options.length ? { options } : {}),
      });
    }
    if (value.$type === 'camunda:FormData') {
      for (const field of value.fields ?? []) {
        if (!field.id) continue;
        const options = (field.values ?? []).map((option) => option.id ?? '').filter(Boolean);
        fields.push({
          name: field.id,
          ...(field.label ? { label: field.label } : {}),
          type: CAMUNDA_FIELD_TYPES[field.type ?? 'string'] ?? ((field.type ?? 'string') as FormFieldType),
          required: (field.validation?.constraints ?? []).some((constraint) => constraint.name === 'required'),
          ...(options.length ? { options } : {}),
        });
      }
    }
  }
  return fields;
}

/** Who may work a user task, when it is due and its form: `oms:candidateRoles`/`oms:dueIn`, or the Camunda 8 / 7 equivalents. */
export function userTaskSettingsOf(behaviour: UserTaskBehaviour): { candidateRoles: string[]; dueIn?: string; dueDate?: string; formFields: FormField[] } {
  const values = behaviour.extensionElements?.values ?? [];
  const assignment = values.find((value) => value.$type === 'zeebe:AssignmentDefinition');
  const schedule = values.find((value) => value.$type === 'zeebe:TaskSchedule');
  return {
    candidateRoles: splitList(behaviour.candidateRoles ?? assignment?.candidateGroups ?? behaviour.candidateGroups),
    dueIn: behaviour.dueIn,
    dueDate: schedule?.dueDate ?? behaviour.dueDate,
    formFields: formFieldsOf(behaviour),
  };
}

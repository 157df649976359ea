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
          { name: 'defaultValue', isAttr: true, type: 'String' },
          { name: 'min', isAttr: true, type: 'String' },
          { name: 'max', isAttr: true, type: 'String' },
          { name: 'minLength', isAttr: true, type: 'String' },
          { name: 'maxLength', isAttr: true, type: 'String' },
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
  defaultValue?: string;
  config?: string;
  min?: string;
  max?: string;
  minLength?: string;
  maxLength?: string;
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

export const FORM_FIELD_TYPES = ['string', 'long', 'number', 'boolean', 'enum', 'money', 'date'] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

/** The limits a field may declare (Camunda 7's `<camunda:constraint name="min" config="1"/>` ...). */
export interface FormFieldLimits {
  /** long, number, money: the smallest and largest value. */
  min?: number;
  max?: number;
  /** string: the shortest and longest text. */
  minLength?: number;
  maxLength?: number;
}

/**
 * A field of a user task's form: completing the task may set this variable, and no other. The tasklist shows `label`
 * (the diagram's words, often Chinese) and each option's label; the variable name and type stay behind the form.
 */
export interface FormField extends FormFieldLimits {
  name: string;
  label?: string;
  type: FormFieldType;
  required: boolean;
  options?: string[];
  /** What the tasklist shows for each option (`<camunda:value id="pass" name="合格"/>`, or `options="pass=合格,fail=不合格"`). */
  optionLabels?: Record<string, string>;
  defaultValue?: string;
}

/** Camunda 7's field types in ours (`long` is a whole number). */
const CAMUNDA_FIELD_TYPES: Record<string, FormFieldType> = { string: 'string', long: 'long', boolean: 'boolean', enum: 'enum', date: 'date' };
const LIMIT_CONSTRAINTS: Record<string, keyof FormFieldLimits> = { min: 'min', max: 'max', minlength: 'minLength', maxlength: 'maxLength' };

/** The limits written as attributes or constraints (`min="1"`), the ones that are numbers. */
function limitsOf(written: Partial<Record<keyof FormFieldLimits, string | undefined>>): FormFieldLimits {
  const limits: FormFieldLimits = {};
  for (const [key, text] of Object.entries(written) as Array<[keyof FormFieldLimits, string | undefined]>) {
    const number = Number(text);
    if (text !== undefined && text.trim() !== '' && Number.isFinite(number)) limits[key] = number;
  }
  return limits;
}

/** `pass=合格,fail` → options and the labels given. */
export function parseOptions(text: string | undefined): { options: string[]; optionLabels: Record<string, string> } {
  const options: string[] = [];
  const optionLabels: Record<string, string> = {};
  for (const item of splitList(text)) {
    const at = item.indexOf('=');
    const value = (at < 0 ? item : item.slice(0, at)).trim();
    if (!value) continue;
    options.push(value);
    const label = at < 0 ? '' : item.slice(at + 1).trim();
    if (label) optionLabels[value] = label;
  }
  return { options, optionLabels };
}

function optionParts(options: string[], optionLabels: Record<string, string>): Partial<FormField> {
  return {
    ...(options.length ? { options } : {}),
    ...(Object.keys(optionLabels).length ? { optionLabels } : {}),
  };
}

/**
 * The form a user task declares: `<oms:formField name type label required options/>` elements, or Camunda 7's
 * `<camunda:formData>` (label, type, enum values with their names, default value, and the required / min / max /
 * minlength / maxlength constraints). A field of an unknown type keeps it as written (`type` is then checked at deploy).
 */
export function formFieldsOf(behaviour: UserTaskBehaviour): FormField[] {
  const fields: FormField[] = [];
  for (const value of behaviour.extensionElements?.values ?? []) {
    if (value.$type === 'oms:FormField' && value.name) {
      const { options, optionLabels } = parseOptions(value.options);
      fields.push({
        name: value.name,
        ...(value.label ? { label: value.label } : {}),
        type: (value.type ?? 'string') as FormFieldType,
        required: value.required === true,
        ...optionParts(options, optionLabels),
        ...(value.defaultValue !== undefined && value.defaultValue !== '' ? { defaultValue: value.defaultValue } : {}),
        ...limitsOf({ min: value.min, max: value.max, minLength: value.minLength, maxLength: value.maxLength }),
      });
    }
    if (value.$type === 'camunda:FormData') {
      for (const field of value.fields ?? []) {
        if (!field.id) continue;
        const options: string[] = [];
        const optionLabels: Record<string, string> = {};
        for (const option of field.values ?? []) {
          if (!option.id) continue;
          options.push(option.id);
          if (option.name) optionLabels[option.id] = option.name;
        }
        const written: Partial<Record<keyof FormFieldLimits, string>> = {};
        for (const constraint of field.validation?.constraints ?? []) {
          const limit = LIMIT_CONSTRAINTS[(constraint.name ?? '').toLowerCase()];
          if (limit) written[limit] = constraint.config;
        }
        const limits = limitsOf(written);
        fields.push({
          name: field.id,
          ...(field.label ? { label: field.label } : {}),
          type: CAMUNDA_FIELD_TYPES[field.type ?? 'string'] ?? ((field.type ?? 'string') as FormFieldType),
          required: (field.validation?.constraints ?? []).some((constraint) => constraint.name === 'required'),
          ...optionParts(options, optionLabels),
          ...(field.defaultValue !== undefined && field.defaultValue !== '' ? { defaultValue: field.defaultValue } : {}),
          ...limits,
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

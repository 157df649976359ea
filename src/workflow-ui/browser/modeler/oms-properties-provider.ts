/**
 * Properties panel groups for what the OMS runtime reads from a diagram:
 * - "OMS task" on service and send tasks: the task type (`oms:taskType`) from the registered catalogue, and the
 *   type's declared inputs as `<oms:input name value>` extension elements;
 * - "Condition" on sequence flows leaving a gateway or activity: the condition expression the runtime evaluates.
 * Timers are edited by the standard BPMN provider's Timer group.
 */
import { isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited, SelectEntry, TextAreaEntry, TextFieldEntry } from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';
import type { Element, ModdleElement } from 'bpmn-js/lib/model/Types';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';
import type { TaskTypeField, TaskTypeInfo } from '../shared/types';
import { taskTypeOf } from '../../../workflow/bpmn/moddle-extensions';
import { type FormFieldLine, formFieldLine, optionsAttribute, parseFormFieldLine } from './form-field-lines';
import { tr } from '../shared/i18n';

const PRIORITY = 500;
const TASK_ELEMENTS = ['bpmn:ServiceTask', 'bpmn:SendTask'];

interface Group {
  id: string;
  label: string;
  shouldOpen?: boolean;
  entries: Array<{ id: string; element: Element; component: unknown; isEdited?: unknown; [key: string]: unknown }>;
}

interface PropertiesPanel {
  registerProvider(priority: number, provider: unknown): void;
}

interface CommandStack {
  execute(command: string, context: unknown): void;
}

interface Modeling {
  updateProperties(element: Element, properties: Record<string, unknown>): void;
}

interface BpmnFactory {
  create(type: string, attributes?: Record<string, unknown>): ModdleElement;
}

type Translate = (text: string, replacements?: Record<string, string>) => string;

export class OmsPropertiesProvider {
  static $inject = ['propertiesPanel', 'config.omsTaskTypes'];

  constructor(
    propertiesPanel: PropertiesPanel,
    private readonly taskTypes: TaskTypeInfo[] = [],
  ) {
    propertiesPanel.registerProvider(PRIORITY, this);
  }

  getGroups(element: Element): (groups: Group[]) => Group[] {
    return (groups) => {
      const afterGeneral = Math.max(0, groups.findIndex((group) => group.id === 'general') + 1);
      if (isAny(element, TASK_ELEMENTS)) groups.splice(afterGeneral, 0, this.taskGroup(element));
      if (is(element, 'bpmn:UserTask')) groups.splice(afterGeneral, 0, userTaskGroup(element));
      if (hasConditionalSource(element)) groups.splice(afterGeneral, 0, conditionGroup(element));
      return groups;
    };
  }

  private taskGroup(element: Element): Group {
    const taskTypes = this.taskTypes;
    const businessObject = getBusinessObject(element);
    const declared = taskTypes.find((candidate) => candidate.type === taskTypeOf(businessObject))?.inputs ?? [];
    const named = declared.filter((field) => field.name !== '*');
    const names = new Set(named.map((field) => field.name));
    // a type taking any input (`*`), or inputs in the diagram the type does not declare: edited as name=value lines
    const others = declared.some((field) => field.name === '*') || omsInputs(businessObject).some((input) => !names.has(input.name));
    return {
      id: 'oms-task',
      label: tr('OMS task'),
      shouldOpen: true,
      entries: [
        { id: 'omsTaskType', element, component: TaskTypeEntry, isEdited: isSelectEntryEdited, taskTypes },
        ...named.map((field) => ({ id: `omsInput-${field.name}`, element, component: TaskInputEntry, isEdited: isTextFieldEntryEdited, field })),
        ...(others ? [{ id: 'omsOtherInputs', element, component: OtherInputsEntry, isEdited: isTextAreaEntryEdited, declared: names }] : []),
      ],
    };
  }
}

/** Who may work a user task, when it is due and its form (`oms:candidateRoles`, `oms:dueIn`, `oms:formField`), as the tasklist shows it. */
function userTaskGroup(element: Element): Group {
  return {
    id: 'oms-user-task',
    label: tr('Tasklist'),
    shouldOpen: true,
    entries: [
      { id: 'omsCandidateRoles', element, component: AttributeEntry, isEdited: isTextFieldEntryEdited, attribute: 'oms:candidateRoles', label: tr('Candidate roles'), description: tr('Comma-separated roles that may claim it, e.g. operator, finance; empty: anyone') },
      { id: 'omsDueIn', element, component: AttributeEntry, isEdited: isTextFieldEntryEdited, attribute: 'oms:dueIn', label: tr('Due in'), description: tr('ISO 8601 duration from when the task is created, e.g. PT4H or P2D') },
      { id: 'omsFormFields', element, component: FormFieldsEntry, isEdited: isTextAreaEntryEdited },
    ],
  };
}

/** A plain text attribute of the element's business object; empty removes it. */
function AttributeEntry(props: { element: Element; id: string; attribute: string; label: string; description: string }) {
  const { element, id, attribute, label, description } = props;
  const modeling = useService('modeling') as Modeling;
  const debounce = useService('debounceInput') as <T>(fn: T) => T;
  return h(TextFieldEntry, {
    element,
    id,
    label,
    description,
    getValue: () => getBusinessObject(element).get(attribute) ?? '',
    setValue: (value: string | undefined) => modeling.updateProperties(element, { [attribute]: value?.trim() || undefined }),
    debounce,
  });
}

function conditionGroup(element: Element): Group {
  return { id: 'oms-condition', label: tr('Condition'), shouldOpen: true, entries: [{ id: 'omsCondition', element, component: ConditionEntry, isEdited: isTextFieldEntryEdited }] };
}

/** A sequence flow whose source decides between flows: a gateway that forks, or an activity with conditional flows. */
function hasConditionalSource(element: Element): boolean {
  if (!is(element, 'bpmn:SequenceFlow')) return false;
  const source = getBusinessObject(element).sourceRef;
  return isAny(source, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:ComplexGateway', 'bpmn:Activity']);
}

function omsInputs(businessObject: ModdleElement): ModdleElement[] {
  const values: ModdleElement[] = businessObject.get('extensionElements')?.get('values') ?? [];
  return values.filter((value) => is(value, 'oms:Input'));
}

function TaskTypeEntry(props: { element: Element; id: string; taskTypes: TaskTypeInfo[] }) {
  const { element, id, taskTypes } = props;
  const modeling = useService('modeling') as Modeling;
  const translate = useService('translate') as Translate;
  const businessObject = getBusinessObject(element);
  const current = taskTypeOf(businessObject);
  const own = businessObject.get('oms:taskType') as string | undefined;
  const known = taskTypes.find((candidate) => candidate.type === current);

  const getOptions = () => {
    const options = [{ value: '', label: translate('<none>') }, ...taskTypes.map((candidate) => ({ value: candidate.type, label: `${candidate.name} (${candidate.type})` }))];
    if (own && !taskTypes.some((candidate) => candidate.type === own)) options.push({ value: own, label: `${own} (not registered)` });
    return options;
  };
  let description = known ? known.description : current ? `"${current}" is not a registered task type` : tr('Choose what this task does');
  if (current && !own) description = `${description} (read from zeebe:taskDefinition or camunda:topic; choosing one here takes precedence)`;
  if (known?.outputs.length) description = `${description.replace(/\.$/, '')}. Sets: ${known.outputs.map((output) => output.name).join(', ')}`;
  // a deploy needs what the task types need, and so does whoever starts or decides for the instance (issue 11)
  if (known) description = `${description.replace(/\.$/, '')}. ${known.permissions.length ? `Needs permission: ${known.permissions.join(', ')}` : 'Needs no permission'}`;

  return h(SelectEntry, {
    element,
    id,
    label: tr('Task type'),
    description,
    getValue: () => own ?? '',
    setValue: (value: string) => modeling.updateProperties(element, { 'oms:taskType': value || undefined }),
    getOptions,
  });
}

/**
 * Replaces the extension elements `replaced` selects with new ones of `type` (their attributes), in one undoable command;
 * creates the extensionElements when needed.
 */
function replaceExtensions(element: Element, services: { commandStack: CommandStack; bpmnFactory: BpmnFactory }, replaced: (value: ModdleElement) => boolean, type: string, wanted: Array<Record<string, unknown>>): void {
  const businessObject = getBusinessObject(element);
  const commands: Array<{ cmd: string; context: Record<string, unknown> }> = [];
  let extensionElements = businessObject.get('extensionElements');
  if (!extensionElements) {
    if (wanted.length === 0) return;
    extensionElements = services.bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = businessObject;
    commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement: businessObject, properties: { extensionElements } } });
  }
  const values: ModdleElement[] = extensionElements.get('values');
  const kept = values.filter((value) => !replaced(value));
  const created = wanted.map((attributes) => {
    const extension = services.bpmnFactory.create(type, attributes);
    extension.$parent = extensionElements;
    return extension;
  });
  commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement: extensionElements, properties: { values: [...kept, ...created] } } });
  services.commandStack.execute('properties-panel.multi-command-executor', commands);
}

/** Replaces the `<oms:input>` elements `replaced` selects with `wanted` (name, value). */
const setInputs = (element: Element, services: { commandStack: CommandStack; bpmnFactory: BpmnFactory }, replaced: (input: ModdleElement) => boolean, wanted: Array<[string, string]>) =>
  replaceExtensions(element, services, (value) => is(value, 'oms:Input') && replaced(value), 'oms:Input', wanted.map(([name, value]) => ({ name, value })));

function useInputServices() {
  return {
    commandStack: useService('commandStack') as CommandStack,
    bpmnFactory: useService('bpmnFactory') as BpmnFactory,
    debounce: useService('debounceInput') as <T>(fn: T) => T,
  };
}

/** One input the task type declares: `<oms:input name="template" value="order-confirmation"/>`. */
function TaskInputEntry(props: { element: Element; id: string; field: TaskTypeField }) {
  const { element, id, field } = props;
  const services = useInputServices();
  const find = () => omsInputs(getBusinessObject(element)).find((input) => input.name === field.name);
  return h(TextFieldEntry, {
    element,
    id,
    label: `Input: ${field.name}`,
    description: field.description,
    getValue: () => find()?.value ?? '',
    setValue: (value: string | undefined) => {
      const existing = find();
      const text = value ?? '';
      // keep the input's place among the others when only its value changes
      if (existing && text !== '') services.commandStack.execute('element.updateModdleProperties', { element, moddleElement: existing, properties: { value: text } });
      else setInputs(element, services, (input) => input.name === field.name, text === '' ? [] : [[field.name, text]]);
    },
    debounce: services.debounce,
  });
}

/** Inputs the type does not name (or any, for a type declaring `*`), as `name=value` lines. */
function OtherInputsEntry(props: { element: Element; id: string; declared: ReadonlySet<string> }) {
  const { element, id, declared } = props;
  const services = useInputServices();
  const isOther = (input: ModdleElement) => !declared.has(input.name);
  return h(TextAreaEntry, {
    element,
    id,
    label: tr('More inputs'),
    description: tr('One per line: name=value'),
    monospace: true,
    getValue: () =>
      omsInputs(getBusinessObject(element))
        .filter(isOther)
        .map((input) => `${input.name}=${input.value ?? ''}`)
        .join('\n'),
    setValue: (value: string | undefined) => {
      const lines = (value ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
      // a line being typed (no `=` or no value yet) is kept as an input with an empty value
      const inputs = lines.map((line): [string, string] => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
      });
      setInputs(element, services, isOther, inputs.filter(([name]) => name !== '' && !declared.has(name)));
    },
    debounce: services.debounce,
  });
}

/** A line's limits as `<oms:formField>` attributes (`minlength` → `minLength`). */
const OMS_LIMIT_ATTRIBUTES: Record<string, string> = { min: 'min', max: 'max', minlength: 'minLength', maxlength: 'maxLength' };

function omsFieldLine(field: ModdleElement): FormFieldLine {
  const line = parseFormFieldLine(`${field.name}: enum(${field.options ?? ''})`);
  const limits = Object.fromEntries(Object.entries(OMS_LIMIT_ATTRIBUTES).filter(([, attribute]) => field.get(attribute)).map(([key, attribute]) => [key, String(field.get(attribute))]));
  return {
    name: field.name,
    type: field.type ?? 'string',
    required: field.required === true,
    ...(line.options ? { options: line.options } : {}),
    ...(line.optionLabels ? { optionLabels: line.optionLabels } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(field.label ? { label: field.label } : {}),
  };
}

/** Camunda 7's `<camunda:formField id type label>` with its `<camunda:value>`s and `<camunda:constraint>`s, as a line. */
function camundaFieldLine(field: ModdleElement): FormFieldLine {
  const values: ModdleElement[] = field.get('values') ?? [];
  const constraints: ModdleElement[] = field.get('validation')?.get('constraints') ?? [];
  const optionLabels = Object.fromEntries(values.filter((value) => value.name).map((value) => [value.id, value.name]));
  const limits = Object.fromEntries(constraints.filter((constraint) => constraint.name !== 'required' && constraint.config).map((constraint) => [constraint.name, constraint.config]));
  return {
    name: field.id,
    type: field.type ?? 'string',
    required: constraints.some((constraint) => constraint.name === 'required'),
    ...(values.length ? { options: values.map((value) => value.id) } : {}),
    ...(Object.keys(optionLabels).length ? { optionLabels } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(field.label ? { label: field.label } : {}),
  };
}

/** Writes the lines into the `<camunda:formData>` the task has, as Camunda 7 reads them. */
function setCamundaFields(formData: ModdleElement, lines: FormFieldLine[], services: { commandStack: CommandStack; bpmnFactory: BpmnFactory }, element: Element): void {
  const fields = lines.map((line) => {
    const constraints = [
      ...(line.required ? [{ name: 'required' }] : []),
      ...Object.entries(line.limits ?? {}).map(([name, config]) => ({ name, config })),
    ].map((attributes) => services.bpmnFactory.create('camunda:Constraint', attributes));
    const values = (line.options ?? []).map((option) => services.bpmnFactory.create('camunda:Value', { id: option, ...(line.optionLabels?.[option] ? { name: line.optionLabels[option] } : {}) }));
    const field = services.bpmnFactory.create('camunda:FormField', { id: line.name, type: line.type, ...(line.label ? { label: line.label } : {}), values });
    for (const value of values) value.$parent = field;
    if (constraints.length) {
      const validation = services.bpmnFactory.create('camunda:Validation', { constraints });
      for (const constraint of constraints) constraint.$parent = validation;
      validation.$parent = field;
      field.validation = validation;
    }
    field.$parent = formData;
    return field;
  });
  services.commandStack.execute('element.updateModdleProperties', { element, moddleElement: formData, properties: { fields } });
}

/**
 * A user task's form, one field per line (`name: type* label`): completing the task may set these variables and no others,
 * so a task whose decision steers the flow must declare it here. A task drawn with Camunda 7's `<camunda:formData>` keeps
 * it (edited in place); any other task gets `<oms:formField>`s. The tasklist shows the labels and option names.
 */
function FormFieldsEntry(props: { element: Element; id: string }) {
  const { element, id } = props;
  const services = useInputServices();
  const extensions = () => (getBusinessObject(element).get('extensionElements')?.get('values') ?? []) as ModdleElement[];
  const formData = () => extensions().find((value) => is(value, 'camunda:FormData'));
  return h(TextAreaEntry, {
    element,
    id,
    label: tr('Form fields'),
    description: tr('One per line: name: type, * when required, then a label. Types: string, long, number, boolean, money, date, enum(value=label,...); limits in braces, e.g. {min=1,max=99}. e.g. "qcResult: enum(pass=合格,fail=不合格)* 质检结果". Completing the task sets only these.'),
    monospace: true,
    getValue: () => {
      const camunda = formData();
      const lines = camunda ? ((camunda.get('fields') ?? []) as ModdleElement[]).map(camundaFieldLine) : extensions().filter((value) => is(value, 'oms:FormField')).map(omsFieldLine);
      return lines.map(formFieldLine).join('\n');
    },
    setValue: (value: string | undefined) => {
      const parsed = (value ?? '').split('\n').map((line) => line.trim()).filter(Boolean).map(parseFormFieldLine);
      const camunda = formData();
      if (camunda) {
        setCamundaFields(camunda, parsed, services, element);
        return;
      }
      const attributes = parsed.map((field) => ({
        name: field.name,
        type: field.type,
        ...(field.required ? { required: true } : {}),
        ...(optionsAttribute(field) ? { options: optionsAttribute(field) } : {}),
        ...Object.fromEntries(Object.entries(field.limits ?? {}).filter(([key]) => OMS_LIMIT_ATTRIBUTES[key]).map(([key, limit]) => [OMS_LIMIT_ATTRIBUTES[key], limit])),
        ...(field.label ? { label: field.label } : {}),
      }));
      replaceExtensions(element, services, (extension) => is(extension, 'oms:FormField'), 'oms:FormField', attributes);
    },
    debounce: services.debounce,
  });
}

function ConditionEntry(props: { element: Element; id: string }) {
  const { element, id } = props;
  const modeling = useService('modeling') as Modeling;
  const bpmnFactory = useService('bpmnFactory') as BpmnFactory;
  const debounce = useService('debounceInput') as <T>(fn: T) => T;
  const businessObject = getBusinessObject(element);
  const isDefault = businessObject.sourceRef?.get?.('default') === businessObject;

  return h(TextFieldEntry, {
    element,
    id,
    label: tr('Condition expression'),
    description: isDefault
      ? tr('This is the default flow: taken when no other condition holds')
      : 'Over process variables, e.g. ${total > 100} or =total > 100 and country = "CN"',
    disabled: isDefault,
    getValue: () => businessObject.conditionExpression?.body ?? '',
    setValue: (value: string | undefined) => {
      const body = (value ?? '').trim();
      modeling.updateProperties(element, { conditionExpression: body ? bpmnFactory.create('bpmn:FormalExpression', { body }) : undefined });
    },
    debounce,
  });
}

export const OmsPropertiesProviderModule = {
  __init__: ['omsPropertiesProvider'],
  omsPropertiesProvider: ['type', OmsPropertiesProvider],
};

/**
 * A user task's form field as the modeler edits it: one line `name: type(options)*{limits} label` (`*`: required), e.g.
 * `qcResult: enum(pass=合格,fail=不合格)* 质检结果` or `count: long*{min=1,max=99} 件数`.
 */
export interface FormFieldLine {
  name: string;
  type: string;
  required: boolean;
  options?: string[];
  /** The name shown for an option (`pass=合格`). */
  optionLabels?: Record<string, string>;
  /** min, max (numbers), minlength, maxlength (text): Camunda 7's constraint names. */
  limits?: Record<string, string>;
  label?: string;
}

const LINE = /^([^:\s]+)\s*(?::\s*([A-Za-z]+)(?:\(([^)]*)\))?\s*(\*)?\s*(?:\{([^}]*)\})?)?\s*(.*)$/;

/** `a=x,b` → pairs; an item without `=` has no value. */
function pairs(text: string | undefined): Array<[string, string | undefined]> {
  return (text ?? '').split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
    const at = item.indexOf('=');
    return at < 0 ? [item, undefined] : [item.slice(0, at).trim(), item.slice(at + 1).trim()];
  });
}

/** `qcResult: enum(pass, fail)* QC result` → the field; a line being typed (`qcRes`) is a string field of that name. */
export function parseFormFieldLine(line: string): FormFieldLine {
  const [, name = line, type = 'string', options, required, limits, label] = LINE.exec(line.trim()) ?? [];
  const optionPairs = pairs(options).filter(([value]) => value);
  const optionLabels = Object.fromEntries(optionPairs.filter(([, text]) => text).map(([value, text]) => [value, text!]));
  const limitPairs = pairs(limits).filter(([key, value]) => key && value);
  return {
    name,
    type: type.toLowerCase(),
    required: required === '*',
    ...(optionPairs.length ? { options: optionPairs.map(([value]) => value) } : {}),
    ...(Object.keys(optionLabels).length ? { optionLabels } : {}),
    ...(limitPairs.length ? { limits: Object.fromEntries(limitPairs.map(([key, value]) => [key.toLowerCase(), value!])) } : {}),
    ...(label?.trim() ? { label: label.trim() } : {}),
  };
}

export function formFieldLine(field: FormFieldLine): string {
  const options = field.options?.length ? `(${field.options.map((option) => (field.optionLabels?.[option] ? `${option}=${field.optionLabels[option]}` : option)).join(',')})` : '';
  const limits = field.limits && Object.keys(field.limits).length ? `{${Object.entries(field.limits).map(([key, value]) => `${key}=${value}`).join(',')}}` : '';
  return `${field.name}: ${field.type}${options}${field.required ? '*' : ''}${limits}${field.label ? ` ${field.label}` : ''}`;
}

/** The `options` attribute of `<oms:formField>`: `pass=合格,fail=不合格`. */
export function optionsAttribute(field: FormFieldLine): string | undefined {
  if (!field.options?.length) return undefined;
  return field.options.map((option) => (field.optionLabels?.[option] ? `${option}=${field.optionLabels[option]}` : option)).join(',');
}

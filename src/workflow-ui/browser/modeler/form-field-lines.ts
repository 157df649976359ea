/** A user task's form field as the modeler edits it: one line `name: type* label` (`*`: required). */
export interface FormFieldLine {
  name: string;
  type: string;
  required: boolean;
  options?: string[];
  label?: string;
}

const LINE = /^([^:\s]+)\s*(?::\s*([A-Za-z]+)(?:\(([^)]*)\))?\s*(\*)?)?\s*(.*)$/;

/** `qcResult: enum(pass,fail)* QC result` → the field; a line being typed (`qcRes`) is a string field of that name. */
export function parseFormFieldLine(line: string): FormFieldLine {
  const [, name = line, type = 'string', options, required, label] = LINE.exec(line.trim()) ?? [];
  const optionList = (options ?? '').split(',').map((option) => option.trim()).filter(Boolean);
  return {
    name,
    type: type.toLowerCase(),
    required: required === '*',
    ...(optionList.length ? { options: optionList } : {}),
    ...(label?.trim() ? { label: label.trim() } : {}),
  };
}

export function formFieldLine(field: FormFieldLine): string {
  const options = field.options?.length ? `(${field.options.join(',')})` : '';
  return `${field.name}: ${field.type}${options}${field.required ? '*' : ''}${field.label ? ` ${field.label}` : ''}`;
}

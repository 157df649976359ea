/**
 * A user task's form as its diagram declares it (issue 14 item 9): the labels and option names of the diagram, an input
 * per type, and the errors next to their fields, whether found here (required, not a number) or by the API's 422 (the
 * same declaration checked again: limits, undeclared fields). The variable names and types never show.
 */
import { ApiError } from '../shared/api';
import { el } from '../shared/page';
import type { FormField } from '../shared/types';
import { formText } from './texts';

const MONEY = /^\d{1,10}(\.\d{1,2})?$/;

export class TaskForm {
  readonly element: HTMLElement;
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  private readonly errors = new Map<string, HTMLElement>();
  private readonly general: HTMLElement;

  constructor(private readonly fields: FormField[]) {
    this.general = el('p', { class: 'oms-error-text oms-form-error', role: 'alert', hidden: true });
    this.element = el('div', { class: 'oms-variable-rows' }, ...fields.map((field) => this.row(field)), this.general);
  }

  /** The values typed in, as the API takes them; null (and the errors shown) when one cannot be sent. */
  read(): Record<string, unknown> | null {
    this.clearErrors();
    const variables: Record<string, unknown> = {};
    let valid = true;
    for (const field of this.fields) {
      const text = this.inputs.get(field.name)!.value.trim();
      if (text === '') {
        if (field.required) valid = this.show(field.name, formText('required'));
        continue;
      }
      const value = valueOf(field, text);
      if (value instanceof Problem) valid = this.show(field.name, value.message);
      else variables[field.name] = value;
    }
    if (!valid) this.showGeneral(formText('fixErrors'));
    return valid ? variables : null;
  }

  /** A 422's details next to their fields; anything else above the button. */
  showApiError(error: unknown, fallback: string): void {
    this.clearErrors();
    const details = error instanceof ApiError ? error.details : [];
    const general: string[] = [];
    for (const detail of details) {
      const name = detail.path.replace(/^variables\./, '');
      if (this.inputs.has(name)) this.show(name, apiMessage(detail.message));
      else general.push(apiMessage(detail.message));
    }
    if (general.length || !details.length) this.showGeneral([fallback, ...general].join('; '));
    else this.showGeneral(formText('fixErrors'));
  }

  private row(field: FormField): HTMLElement {
    const input = inputFor(field);
    input.name = field.name;
    input.id = `task-field-${field.name}`;
    this.inputs.set(field.name, input);
    const error = el('span', { class: 'oms-field-error', role: 'alert', hidden: true });
    this.errors.set(field.name, error);
    const label = el('label', { for: input.id }, field.label ?? field.name, field.required ? el('span', { class: 'oms-required', 'aria-hidden': 'true' }, ' *') : '');
    return el('div', { class: 'oms-variable-row', 'data-field': field.name }, label, input, error);
  }

  private show(name: string, message: string): false {
    const error = this.errors.get(name)!;
    error.textContent = message;
    error.hidden = false;
    this.inputs.get(name)!.setAttribute('aria-invalid', 'true');
    return false;
  }

  private showGeneral(message: string): void {
    this.general.textContent = message;
    this.general.hidden = false;
  }

  private clearErrors(): void {
    for (const [name, error] of this.errors) {
      error.hidden = true;
      error.textContent = '';
      this.inputs.get(name)!.removeAttribute('aria-invalid');
    }
    this.general.hidden = true;
  }
}

/** An input for the field's type: a list of the diagram's option names, 是/否 for a yes-or-no (no silent "no"), a date picker ... */
function inputFor(field: FormField): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  const initial = field.defaultValue === undefined || field.defaultValue === null ? '' : String(field.defaultValue);
  if (field.type === 'enum' || field.type === 'boolean') {
    const options: Array<[string, string]> = field.type === 'boolean'
      ? [['true', formText('yes')], ['false', formText('no')]]
      : (field.options ?? []).map((option) => [option, field.optionLabels?.[option] ?? option]);
    const select = el('select', {}, el('option', { value: '' }, formText('choose')), ...options.map(([value, label]) => el('option', { value }, label)));
    select.value = initial;
    return select;
  }
  if (field.type === 'string' && (field.maxLength ?? 2000) > 200) {
    const area = el('textarea', { rows: 2 });
    area.value = initial;
    return area;
  }
  const type = field.type === 'long' || field.type === 'number' ? 'number' : field.type === 'date' ? 'date' : 'text';
  const input = el('input', {
    type,
    step: field.type === 'long' ? '1' : field.type === 'number' ? 'any' : null,
    inputmode: field.type === 'money' ? 'decimal' : null,
    placeholder: field.type === 'money' ? '0.00' : null,
  });
  input.value = initial;
  return input;
}

class Problem {
  constructor(readonly message: string) {}
}

/** The typed text as the field's value; limits are left to the API, which checks them against the same declaration. */
function valueOf(field: FormField, text: string): unknown {
  switch (field.type) {
    case 'boolean':
      return text === 'true';
    case 'long':
    case 'number': {
      const number = Number(text);
      if (!Number.isFinite(number)) return new Problem(formText('notANumber'));
      if (field.type === 'long' && !Number.isSafeInteger(number)) return new Problem(formText('notAWholeNumber'));
      return number;
    }
    case 'money':
      return MONEY.test(text) ? text : new Problem(formText('notAnAmount'));
    default:
      return text;
  }
}

/** The API's English detail in the user's words where it is one of the form's checks. */
function apiMessage(message: string): string {
  const patterns: Array<[RegExp, (match: RegExpMatchArray) => string]> = [
    [/^is required$/, () => formText('required')],
    [/^must be a whole number$/, () => formText('notAWholeNumber')],
    [/^must be a number$/, () => formText('notANumber')],
    [/^must be an amount/, () => formText('notAnAmount')],
    [/^must be a date/, () => formText('notADate')],
    [/^must be one of/, () => formText('notAnOption')],
    [/^must be at least (\d+) characters$/, (match) => formText('atLeastChars', { min: match[1] })],
    [/^must be at most (\d+) characters$/, (match) => formText('atMostChars', { max: match[1] })],
    [/^must be at least (\S+)$/, (match) => formText('atLeast', { min: match[1] })],
    [/^must be at most (\S+)$/, (match) => formText('atMost', { max: match[1] })],
  ];
  for (const [pattern, text] of patterns) {
    const match = message.match(pattern);
    if (match) return text(match);
  }
  return formText('invalid', { message });
}

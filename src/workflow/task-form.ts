import { type ErrorDetail, ValidationError } from '../common/errors';
import { isRealIsoTime } from '../common/validation';
import type { FormField } from './bpmn/moddle-extensions';

const MAX_TEXT_LENGTH = 2000;
const MONEY = /^\d{1,10}(\.\d{1,2})?$/;

function problemOf(field: FormField, value: unknown): string | null {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'long':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return 'must be a whole number';
      return rangeProblem(field, value);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      return rangeProblem(field, value);
    case 'money':
      if (typeof value !== 'string' || !MONEY.test(value)) return 'must be an amount like "129.00"';
      return rangeProblem(field, Number(value));
    case 'date':
      return isRealIsoTime(value, { dateOnly: true }) ? null : 'must be a date (YYYY-MM-DD)';
    case 'enum':
      return typeof value === 'string' && (field.options ?? []).includes(value) ? null : `must be one of ${(field.options ?? []).join(', ')}`;
    default: {
      if (typeof value !== 'string') return 'must be text';
      const longest = Math.min(field.maxLength ?? MAX_TEXT_LENGTH, MAX_TEXT_LENGTH);
      if (value.length > longest) return `must be at most ${longest} characters`;
      if (field.minLength !== undefined && value.length < field.minLength) return `must be at least ${field.minLength} characters`;
      return null;
    }
  }
}

/** The field's declared min / max (camunda:constraint), for numbers and amounts. */
function rangeProblem(field: FormField, value: number): string | null {
  if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
  if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
  return null;
}

/** A required text field left blank is as missing as one not sent. */
const isMissing = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/**
 * The variables completing a user task sets: only the fields its form declares, each of its type, the required ones
 * present (issue 11 item 1: a review completed with `needsReturn: false` skipped receipt and QC on a return). Anything
 * else is 422 and nothing is completed.
 */
export function formVariables(fields: FormField[], variables: Record<string, unknown>): Record<string, unknown> {
  const byName = new Map(fields.map((field) => [field.name, field]));
  const details: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(variables)) {
    const field = byName.get(name);
    if (!field) {
      const allowed = fields.length ? `its fields are ${fields.map((known) => known.name).join(', ')}` : 'it has no form fields';
      details.push({ path: `variables.${name}`, message: `is not a field of this task's form (${allowed})` });
      continue;
    }
    if (isMissing(value)) continue; // reported below when required
    const problem = problemOf(field, value);
    if (problem) details.push({ path: `variables.${name}`, message: problem });
  }
  for (const field of fields) {
    if (field.required && isMissing(variables[field.name])) {
      details.push({ path: `variables.${field.name}`, message: 'is required' });
    }
  }
  if (details.length) throw new ValidationError(`The task cannot be completed with these variables: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
  return Object.fromEntries(Object.entries(variables).filter(([, value]) => !isMissing(value)));
}

import type { ActionContext, ActionRequest, After, Before, ListActionResponse, RecordActionResponse } from 'adminjs';
import { normaliseMoney } from '../common/money';
import type { AdminJsModule } from './admin-runtime';

/** One field a form may set, with the checks the API's DTO makes for it. */
export interface FieldRule {
  kind: 'text' | 'integer' | 'money' | 'boolean' | 'text[]';
  /** Must be given when creating, and may not be emptied. */
  required?: boolean;
  /** Only settable when creating (business keys: sku, warehouse code, role name). */
  createOnly?: boolean;
  maxLength?: number;
  pattern?: { regex: RegExp; message: string };
  min?: number;
  max?: number;
}

export type FormErrors = Record<string, { message: string; type: string }>;
export type FormCheck = (payload: Record<string, unknown>, context: ActionContext, errors: FormErrors) => Promise<void> | void;

const MONEY = /^\d{1,10}(\.\d{1,2})?$/;

/**
 * A before-hook for `new` and `edit`: the form may set only these fields (anything else in the request is dropped,
 * e.g. `passwordHash`, ids, timestamps), each checked like the API checks it; then `check` for rules across fields.
 */
export function guardForm(adminjs: AdminJsModule, fields: Record<string, FieldRule>, check?: FormCheck): Before {
  return async (request: ActionRequest, context: ActionContext): Promise<ActionRequest> => {
    if (request.method !== 'post') return request;
    const creating = context.action.name === 'new';
    const given = adminjs.flat.unflatten<Record<string, unknown>, Record<string, unknown>>(request.payload ?? {});
    const payload: Record<string, unknown> = {};
    const errors: FormErrors = {};
    for (const [name, rule] of Object.entries(fields)) {
      if (rule.createOnly && !creating) continue;
      const outcome = normalise(given[name], rule);
      if ('error' in outcome) errors[name] = { message: outcome.error, type: 'invalid' };
      else if (outcome.value === undefined) {
        if (creating && rule.required) errors[name] = { message: 'is required', type: 'required' };
      } else if (outcome.value === null && rule.required) {
        errors[name] = { message: 'is required', type: 'required' };
      } else payload[name] = outcome.value;
    }
    if (Object.keys(errors).length === 0) await check?.(payload, context, errors);
    if (Object.keys(errors).length > 0) throw new adminjs.ValidationError(errors, { message: 'thereWereValidationErrors', type: 'validation' });
    return { ...request, payload };
  };
}

function normalise(value: unknown, rule: FieldRule): { value: unknown } | { error: string } {
  if (value === undefined) return { value: undefined };
  if (rule.kind === 'text[]') {
    if (value === null || value === '') return { value: [] };
    const items = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value as object) : [value];
    const texts = items.map((item) => String(item ?? '').trim()).filter((item) => item !== '');
    return { value: [...new Set(texts)] };
  }
  if (rule.kind === 'boolean') {
    if (value === true || value === 'true') return { value: true };
    if (value === false || value === 'false' || value === '' || value === null) return { value: false };
    return { error: 'must be true or false' };
  }
  if (value === null || (typeof value === 'string' && value.trim() === '')) return { value: null };
  if (typeof value !== 'string' && typeof value !== 'number') return { error: 'has the wrong type' };
  const text = String(value).trim();
  switch (rule.kind) {
    case 'integer': {
      if (!/^-?\d{1,12}$/.test(text)) return { error: 'must be a whole number' };
      const number = Number(text);
      if (rule.min !== undefined && number < rule.min) return { error: `must be at least ${rule.min}` };
      if (rule.max !== undefined && number > rule.max) return { error: `must be at most ${rule.max}` };
      return { value: number };
    }
    case 'money':
      return MONEY.test(text) ? { value: normaliseMoney(text) } : { error: 'must be an amount like 129.00' };
    default:
      if (rule.maxLength !== undefined && text.length > rule.maxLength) return { error: `must be at most ${rule.maxLength} characters` };
      if (rule.pattern && !rule.pattern.regex.test(text)) return { error: rule.pattern.message };
      return { value: text };
  }
}

function deleteParams(params: Record<string, unknown> | undefined, names: string[]): void {
  if (!params) return;
  for (const key of Object.keys(params)) {
    if (names.some((name) => key === name || key.startsWith(`${name}.`))) delete params[key];
  }
}

/** An after-hook removing params that must never reach the browser, even right after they were set. */
export function dropParams(...names: string[]): After<RecordActionResponse> {
  return async (response: RecordActionResponse) => {
    deleteParams(response?.record?.params, names);
    return response;
  };
}

/** An after-hook for `list` leaving out bulky params the list does not show (diagram XML, process variables). */
export function dropListParams(...names: string[]): After<ListActionResponse> {
  return async (response: ListActionResponse) => {
    for (const record of response?.records ?? []) deleteParams(record.params, names);
    return response;
  };
}

/** Puts a form guard in front of `new` and `edit`. */
export function guarded<T extends { new: object; edit: object }>(actions: T, before: Before): T {
  return { ...actions, new: { ...actions.new, before }, edit: { ...actions.edit, before } };
}

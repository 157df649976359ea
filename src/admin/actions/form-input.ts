import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AppError, ValidationError } from '../../common/errors';
import { flattenValidationErrors } from '../../common/validation';
import type { FormField } from '../ui-contract';

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

function valueAt(source: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (isPlain(value) || Array.isArray(value) ? (value as Plain)[key] : undefined), source);
}

function setAt(target: Plain, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlain(node[key])) node[key] = {};
    node = node[key] as Plain;
  }
  node[keys.at(-1)!] = value;
}

/** A form field's text as the DTO expects it: trimmed, an empty field not given, whole numbers as numbers. */
function fieldValue(raw: unknown, field: FormField): unknown {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') return raw; // a wrong shape: the DTO says so
  const text = String(raw).trim();
  if (text === '') return undefined;
  // anything else stays text, so that the DTO's message ("must be a positive whole number") applies
  if (field.kind === 'integer' && /^-?\d{1,15}$/.test(text)) return Number(text);
  return text;
}

/** `lines.0.sku` arrives as an array or as an object keyed by index, depending on how the form was flattened. */
function rowsOf(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (isPlain(raw)) return Object.keys(raw).sort((a, b) => Number(a) - Number(b)).map((key) => raw[key]);
  return [];
}

/**
 * The values of the form's own fields from a submitted payload (anything else is dropped, as the API refuses unknown
 * fields), nested like the DTO. Rows left entirely empty are dropped: a form keeps a spare row to type into.
 */
export function readForm(fields: FormField[], payload: Plain): Plain {
  const values: Plain = {};
  for (const field of fields) {
    if (field.displayOnly) continue;
    const raw = valueAt(payload, field.name);
    if (field.kind === 'rows') {
      const rows = rowsOf(raw)
        .map((row) => readForm(field.columns ?? [], isPlain(row) ? row : {}))
        .filter((row) => Object.values(row).some((value) => value !== undefined));
      if (rows.length > 0 || raw !== undefined) setAt(values, field.name, rows);
      continue;
    }
    const value = fieldValue(raw, field);
    if (value !== undefined) setAt(values, field.name, value);
  }
  return values;
}

/**
 * Checks a form's values with the API's DTO and the API's rules (ValidationPipe: whitelist, unknown fields refused), so a
 * form and a request disagree on nothing; problems are a ValidationError naming each field.
 */
export async function validateLikeTheApi<T extends object>(dto: ClassConstructor<T>, values: Plain): Promise<T> {
  const instance = plainToInstance(dto, values);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, validationError: { target: false, value: false } });
  if (errors.length === 0) return instance;
  // a field left empty reads better as "is required" than as the type it should have had
  const details = flattenValidationErrors(errors).map((detail) =>
    valueAt(values, fieldPath(detail.path)) === undefined && !/must have at least/.test(detail.message) ? { ...detail, message: 'is required' } : detail,
  );
  const unique = details.filter((detail, index) => details.findIndex((other) => other.path === detail.path && other.message === detail.message) === index);
  throw new ValidationError(`The form has ${unique.length} problem(s): ${unique.map((d) => `${d.path} ${d.message}`).join('; ')}`, unique);
}

/** `lines[0].quantity` (the API's paths) as the form names the field: `lines.0.quantity`. */
export const fieldPath = (apiPath: string): string => apiPath.replace(/\[(\d+)\]/g, '.$1');

/**
 * A service's field problems, one message per form field: the DTO's own wording ("must be a positive whole number")
 * over class-validator's defaults, which name the property ("quantity must not be greater than 100000").
 */
export function fieldErrorsOf(error: AppError): Record<string, string> | undefined {
  if (!error.details?.length) return undefined;
  const errors: Record<string, { message: string; isDefault: boolean }> = {};
  for (const detail of error.details) {
    const path = fieldPath(detail.path);
    const named = `${path.split('.').at(-1)} `;
    const isDefault = detail.message.startsWith(named);
    const message = isDefault ? detail.message.slice(named.length) : detail.message;
    if (errors[path] === undefined || (errors[path].isDefault && !isDefault)) errors[path] = { message, isDefault };
  }
  return Object.fromEntries(Object.entries(errors).map(([path, { message }]) => [path, message]));
}

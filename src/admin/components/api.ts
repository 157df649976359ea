import { ApiClient } from 'adminjs';

/** AdminJS's client for its own API routes (the session cookie authenticates). */
export const api = new ApiClient();

/** `{ customer: { phone } , lines: [{ sku }] }` → `customer.phone`, `lines.0.sku`: how AdminJS forms post nested values. */
export function flatten(value: unknown, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(value)) value.forEach((item, index) => flatten(item, `${prefix}${index}.`, into));
  else if (typeof value === 'object' && value !== null) Object.entries(value).forEach(([key, item]) => flatten(item, `${prefix}${key}.`, into));
  else if (value !== undefined && value !== null) into[prefix.slice(0, -1)] = String(value);
  return into;
}

export function valueAt(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), values);
}

/** A copy of `values` with `path` set (arrays stay arrays). */
export function withValue<T>(values: T, path: string, value: unknown): T {
  const [key, ...rest] = path.split('.');
  const node: Record<string, unknown> | unknown[] = Array.isArray(values) ? [...values] : { ...(values as Record<string, unknown>) };
  const child = (node as Record<string, unknown>)[key];
  (node as Record<string, unknown>)[key] = rest.length === 0 ? value : withValue(child ?? (/^\d+$/.test(rest[0]) ? [] : {}), rest.join('.'), value);
  return node as T;
}

import type { FilterElement } from 'adminjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^-?\d{1,15}(\.\d{1,6})?$/;
const NUMERIC_TYPES = new Set(['number', 'float']);
const DATE_TYPES = new Set(['date', 'datetime']);

/** The column @adminjs/typeorm's property wraps (a raw BaseProperty in a Filter). */
interface ColumnOf {
  column?: { type?: unknown; isArray?: boolean };
  type(): string;
}

/** A date (or date and time) that exists: JavaScript would read 2026-02-30 as 2 March. */
function isDate(text: unknown): boolean {
  const day = typeof text === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(text) : null;
  if (!day || Number.isNaN(new Date(text as string).getTime())) return false;
  const [year, month, date] = day.slice(1).map(Number);
  const calendar = new Date(Date.UTC(year, month - 1, date));
  return calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === date;
}

/**
 * What is wrong with a list filter's value, before @adminjs/typeorm turns it into SQL (where an unparsable date, a
 * non-uuid for a uuid column or a non-number for a number made PostgreSQL or TypeORM throw: a 500). Undefined when fine.
 */
export function filterProblem(element: FilterElement): string | undefined {
  const property = element.property as unknown as ColumnOf;
  const columnType = property.column?.type;
  const value = element.value as unknown;
  if (DATE_TYPES.has(property.type())) {
    if (typeof value !== 'object' || value === null) return 'give a date range (from, to)';
    const { from, to } = value as { from?: unknown; to?: unknown };
    if (from === undefined && to === undefined) return 'give a date range (from, to)';
    return [from, to].every((end) => end === undefined || isDate(end)) ? undefined : 'must be a date like 2026-03-15';
  }
  if (typeof value !== 'string') return 'must be a single value';
  if (columnType === 'uuid' && !UUID.test(value)) return 'must be the id of a record';
  if ((NUMERIC_TYPES.has(property.type()) || columnType === 'bigint') && !NUMBER.test(value)) return 'must be a number';
  if (property.type() === 'boolean' && value !== 'true' && value !== 'false') return 'must be true or false';
  return undefined;
}

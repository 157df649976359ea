import type { ActionContext, ActionRequest, ListActionResponse } from 'adminjs';
import type { AdminJsModule } from '../admin-runtime';

const MAX_PER_PAGE = 200;

export type ListFilter<F> = { filter: F } | { problem: string };

export interface ServiceListSpec<F, T extends { id: string }> {
  /** What the list says it is sorted by (the service lists newest first). */
  sortBy: string;
  /** The service's filter for the list's `filters.<property>` query, or what is wrong with it (a notice, never a failed request). */
  filterOf(filters: Record<string, unknown>): Promise<ListFilter<F>> | ListFilter<F>;
  list(filter: F, offset: number, limit: number): Promise<{ items: T[]; total: number }>;
  /** Params the list shows beside the record's own columns, as the service computes them (a case's `overdue`). */
  paramsOf?(item: T): Record<string, unknown>;
}

/**
 * A resource list answered by its area service's search (the one the API's GET runs), so that a filter means the same in
 * the admin and the API; the page's rows are AdminJS records of the ids found, in the service's order.
 */
export function serviceListHandler<F, T extends { id: string }>(adminjs: AdminJsModule, spec: ServiceListSpec<F, T>) {
  return async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ListActionResponse> => {
    const query = adminjs.flat.unflatten<Record<string, unknown>, { filters?: Record<string, unknown>; page?: string; perPage?: string }>(request.query ?? {});
    const perPage = Math.min(Math.max(Number(query.perPage) || (context._admin.options.settings?.defaultPerPage ?? 20), 1), MAX_PER_PAGE);
    const page = Math.max(Math.floor(Number(query.page)) || 1, 1);
    const meta = { page, perPage, direction: 'desc' as const, sortBy: spec.sortBy };

    const parsed = await spec.filterOf(query.filters ?? {});
    if ('problem' in parsed) return { records: [], meta: { ...meta, total: 0 }, notice: { message: parsed.problem, type: 'error' } };

    const { items, total } = await spec.list(parsed.filter, (page - 1) * perPage, perPage);
    const found = await context.resource.findMany(items.map((item) => item.id), context);
    const byId = new Map(found.map((record) => [String(record.id()), record]));
    const records = await adminjs.populator(items.flatMap((item) => byId.get(item.id) ?? []), context);
    const extra = new Map(items.map((item) => [item.id, spec.paramsOf?.(item) ?? {}]));
    return {
      records: records.map((record) => {
        const json = record.toJSON(context.currentAdmin);
        Object.assign(json.params, extra.get(String(record.id())));
        return json;
      }),
      meta: { ...meta, total },
    };
  };
}

/**
 * Text filters of a list (`filters.<property>`) copied into the service's filter under its own names, each trimmed and of
 * bounded length; the problem with the first one that is not.
 */
export function textFilters<F extends object>(filters: Record<string, unknown>, fields: Record<string, { to: keyof F; maxLength: number }>): ListFilter<F> {
  const filter = {} as F;
  for (const [property, { to, maxLength }] of Object.entries(fields)) {
    const value = filters[property];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string' || value.length > maxLength) return { problem: `The ${property} filter must be text of at most ${maxLength} characters` };
    (filter as Record<keyof F, unknown>)[to] = value.trim();
  }
  return { filter };
}

/** The values of a comma-separated filter (`status=requested,approved`) that are not among `known`. */
export function unknownValues(value: string | undefined, known: readonly string[]): string[] {
  return value?.split(',').filter((item) => !known.includes(item)) ?? [];
}

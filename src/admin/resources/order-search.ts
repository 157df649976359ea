import { isISO8601 } from 'class-validator';
import { ORDER_STATUSES } from '../../orders/order-status';
import type { OrderListFilter, OrdersService } from '../../orders/orders.service';
import type { SettingsService } from '../../settings/settings.service';
import type { AdminJsModule } from '../admin-runtime';
import { type ListFilter, serviceListHandler, textFilters, unknownValues } from './service-list';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The order list's filters (AdminJS `filters.<property>`) and the OrdersService filter each one sets. */
const FILTERS: Record<string, { to: keyof OrderListFilter; maxLength: number }> = {
  q: { to: 'q', maxLength: 64 },
  number: { to: 'number', maxLength: 32 },
  customerPhone: { to: 'phone', maxLength: 40 },
  sku: { to: 'sku', maxLength: 64 },
  channel: { to: 'channel', maxLength: 40 },
  status: { to: 'status', maxLength: 400 },
};
const FROM = 'placedAt~~from';
const TO = 'placedAt~~to';

/** The UTC offset of a time zone at an instant, as ISO 8601 writes it (`+08:00`). */
function offsetOf(timeZone: string, at: Date): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  return name === 'GMT' ? '+00:00' : name.slice(3);
}

/** A date without time (a typed link, `?filters.placedAt~~from=2026-05-01`) is that whole day in the shop's time zone. */
export function dayBoundary(date: string, timeZone: string, end: boolean): string {
  const offset = offsetOf(timeZone, new Date(`${date}T12:00:00Z`));
  return `${date}T${end ? '23:59:59.999' : '00:00:00'}${offset}`;
}

/** The OrdersService filter for the list's query, or the problem with it. */
export async function filterOf(filters: Record<string, unknown>, settings: SettingsService): Promise<ListFilter<OrderListFilter>> {
  const parsed = textFilters<OrderListFilter>(filters, FILTERS);
  if ('problem' in parsed) return parsed;
  const { filter } = parsed;
  const unknown = unknownValues(filter.status, ORDER_STATUSES);
  if (unknown.length) return { problem: `Unknown status ${unknown.join(', ')}; the statuses are ${ORDER_STATUSES.join(', ')}` };
  for (const [key, bound] of [[FROM, 'from'], [TO, 'to']] as const) {
    const value = filters[key];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string' || !isISO8601(value)) return { problem: `The placed ${bound} date must be a date like 2026-05-01` };
    filter[bound] = DATE_ONLY.test(value) ? dayBoundary(value, (await settings.get()).timeZone, bound === 'to') : value;
  }
  return { filter };
}

/**
 * G2.5 combined search: the order list runs OrdersService.list, the search GET /api/orders runs, so number, phone, placed
 * date range, status (one or several, comma-separated), SKU (a line of the order) and channel mean the same in both.
 * Newest first, as the API lists them.
 */
export function orderSearchHandler(adminjs: AdminJsModule, orders: OrdersService, settings: SettingsService) {
  return serviceListHandler(adminjs, {
    sortBy: 'placedAt',
    filterOf: (filters) => filterOf(filters, settings),
    list: (filter: OrderListFilter, offset, limit) => orders.list(filter, offset, limit),
  });
}

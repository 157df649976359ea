import type { CurrentAdmin, ViewHelpers } from 'adminjs';
import type { DataSource } from 'typeorm';
import type { AfterSalesService, CaseFilter } from '../../after-sales/after-sales.service';
import { OPEN_CASE_STATUSES } from '../../after-sales/case-status';
import type { NotificationsService } from '../../notifications/notifications.service';
import { DEAD_LETTER_ALERT } from '../../notifications/system-alert.entity';
import { ORDER_STATUSES, type OrderStatus } from '../../orders/order-status';
import { STATUS_TOTALS_SQL } from '../../reports/report-rollups';
import { can } from '../admin-access';
import { ADMIN_LANGUAGES, languageOf, serverTexts } from '../locale';
import type { StatusCounts } from '../ui-contract';

/** The work queues of the guide: what a person has to look at, across statuses (G2.2 review, G2.4 ship, G2.6 waiting). */
const QUEUES: Array<{ label: 'queueToReview' | 'queueToShip' | 'queueWaiting'; statuses: OrderStatus[] }> = [
  { label: 'queueToReview', statuses: ['pending_review', 'exception'] },
  { label: 'queueToShip', statuses: ['awaiting_shipment', 'partially_shipped'] },
  { label: 'queueWaiting', statuses: ['pending_payment', 'awaiting_stock'] },
];

/** The words of the signed-in user's language (issue 14); a session always carries the user's saved locale. */
const wordsFor = (currentAdmin: CurrentAdmin | undefined) => serverTexts(languageOf(currentAdmin, ADMIN_LANGUAGES[0]));

const listOf = (h: ViewHelpers, statuses: readonly string[]) => h.listUrl('Order', `?${new URLSearchParams({ 'filters.status': statuses.join(',') })}`);

/**
 * Orders per status, each linking to the order list filtered by it (dashboard and the order list's "By status" page).
 * Read from the report rollup; an admin without orders.read sees none.
 */
export async function orderStatusCounts(db: DataSource, h: ViewHelpers, currentAdmin: CurrentAdmin | undefined): Promise<StatusCounts> {
  if (!can(currentAdmin, 'orders.read')) return { total: 0, statuses: [], queues: [] };
  const words = wordsFor(currentAdmin);
  // the report rollup's totals (kept exact by triggers): a grouped count of every order took ~100 ms at a million (issue 13)
  const rows = (await db.query(STATUS_TOTALS_SQL)) as Array<{ status: OrderStatus; count: number }>;
  const count = new Map(rows.map((row) => [row.status, Number(row.count)]));
  const sum = (statuses: readonly OrderStatus[]) => statuses.reduce((total, status) => total + (count.get(status) ?? 0), 0);
  return {
    total: sum(ORDER_STATUSES),
    statuses: ORDER_STATUSES.map((status) => ({ status, label: words.enumLabel('orderStatus', status), count: count.get(status) ?? 0, url: listOf(h, [status]) })),
    queues: QUEUES.map((queue) => ({ label: words.text(queue.label), count: sum(queue.statuses), url: listOf(h, queue.statuses) })),
  };
}

/** The dashboard's after-sales queues (G1.6): cases still waiting for someone, and those past their step's SLA. */
const CASE_QUEUES: Array<{ label: 'queueOpenCases' | 'queueOverdueCases'; filter: CaseFilter }> = [
  { label: 'queueOpenCases', filter: { status: OPEN_CASE_STATUSES.join(',') } },
  { label: 'queueOverdueCases', filter: { overdue: 'true' } },
];

/** Each after-sales queue's count, as AfterSalesService.list counts it, linking to the case list filtered the same way. */
export async function afterSalesCounts(cases: AfterSalesService, h: ViewHelpers, currentAdmin: CurrentAdmin | undefined): Promise<StatusCounts['afterSales']> {
  if (!can(currentAdmin, 'aftersales.read')) return [];
  const words = wordsFor(currentAdmin);
  return Promise.all(
    CASE_QUEUES.map(async ({ label, filter }) => ({
      label: words.text(label),
      count: (await cases.list(filter, 0, 0)).total,
      url: h.listUrl('AfterSalesCase', `?${new URLSearchParams(Object.entries(filter).map(([key, value]): [string, string] => [`filters.${key}`, String(value)]))}`),
    })),
  );
}

/** G3.2: customer messages given up on that nobody has dealt with yet, linking to those alerts. */
export async function notificationCounts(notifications: NotificationsService, h: ViewHelpers, currentAdmin: CurrentAdmin | undefined): Promise<StatusCounts['notifications']> {
  if (!can(currentAdmin, 'orders.read')) return [];
  const filter = new URLSearchParams({ 'filters.kind': DEAD_LETTER_ALERT, 'filters.status': 'open' });
  return [{ label: wordsFor(currentAdmin).text('queueUndelivered'), count: await notifications.openDeadLetterCount(), url: h.listUrl('SystemAlert', `?${filter}`) }];
}

import type { CurrentAdmin, ViewHelpers } from 'adminjs';
import type { DataSource } from 'typeorm';
import { ORDER_STATUSES, type OrderStatus } from '../../orders/order-status';
import { Order } from '../../orders/order.entity';
import { can } from '../admin-access';
import type { StatusCounts } from '../ui-contract';

/** Each status in the words of the back office (G2.2 "new / awaiting review", G2.4 "awaiting shipment"). */
export const STATUS_LABELS: Record<OrderStatus, string> = {
  pending_payment: 'Awaiting payment',
  pending_review: 'New, awaiting review',
  exception: 'Exception (held for a person)',
  awaiting_stock: 'Awaiting stock',
  awaiting_shipment: 'Awaiting shipment',
  partially_shipped: 'Partially shipped',
  shipped: 'Shipped',
  delivered: 'Delivered',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

/** The work queues of the guide: what a person has to look at, across statuses. */
const QUEUES: Array<{ label: string; statuses: OrderStatus[] }> = [
  { label: 'To review (G2.2)', statuses: ['pending_review', 'exception'] },
  { label: 'To ship (G2.4)', statuses: ['awaiting_shipment', 'partially_shipped'] },
  { label: 'Waiting for payment or stock (G2.6)', statuses: ['pending_payment', 'awaiting_stock'] },
];

const listOf = (h: ViewHelpers, statuses: readonly string[]) => h.listUrl('Order', `?${new URLSearchParams({ 'filters.status': statuses.join(',') })}`);

/**
 * Orders per status, each linking to the order list filtered by it (dashboard and the order list's "By status" page).
 * One grouped count; an admin without orders.read sees none.
 */
export async function orderStatusCounts(db: DataSource, h: ViewHelpers, currentAdmin: CurrentAdmin | undefined): Promise<StatusCounts> {
  if (!can(currentAdmin, 'orders.read')) return { total: 0, statuses: [], queues: [] };
  const rows: Array<{ status: OrderStatus; count: number }> = await db
    .getRepository(Order)
    .createQueryBuilder('o')
    .select('o.status', 'status')
    .addSelect('count(*)::int', 'count')
    .groupBy('o.status')
    .getRawMany();
  const count = new Map(rows.map((row) => [row.status, Number(row.count)]));
  const sum = (statuses: readonly OrderStatus[]) => statuses.reduce((total, status) => total + (count.get(status) ?? 0), 0);
  return {
    total: sum(ORDER_STATUSES),
    statuses: ORDER_STATUSES.map((status) => ({ status, label: STATUS_LABELS[status], count: count.get(status) ?? 0, url: listOf(h, [status]) })),
    queues: QUEUES.map((queue) => ({ label: queue.label, count: sum(queue.statuses), url: listOf(h, queue.statuses) })),
  };
}

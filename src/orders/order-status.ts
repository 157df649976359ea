/** Order statuses of API.md, and which status may follow which: the only place transitions are decided. */
export const ORDER_STATUSES = [
  'pending_payment',
  'pending_review',
  'exception',
  'awaiting_stock',
  'awaiting_shipment',
  'partially_shipped',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending_payment: ['pending_review', 'exception', 'cancelled'],
  pending_review: ['pending_payment', 'exception', 'awaiting_stock', 'awaiting_shipment', 'cancelled'],
  exception: ['pending_review', 'pending_payment', 'awaiting_stock', 'awaiting_shipment', 'cancelled'],
  awaiting_stock: ['awaiting_shipment', 'exception', 'cancelled'],
  awaiting_shipment: ['partially_shipped', 'shipped', 'awaiting_stock', 'exception', 'cancelled'],
  partially_shipped: ['shipped'],
  shipped: ['delivered', 'completed'],
  delivered: ['completed'],
  completed: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** The action behind an order history row (a person's, or the system's cancel of an unpaid order): order_status_history.action, for G5.3 staff performance. */
export type OrderAction = 'approve' | 'reject' | 'cancel' | 'amend' | 'allocate';

/** Statuses an order may be in for a person's action (API.md "Orders"). */
export const AMENDABLE_STATUSES: readonly OrderStatus[] = ['pending_payment', 'pending_review', 'exception'];
export const APPROVABLE_STATUSES: readonly OrderStatus[] = ['pending_review', 'exception'];
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((status) => canTransition(status, 'cancelled'));

/** Orders with allocated units that may leave now (ship, pack). */
export const SHIPPABLE_STATUSES: readonly OrderStatus[] = ['awaiting_shipment', 'partially_shipped'];
/** Orders that may still lack units: the backorder queue restock works through, and manual allocation's statuses (G1.3, G2.3). */
export const ALLOCATABLE_STATUSES: readonly OrderStatus[] = ['awaiting_stock', 'awaiting_shipment', 'partially_shipped'];
/** Orders whose allocated, unpicked shipments can still be merged into one parcel. */
export const MERGEABLE_STATUSES: readonly OrderStatus[] = SHIPPABLE_STATUSES;
/** Orders the customer can confirm as received (G1.6). */
export const RECEIVABLE_STATUSES: readonly OrderStatus[] = ['shipped', 'delivered'];

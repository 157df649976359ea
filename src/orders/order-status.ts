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

/** Statuses an order may be in for a person's action (API.md "Orders"). */
export const AMENDABLE_STATUSES: readonly OrderStatus[] = ['pending_payment', 'pending_review', 'exception'];
export const APPROVABLE_STATUSES: readonly OrderStatus[] = ['pending_review', 'exception'];
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((status) => canTransition(status, 'cancelled'));

import { staleTrackingSql } from '../tracking/tracking.service';

/**
 * G2.6: the four exception queues an order desk works (付款异常, 地址异常, 缺货, 物流异常), and why an item is in one. Membership
 * is computed from the orders and logistics alerts as they stand, so an item leaves its queue the moment the service that
 * resolves it (amend, payment, allocation, cancel, resolve alert) changes the order or alert: nothing to keep in step.
 */
export const EXCEPTION_KINDS = ['payment', 'address', 'stock', 'logistics'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export const EXCEPTION_REASONS = {
  payment: ['unpaid_overdue', 'amount_short'],
  address: ['address_incomplete', 'outside_delivery_area', 'carrier_address'],
  stock: ['awaiting_stock', 'backorder', 'held_short'],
  logistics: ['stale_tracking', 'delivery_exception'],
} as const satisfies Record<ExceptionKind, readonly string[]>;
export type ExceptionReason = (typeof EXCEPTION_REASONS)[ExceptionKind][number];

export const isExceptionKind = (value: string): value is ExceptionKind => (EXCEPTION_KINDS as readonly string[]).includes(value);

/** An item's reference: the order's id (order queues), or the logistics alert's id / `stale:<shipment id>`. */
export const ITEM_REF = /^(stale:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** When the order entered the status it is in (its latest history row into it). */
const enteredStatus = `coalesce((SELECT max(h.at) FROM order_status_history h WHERE h.order_id = o.id AND h.to_status = o.status), o.updated_at)`;
const hasFlag = (code: string) => `o.flags @> '[{"code":"${code}"}]'`;
const flagMessage = (code: string) => `(SELECT f->>'message' FROM jsonb_array_elements(o.flags) f WHERE f->>'code' = '${code}' LIMIT 1)`;

/**
 * Every item of every queue: `(kind, reasons, ref, order_id, shipment_id, entered_at, message)`. Parameters: $1 the unpaid
 * minutes, $2 the stale-tracking hours (settings `alertThresholds`).
 */
export const QUEUE_ITEMS_SQL = `
  SELECT 'payment'::text AS kind, ARRAY['unpaid_overdue']::text[] AS reasons, o.id::text AS ref, o.id AS order_id, NULL::uuid AS shipment_id,
         o.placed_at + make_interval(mins => $1::int) AS entered_at, NULL::text AS message
    FROM customer_order o
   WHERE o.status = 'pending_payment' AND o.placed_at < now() - make_interval(mins => $1::int)
  UNION ALL
  SELECT 'payment', ARRAY['amount_short'], o.id::text, o.id, NULL, ${enteredStatus}, ${flagMessage('payment_unconfirmed')}
    FROM customer_order o
   WHERE o.status = 'exception' AND o.payment_status = 'paid' AND ${hasFlag('payment_unconfirmed')}
  UNION ALL
  SELECT 'address', ARRAY(SELECT f->>'code' FROM jsonb_array_elements(o.flags) f WHERE f->>'code' IN ('address_incomplete', 'outside_delivery_area') ORDER BY 1),
         o.id::text, o.id, NULL, ${enteredStatus},
         (SELECT string_agg(f->>'message', '; ') FROM jsonb_array_elements(o.flags) f WHERE f->>'code' IN ('address_incomplete', 'outside_delivery_area'))
    FROM customer_order o
   WHERE o.status = 'exception' AND (${hasFlag('address_incomplete')} OR ${hasFlag('outside_delivery_area')})
  UNION ALL
  SELECT 'address', ARRAY['carrier_address'], a.id::text, s.order_id, a.shipment_id, a.created_at, a.message
    FROM logistics_alert a JOIN shipment s ON s.id = a.shipment_id
   WHERE a.resolved_at IS NULL AND a.kind = 'address_problem'
  UNION ALL
  SELECT 'stock', ARRAY[CASE o.status WHEN 'awaiting_stock' THEN 'awaiting_stock' WHEN 'exception' THEN 'held_short' ELSE 'backorder' END],
         o.id::text, o.id, NULL, ${enteredStatus}, ${flagMessage('out_of_stock')}
    FROM customer_order o
   WHERE o.status = 'awaiting_stock' OR (o.status IN ('exception', 'awaiting_shipment', 'partially_shipped') AND ${hasFlag('out_of_stock')})
  UNION ALL
  SELECT 'logistics', ARRAY['delivery_exception'], a.id::text, s.order_id, a.shipment_id, a.created_at, a.message
    FROM logistics_alert a JOIN shipment s ON s.id = a.shipment_id
   WHERE a.resolved_at IS NULL AND a.kind = 'delivery_exception'
  UNION ALL
  SELECT 'logistics', ARRAY['stale_tracking'], stale.id, stale.order_id, stale.shipment_id, stale.created_at, NULL
    FROM (${staleTrackingSql('$2::int')}) stale`;

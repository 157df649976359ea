import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../common/actor';
import { AppError, NotFoundError } from '../common/errors';
import { normaliseMoney } from '../common/money';
import { AMENDABLE_STATUSES } from '../orders/order-status';
import { containsPattern, OrdersService } from '../orders/orders.service';
import type { ContactAmendment, ContactChange, CustomerDetail, CustomerSummary } from './customer-views';

export type { ContactAmendment, ContactChange, CustomerDetail, CustomerSummary };

/** A customer's id is their phone number, base64url: stable, readable back, and safe in a URL whatever the phone holds. */
export const customerIdOf = (phone: string): string => Buffer.from(phone, 'utf8').toString('base64url');
export function phoneOf(id: string): string {
  const phone = /^[A-Za-z0-9_-]{1,60}$/.test(id) ? Buffer.from(id, 'base64url').toString('utf8') : '';
  if (!phone || customerIdOf(phone) !== id) throw new NotFoundError('Customer', id);
  return phone;
}

/** Each customer's figures, one row per phone; `$1` a phone filter (or null), `$2` a search pattern (or null). */
const SUMMARY_SQL = `
  SELECT o.customer_phone AS phone,
         (array_agg(o.customer_name ORDER BY o.placed_at DESC, o.number DESC))[1] AS name,
         coalesce(array_agg(DISTINCT o.customer_email) FILTER (WHERE o.customer_email IS NOT NULL), '{}') AS emails,
         count(*)::int AS orders,
         coalesce(sum(o.grand_total - coalesce(r.refunded, 0)) FILTER (WHERE o.payment_status = 'paid' AND o.status <> 'cancelled'), 0)::numeric(14,2)::text AS spend,
         min(o.placed_at) AS first_order_at, max(o.placed_at) AS last_order_at,
         count(*) FILTER (WHERE o.status = ANY($3::text[]))::int AS open_orders
    FROM customer_order o
    LEFT JOIN LATERAL (SELECT sum(c.refund_amount) AS refunded FROM after_sales_case c WHERE c.order_id = o.id) r ON true
   WHERE ($1::text IS NULL OR o.customer_phone = $1)
     AND ($2::text IS NULL OR o.customer_phone IN (SELECT m.customer_phone FROM customer_order m
                                                   WHERE m.customer_name ILIKE $2 OR m.customer_phone LIKE $2 OR m.customer_email ILIKE $2))
   GROUP BY o.customer_phone`;

type SummaryRow = { phone: string; name: string; emails: string[]; orders: number; spend: string; first_order_at: Date; last_order_at: Date; open_orders: number };

const summaryOf = (row: SummaryRow): CustomerSummary => ({
  id: customerIdOf(row.phone),
  name: row.name,
  phone: row.phone,
  emails: row.emails,
  orders: row.orders,
  spend: normaliseMoney(row.spend)!,
  firstOrderAt: row.first_order_at.toISOString(),
  lastOrderAt: row.last_order_at.toISOString(),
});

/**
 * Customers (G2.1 navigation, issue 14 item 7), derived from the orders rather than kept in a table of their own: the
 * intake stays one statement and nothing can drift out of sync. A customer is a phone number; their name is the latest
 * order's, their emails all they gave. Contact changes go through OrdersService.amend, order by order.
 */
@Injectable()
export class CustomersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersService,
  ) {}

  /** Latest order first; `q` is part of a name, phone or email. */
  async list(q: string | undefined, offset: number, limit: number): Promise<{ items: CustomerSummary[]; total: number }> {
    const rows = (await this.db.query(
      `SELECT s.*, count(*) OVER ()::int AS total FROM (${SUMMARY_SQL}) s ORDER BY s.last_order_at DESC, s.phone LIMIT $4 OFFSET $5`,
      [null, q ? containsPattern(q) : null, AMENDABLE_STATUSES, limit, offset],
    )) as Array<SummaryRow & { total: number }>;
    if (rows.length === 0 && offset > 0) {
      const [{ total }] = (await this.db.query(`SELECT count(*)::int AS total FROM (${SUMMARY_SQL}) s`, [null, q ? containsPattern(q) : null, AMENDABLE_STATUSES])) as Array<{ total: number }>;
      return { items: [], total };
    }
    return { items: rows.map(summaryOf), total: rows[0]?.total ?? 0 };
  }

  async get(id: string): Promise<CustomerDetail> {
    const phone = phoneOf(id);
    const [row] = (await this.db.query(SUMMARY_SQL, [phone, null, AMENDABLE_STATUSES])) as SummaryRow[];
    if (!row) throw new NotFoundError('Customer', id);
    const orderList = (await this.db.query(
      `SELECT id, number, status, grand_total::text AS "grandTotal", payment_status AS "paymentStatus", placed_at AS "placedAt"
         FROM customer_order WHERE customer_phone = $1 ORDER BY placed_at DESC, number DESC LIMIT 500`,
      [phone],
    )) as Array<CustomerDetail['orderList'][number] & { placedAt: Date }>;
    const cases = (await this.db.query(
      `SELECT c.id, c.number, o.number AS "orderNumber", c.type, c.status, c.refund_amount::text AS "refundAmount", c.created_at AS "createdAt"
         FROM after_sales_case c JOIN customer_order o ON o.id = c.order_id
        WHERE o.customer_phone = $1 ORDER BY c.created_at DESC LIMIT 500`,
      [phone],
    )) as Array<CustomerDetail['cases'][number] & { createdAt: Date }>;
    return {
      ...summaryOf(row),
      openOrders: row.open_orders,
      orderList: orderList.map((order) => ({ ...order, grandTotal: normaliseMoney(order.grandTotal)!, placedAt: new Date(order.placedAt).toISOString() })),
      cases: cases.map((item) => ({ ...item, refundAmount: normaliseMoney(item.refundAmount), createdAt: new Date(item.createdAt).toISOString() })),
    };
  }

  /**
   * The staff's contact correction: every open order of the customer (pending_payment, pending_review, exception) gets
   * the new name, phone and email through OrdersService.amend (its history records who and when, and the order is reviewed
   * again, as any amendment); each order is its own transaction. Orders past review keep what they shipped with.
   */
  async amendContact(id: string, change: ContactChange, actor: Actor): Promise<ContactAmendment> {
    const phone = phoneOf(id);
    const open = (await this.db.query(
      `SELECT id, number, customer_locale AS locale FROM customer_order WHERE customer_phone = $1 AND status = ANY($2::text[]) ORDER BY placed_at`,
      [phone, AMENDABLE_STATUSES],
    )) as Array<{ id: string; number: string; locale: string | null }>;
    const [{ total }] = (await this.db.query(`SELECT count(*)::int AS total FROM customer_order WHERE customer_phone = $1`, [phone])) as Array<{ total: number }>;
    if (total === 0) throw new NotFoundError('Customer', id);
    const amended: ContactAmendment['amended'] = [];
    const refused: ContactAmendment['refused'] = [];
    for (const order of open) {
      try {
        // an email left out keeps each order's own; null clears it
        const customer = { name: change.name, phone: change.phone, ...(change.email !== undefined ? { email: change.email as string } : {}), ...(order.locale ? { locale: order.locale } : {}) };
        await this.orders.amend(order.id, { customer }, actor);
        amended.push({ id: order.id, number: order.number });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        refused.push({ id: order.id, number: order.number, message: error.message }); // moved on meanwhile
      }
    }
    const after = amended.length ? change.phone : phone;
    const [row] = (await this.db.query(SUMMARY_SQL, [after, null, AMENDABLE_STATUSES])) as SummaryRow[];
    return { customer: row ? summaryOf(row) : null, amended, refused, unchanged: total - open.length };
  }
}

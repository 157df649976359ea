import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../common/actor';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../common/errors';
import { queryOne, queryRows } from '../database/sql';
import type { OrderStatus } from '../orders/order-status';
import { OrdersService } from '../orders/orders.service';
import { SettingsService } from '../settings/settings.service';
import type { FeedbackSummaryDimension } from './dto/feedback.dto';

/** G1.6: the customer rates the fulfilment once the parcel is on its way or has arrived. */
export const FEEDBACK_STATUSES: readonly OrderStatus[] = ['shipped', 'delivered', 'completed'];

export interface FeedbackView {
  id: string;
  orderId: string;
  orderNumber: string;
  rating: number;
  comment: string | null;
  createdAt: string;
  createdBy: string;
}

export type RatingCounts = Record<'1' | '2' | '3' | '4' | '5', number>;

interface SummaryFigures {
  feedbackCount: number;
  averageRating: number;
  ratings: RatingCounts;
}

export type FeedbackSummaryRow = ({ sku: string; name: string } | { warehouse: string }) & SummaryFigures;

export interface FeedbackSummary {
  by: FeedbackSummaryDimension;
  from: string | null;
  to: string | null;
  rows: FeedbackSummaryRow[];
}

interface FeedbackRow {
  id: string;
  order_id: string;
  rating: number;
  comment: string | null;
  created_by: string;
  created_at: Date;
}

interface SummarySqlRow {
  key: string;
  name: string | null;
  feedback_count: number;
  average_rating: number;
  r1: number;
  r2: number;
  r3: number;
  r4: number;
  r5: number;
}

const FEEDBACK_COLUMNS = 'id, order_id, rating, comment, created_by, created_at';

/**
 * What each rated order is counted under, one row per (order, key): every SKU on the order (a SKU listed twice counts
 * once), or every warehouse that shipped part of it (cancelled shipments did not).
 */
const SUMMARY_KEYS: Record<FeedbackSummaryDimension, string> = {
  product: `SELECT r.order_id, r.rating, l.sku AS key, COALESCE(max(p.name), max(l.name)) AS name
              FROM rated r JOIN order_line l ON l.order_id = r.order_id LEFT JOIN product p ON p.sku = l.sku
             GROUP BY r.order_id, r.rating, l.sku`,
  warehouse: `SELECT DISTINCT r.order_id, r.rating, w.code AS key, NULL::text AS name
                FROM rated r JOIN shipment s ON s.order_id = r.order_id AND s.status <> 'cancelled' JOIN warehouse w ON w.id = s.warehouse_id`,
};

/** Order feedback (G1.6 "the customer rates the fulfilment; feedback feeds improvement"): one rating per order, and the summary. */
@Injectable()
export class FeedbackService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersService,
    private readonly settings: SettingsService,
  ) {}

  /** 409 invalid_state before the order has shipped; 409 conflict for a second feedback, decided by the unique key. */
  async giveFeedback(idOrNumber: string, input: { rating: number; comment?: string | null }, actor: Actor): Promise<FeedbackView> {
    const order = await this.orders.get(idOrNumber);
    if (!FEEDBACK_STATUSES.includes(order.status)) {
      throw new InvalidStateError(`Order ${order.number} is ${order.status}; feedback can be given once it is ${FEEDBACK_STATUSES.join(', ')}`);
    }
    const row = await queryOne<FeedbackRow>(
      this.db,
      `INSERT INTO order_feedback (order_id, rating, comment, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_id) DO NOTHING RETURNING ${FEEDBACK_COLUMNS}`,
      [order.id, input.rating, input.comment?.trim() || null, actor.name],
    );
    if (!row) throw new ConflictError(`Order ${order.number} has feedback already; feedback is given once per order`);
    return toFeedbackView(row, order.number);
  }

  async feedbackOf(idOrNumber: string): Promise<FeedbackView> {
    const order = await this.orders.get(idOrNumber);
    const row = await queryOne<FeedbackRow>(this.db, `SELECT ${FEEDBACK_COLUMNS} FROM order_feedback WHERE order_id = $1`, [order.id]);
    if (!row) throw new NotFoundError('Feedback of order', order.number);
    return toFeedbackView(row, order.number);
  }

  /** Ratings by product or warehouse, worst average first (the ones to improve); `from`/`to` are shop-time-zone days, inclusive. */
  async summary(by: FeedbackSummaryDimension, from?: string, to?: string): Promise<FeedbackSummary> {
    if (from && to && from > to) throw ValidationError.of('to', `must not be before from (${from})`);
    const { timeZone } = await this.settings.get();
    const rows = await queryRows<SummarySqlRow>(
      this.db,
      `WITH rated AS (
         SELECT f.order_id, f.rating FROM order_feedback f
          WHERE ($1::date IS NULL OR f.created_at >= ($1::date)::timestamp AT TIME ZONE $3)
            AND ($2::date IS NULL OR f.created_at < ($2::date + 1)::timestamp AT TIME ZONE $3)
       ), keyed AS (${SUMMARY_KEYS[by]})
       SELECT key, max(name) AS name, count(*)::int AS feedback_count, round(avg(rating), 2)::float8 AS average_rating,
              count(*) FILTER (WHERE rating = 1)::int AS r1, count(*) FILTER (WHERE rating = 2)::int AS r2,
              count(*) FILTER (WHERE rating = 3)::int AS r3, count(*) FILTER (WHERE rating = 4)::int AS r4,
              count(*) FILTER (WHERE rating = 5)::int AS r5
         FROM keyed GROUP BY key ORDER BY average_rating, key COLLATE "C"`,
      [from ?? null, to ?? null, timeZone],
    );
    return { by, from: from ?? null, to: to ?? null, rows: rows.map((row) => toSummaryRow(by, row)) };
  }
}

function toFeedbackView(row: FeedbackRow, orderNumber: string): FeedbackView {
  return {
    id: row.id,
    orderId: row.order_id,
    orderNumber,
    rating: row.rating,
    comment: row.comment,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}

function toSummaryRow(by: FeedbackSummaryDimension, row: SummarySqlRow): FeedbackSummaryRow {
  const figures: SummaryFigures = {
    feedbackCount: row.feedback_count,
    averageRating: row.average_rating,
    ratings: { '1': row.r1, '2': row.r2, '3': row.r3, '4': row.r4, '5': row.r5 },
  };
  return by === 'product' ? { sku: row.key, name: row.name ?? row.key, ...figures } : { warehouse: row.key, ...figures };
}

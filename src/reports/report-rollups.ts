import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';
import type { ReportRow, RollupReportName } from './report-definitions';

/**
 * Each report's statement over the rollups ($1 = from, $2 = to, shop days, inclusive); every day row is split in shards
 * that are added up here. Exported for bench/scale.mjs, which times and EXPLAINs them. Run with `LIMIT $3` (null: all).
 */
export const REPORT_SQL: Record<RollupReportName, string> = {
  // every day of the range, days without sales as zeros (a chart shows the gap)
  'daily-sales': `SELECT to_char(d.day, 'YYYY-MM-DD') AS date, coalesce(sum(s.orders), 0)::int AS orders, coalesce(sum(s.items), 0)::int AS items,
              coalesce(sum(s.revenue), 0)::numeric(16,2)::text AS revenue
         FROM generate_series($1::date, $2::date, interval '1 day') AS d(day)
         LEFT JOIN report_daily_sales s ON s.day = d.day::date
        GROUP BY d.day ORDER BY d.day`,
  // orders placed in the range by the status they have now, most first
  'status-distribution': `SELECT status, sum(orders)::int AS count FROM report_daily_status WHERE day BETWEEN $1::date AND $2::date
        GROUP BY status HAVING sum(orders) > 0 ORDER BY count DESC, status`,
  // units sold per SKU, most first (then revenue); the catalogue's name, else the name on the order lines
  'product-ranking': `SELECT r.sku, coalesce(p.name, r.name) AS name, r.quantity, r.revenue::text AS revenue
         FROM (SELECT sku, max(name) AS name, sum(quantity)::int AS quantity, sum(revenue)::numeric(16,2) AS revenue
                 FROM report_daily_product WHERE day BETWEEN $1::date AND $2::date GROUP BY sku HAVING sum(quantity) > 0) r
         LEFT JOIN product p ON p.sku = r.sku
        ORDER BY r.quantity DESC, r.revenue DESC, r.sku`,
  // per customer (by phone): the range's orders and revenue, its first and last order, the name on the last; highest revenue first
  'customer-behaviour': `SELECT (array_agg(name ORDER BY last_order_at DESC))[1] AS customer, phone, sum(orders)::int AS orders, sum(revenue)::numeric(16,2)::text AS revenue,
              to_char(min(first_order_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "firstOrderAt",
              to_char(max(last_order_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastOrderAt"
         FROM report_daily_customer WHERE day BETWEEN $1::date AND $2::date
        GROUP BY phone ORDER BY sum(revenue) DESC, orders DESC, phone`,
};

/** Orders per status over all days (the dashboard's tiles): the rollup's sum, exact, without counting a million orders. */
export const STATUS_TOTALS_SQL = `SELECT status, sum(orders)::int AS count FROM report_daily_status GROUP BY status HAVING sum(orders) > 0`;

/** How many orders have one of the statuses $1 (text[]; null: every order): the order list's total without a filter but status. */
export const STATUS_TOTAL_SQL = `SELECT coalesce(sum(orders), 0)::int AS total FROM report_daily_status WHERE $1::text[] IS NULL OR status = ANY($1)`;

/** Reads of the report rollups (migrations/1764880000000-add-report-rollups.ts: kept exact by triggers in the transaction of every change). */
@Injectable()
export class ReportRollups {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Rows as JSON shows them: times are ISO 8601 text from PostgreSQL already. */
  rows(report: RollupReportName, from: string, to: string, limit: number | null = null): Promise<ReportRow[]> {
    return queryRows<ReportRow>(this.db, `${REPORT_SQL[report]} LIMIT $3`, [from, to, limit]);
  }

  /** The same rows as one JSON array written by PostgreSQL: nothing per row in Node (70,000 customers: ~0.6 s less). */
  async rowsJson(report: RollupReportName, from: string, to: string, limit: number | null = null): Promise<string> {
    const [{ rows }] = await queryRows<{ rows: string }>(this.db, `SELECT coalesce(json_agg(r), '[]')::text AS rows FROM (${REPORT_SQL[report]} LIMIT $3) r`, [from, to, limit]);
    return rows;
  }
}

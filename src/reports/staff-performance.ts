import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';
import type { StaffPerformanceRow } from './report-definitions';

/** Order actions that take an order out of an exception (flagged, rejected) or out of the wait for stock. */
const RESOLVING_ACTIONS = `('approve', 'amend', 'cancel', 'allocate')`;

/**
 * G5.3: per user, the work done in the range ($1 = from, $2 = to: shop days, inclusive, in the time zone $4; LIMIT $3), read
 * from what each piece of work records (README "Staff performance"):
 * - order actions: order_status_history rows with an `action` written by a user (email = the row's `by`), timed from the
 *   moment the order entered the status the action found it in;
 * - after-sales steps: after_sales_case_history status changes by a user, timed from the case entering the status it left;
 *   a step that applies a tasklist decision of the same person is timed once, as the task;
 * - tasks: user_task completed by a user, timed from the claim (assignment), else from the task's creation (queue entry);
 * - logistics alerts resolved by a user, timed from the alert being raised.
 * Every such piece is one work item; median and p90 are percentile_cont over the items' minutes, rounded to 0.1.
 */
export const STAFF_PERFORMANCE_SQL = `
  WITH bounds AS (
    SELECT ($1::date::timestamp AT TIME ZONE $4::text) AS since, (($2::date + 1)::timestamp AT TIME ZONE $4::text) AS until
  ), order_work AS (
    SELECT h.id, h.order_id, h.by, h.action, h.from_status, h.to_status, h.at,
           (SELECT e.at FROM order_status_history e
             WHERE e.order_id = h.order_id AND e.id < h.id AND e.to_status = h.from_status AND e.from_status IS DISTINCT FROM e.to_status
             ORDER BY e.id DESC LIMIT 1) AS started_at
      FROM order_status_history h, bounds b
     WHERE h.action IS NOT NULL AND h.at >= b.since AND h.at < b.until AND h.by IN (SELECT email FROM app_user)
  ), case_work AS (
    SELECT h.id, h.case_id, h.by, h.at,
           (SELECT e.at FROM after_sales_case_history e
             WHERE e.case_id = h.case_id AND e.id < h.id AND e.to_status = h.from_status AND e.from_status IS DISTINCT FROM e.to_status
             ORDER BY e.id DESC LIMIT 1) AS started_at
      FROM after_sales_case_history h, bounds b
     WHERE h.at >= b.since AND h.at < b.until AND h.from_status IS NOT NULL AND h.from_status <> h.to_status
       AND h.by IN (SELECT email FROM app_user)
  ), items AS (
    -- an amendment that leaves the order flagged again (its review moves it straight back to exception) resolved nothing
    SELECT w.by, 'order' AS kind, w.order_id::text AS ref, w.action, w.from_status,
           w.from_status IN ('exception', 'awaiting_stock') AND w.to_status <> w.from_status AND w.action IN ${RESOLVING_ACTIONS}
             AND NOT (w.action = 'amend' AND coalesce((SELECT n.to_status = 'exception' AND n.by = 'system' FROM order_status_history n
                                                        WHERE n.order_id = w.order_id AND n.id > w.id ORDER BY n.id LIMIT 1), false)) AS resolves,
           w.at - w.started_at AS took
      FROM order_work w
    UNION ALL
    SELECT w.by, 'case', w.case_id::text, NULL, NULL, false,
           CASE WHEN NOT EXISTS (SELECT 1 FROM after_sales_case c JOIN user_task t ON t.instance_id = c.process_instance_id
                                  WHERE c.id = w.case_id AND t.status = 'completed' AND t.completed_by = w.by
                                    AND t.completed_at <= w.at AND t.completed_at >= w.started_at)
                THEN w.at - w.started_at END
      FROM case_work w
    UNION ALL
    SELECT t.completed_by, 'task', t.id::text, NULL, NULL, false, t.completed_at - coalesce(t.claimed_at, t.created_at)
      FROM user_task t, bounds b
     WHERE t.status = 'completed' AND t.completed_at >= b.since AND t.completed_at < b.until AND t.completed_by IN (SELECT email FROM app_user)
    UNION ALL
    SELECT a.resolved_by, 'alert', a.id::text, NULL, NULL, true, a.resolved_at - a.created_at
      FROM logistics_alert a, bounds b
     WHERE a.resolved_at >= b.since AND a.resolved_at < b.until AND a.resolved_by IN (SELECT email FROM app_user)
  ), timed AS (
    SELECT items.*, CASE WHEN took IS NOT NULL THEN greatest(0, extract(epoch FROM took)::float8 / 60) END AS minutes FROM items
  )
  SELECT i.by AS operator, u.display_name AS "operatorName",
         count(DISTINCT i.ref) FILTER (WHERE i.kind = 'order' AND (i.action IN ('approve', 'reject')
                                       OR (i.action = 'cancel' AND i.from_status IN ('pending_review', 'exception'))))::int AS "ordersReviewed",
         count(DISTINCT i.ref) FILTER (WHERE i.kind = 'order' AND i.action = 'approve')::int AS "ordersApproved",
         count(DISTINCT i.ref) FILTER (WHERE i.kind = 'order' AND i.action = 'reject')::int AS "ordersRejected",
         count(DISTINCT i.ref) FILTER (WHERE i.kind = 'order' AND i.action = 'cancel')::int AS "ordersCancelled",
         count(*) FILTER (WHERE i.resolves)::int AS "exceptionsResolved",
         count(DISTINCT i.ref) FILTER (WHERE i.kind = 'case')::int AS "casesHandled",
         count(*) FILTER (WHERE i.kind = 'task')::int AS "tasksCompleted",
         count(i.minutes)::int AS "workItems",
         round((percentile_cont(0.5) WITHIN GROUP (ORDER BY i.minutes))::numeric, 1)::float8 AS "medianMinutes",
         round((percentile_cont(0.9) WITHIN GROUP (ORDER BY i.minutes))::numeric, 1)::float8 AS "p90Minutes"
    FROM timed i JOIN app_user u ON u.email = i.by
   GROUP BY i.by, u.display_name
   ORDER BY "workItems" DESC, operator
   LIMIT $3`;

/** Staff performance (G5.3), read from the records of the work itself: order history, case history, tasks, alerts. */
@Injectable()
export class StaffPerformance {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  rows(from: string, to: string, timeZone: string, limit: number | null = null): Promise<StaffPerformanceRow[]> {
    return queryRows<StaffPerformanceRow>(this.db, STAFF_PERFORMANCE_SQL, [from, to, limit, timeZone]);
  }
}

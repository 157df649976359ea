import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 11 (G5.3 staff performance): an order's history row says which action a person took (`approve`, `reject`,
 * `cancel`, `amend`, `allocate`); the status pair and the free-text note could not tell an approval with a note from an
 * amendment. Rows written before are labelled where their status pair and the notes the product writes tell them apart
 * (an approval with a note of the approver's own is only recognised when it is the order's recorded approval). Indexes
 * by the time of the work done, for the report's range: person actions, case steps, completed tasks, resolved alerts.
 * The column is read by SQL only (src/reports/staff-performance.ts), not mapped on the entity.
 */
export class AddStaffWorkRecords1764900000000 implements MigrationInterface {
  name = 'AddStaffWorkRecords1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE order_status_history ADD COLUMN action varchar(20)`);
    await db.query(`UPDATE order_status_history SET action = 'cancel' WHERE to_status = 'cancelled' OR (from_status = 'partially_shipped' AND to_status = 'shipped' AND note LIKE 'the rest cancelled%')`);
    await db.query(`UPDATE order_status_history SET action = 'reject' WHERE from_status = 'pending_review' AND to_status = 'exception' AND note LIKE 'rejected: %' AND by <> 'system'`);
    await db.query(`UPDATE order_status_history SET action = 'amend' WHERE action IS NULL AND note LIKE 'amended by %' AND by <> 'system'`);
    await db.query(`UPDATE order_status_history SET action = 'allocate' WHERE action IS NULL AND note LIKE 'allocated by %' AND by <> 'system'`);
    await db.query(`
      UPDATE order_status_history h SET action = 'approve'
        FROM customer_order o
       WHERE o.id = h.order_id AND h.action IS NULL AND h.by NOT IN ('system', 'auto-review')
         AND h.to_status = 'pending_review' AND h.from_status IN ('pending_review', 'exception')
         AND (h.note = 'approved' OR (h.by = o.approved_by AND h.at >= o.approved_at AND h.at < o.approved_at + interval '1 minute'))`);
    await db.query(`CREATE INDEX order_status_history_action_at_idx ON order_status_history (at) WHERE action IS NOT NULL`);
    await db.query(`CREATE INDEX after_sales_case_history_at_idx ON after_sales_case_history (at)`);
    await db.query(`CREATE INDEX user_task_completed_at_idx ON user_task (completed_at) WHERE status = 'completed'`);
    await db.query(`CREATE INDEX logistics_alert_resolved_at_idx ON logistics_alert (resolved_at) WHERE resolved_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX logistics_alert_resolved_at_idx`);
    await db.query(`DROP INDEX user_task_completed_at_idx`);
    await db.query(`DROP INDEX after_sales_case_history_at_idx`);
    await db.query(`DROP INDEX order_status_history_action_at_idx`);
    await db.query(`ALTER TABLE order_status_history DROP COLUMN action`);
  }
}

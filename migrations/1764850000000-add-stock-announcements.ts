import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 item 1: stock that became available (a cancel's release, a restock, a return) is announced by a row written in
 * the transaction of the change, and worked by any process under a lease, so waiting orders get it even when the process
 * that committed the change dies right after, or another process made it.
 */
export class AddStockAnnouncements1764850000000 implements MigrationInterface {
  name = 'AddStockAnnouncements1764850000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE stock_announcement (
        id bigserial PRIMARY KEY,
        skus text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        lease_until timestamptz,
        last_error text,
        done_at timestamptz
      )`);
    await db.query(`CREATE INDEX stock_announcement_pending_idx ON stock_announcement (id) WHERE done_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE stock_announcement`);
  }
}

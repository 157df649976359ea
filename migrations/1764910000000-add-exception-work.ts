import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 4 (G2.6 exception work queues): who owns an exception (负责人) and the contacts noted while working it. What is
 * in a queue is computed from the orders and alerts as they stand (src/exceptions); these rows only add the person's side,
 * keyed by the queue and the item's reference (an order id, or a logistics alert id / `stale:<shipment id>`).
 * Shipments by ship time: the dashboard's "shipped today".
 */
export class AddExceptionWork1764910000000 implements MigrationInterface {
  name = 'AddExceptionWork1764910000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE exception_work (
        kind varchar(20) NOT NULL,
        ref varchar(80) NOT NULL,
        order_id uuid NOT NULL REFERENCES customer_order (id) ON DELETE CASCADE,
        owner_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
        owner_name varchar(254),
        assigned_at timestamptz,
        assigned_by varchar(254),
        restock_expected_on date,
        PRIMARY KEY (kind, ref)
      )`);
    await db.query(`CREATE INDEX exception_work_owner_idx ON exception_work (owner_id) WHERE owner_id IS NOT NULL`);
    await db.query(`
      CREATE TABLE exception_contact (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(20) NOT NULL,
        ref varchar(80) NOT NULL,
        order_id uuid NOT NULL REFERENCES customer_order (id) ON DELETE CASCADE,
        channel varchar(20) NOT NULL,
        note varchar(500) NOT NULL,
        by varchar(254) NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX exception_contact_item_idx ON exception_contact (kind, ref, at)`);
    await db.query(`CREATE INDEX shipment_shipped_at_idx ON shipment (shipped_at) WHERE shipped_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX shipment_shipped_at_idx`);
    await db.query(`DROP TABLE exception_contact`);
    await db.query(`DROP TABLE exception_work`);
  }
}

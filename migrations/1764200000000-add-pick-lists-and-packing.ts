import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 5 items 6-7 (G1.4): pick lists (waves of a warehouse's shipments, lines in walking order), packing, shipment status history. */
export class AddPickListsAndPacking1764200000000 implements MigrationInterface {
  name = 'AddPickListsAndPacking1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE pick_list_number_seq`);
    await db.query(`
      CREATE TABLE pick_list (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number varchar(32) NOT NULL UNIQUE,
        warehouse_id uuid NOT NULL REFERENCES warehouse(id),
        status varchar(20) NOT NULL DEFAULT 'open' CHECK (status IN ('open','picked')),
        created_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        picked_by varchar(254),
        picked_at timestamptz
      )`);
    await db.query(`CREATE INDEX pick_list_warehouse_idx ON pick_list (warehouse_id, created_at)`);
    // the lines as printed: bins can move later, the list a picker holds must not change under them
    await db.query(`
      CREATE TABLE pick_list_line (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pick_list_id uuid NOT NULL REFERENCES pick_list(id) ON DELETE CASCADE,
        line_no integer NOT NULL,
        bin varchar(40),
        sku varchar(64) NOT NULL,
        name varchar(200) NOT NULL DEFAULT '',
        quantity integer NOT NULL CHECK (quantity > 0),
        CONSTRAINT pick_list_line_no_key UNIQUE (pick_list_id, line_no)
      )`);
    await db.query(`ALTER TABLE shipment ADD COLUMN pick_list_id uuid REFERENCES pick_list(id)`);
    await db.query(`ALTER TABLE shipment ADD COLUMN packed_at timestamptz`);
    await db.query(`ALTER TABLE shipment ADD COLUMN packed_by varchar(254)`);
    await db.query(`CREATE INDEX shipment_pick_list_idx ON shipment (pick_list_id) WHERE pick_list_id IS NOT NULL`);
    // waves take a warehouse's allocated shipments oldest first
    await db.query(`CREATE INDEX shipment_waiting_pick_idx ON shipment (warehouse_id, created_at) WHERE status = 'allocated'`);
    await db.query(`
      CREATE TABLE shipment_status_history (
        id bigserial PRIMARY KEY,
        shipment_id uuid NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        from_status varchar(20),
        to_status varchar(20) NOT NULL,
        by varchar(254) NOT NULL,
        note varchar(1000)
      )`);
    await db.query(`CREATE INDEX shipment_status_history_shipment_idx ON shipment_status_history (shipment_id, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE shipment_status_history`);
    await db.query(`DROP INDEX shipment_waiting_pick_idx`);
    await db.query(`DROP INDEX shipment_pick_list_idx`);
    await db.query(`ALTER TABLE shipment DROP COLUMN packed_by, DROP COLUMN packed_at, DROP COLUMN pick_list_id`);
    await db.query(`DROP TABLE pick_list_line`);
    await db.query(`DROP TABLE pick_list`);
    await db.query(`DROP SEQUENCE pick_list_number_seq`);
  }
}

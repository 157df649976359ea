import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 item 5, the WMS hand-off (G5.2: "with a WMS the shipping instruction is passed on automatically"). A `wms`
 * connector names the warehouses it runs (settings.warehouses); wms_warehouse holds the same link as rows, so that "one
 * warehouse, at most one WMS" is a primary key rather than a hope, and the link goes with the connector when it is deleted
 * (its warehouses then return to the staff's pick and pack screens). The WMS confirms pick, pack and ship with an API key
 * whose role `wms` holds `wms.confirm` only, and a key answers for at most one WMS connector (settings.apiKeyId, checked on save under a lock on the key).
 */
export class AddWmsHandOff1765020000000 implements MigrationInterface {
  name = 'AddWmsHandOff1765020000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE wms_warehouse (
        warehouse_id uuid PRIMARY KEY REFERENCES warehouse (id) ON DELETE CASCADE,
        integration_id uuid NOT NULL REFERENCES integration (id) ON DELETE CASCADE,
        linked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX wms_warehouse_integration_idx ON wms_warehouse (integration_id)`);
    // the shipments handed to a WMS (their instruction queued): the WMS works them while it runs their warehouse, and hears of their cancel
    await db.query(`
      CREATE TABLE wms_shipment (
        shipment_id uuid PRIMARY KEY REFERENCES shipment (id) ON DELETE CASCADE,
        integration_id uuid NOT NULL REFERENCES integration (id) ON DELETE CASCADE,
        handed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX wms_shipment_integration_idx ON wms_shipment (integration_id)`);
    await db.query(
      `INSERT INTO role (name, description, permissions) VALUES ('wms', 'A WMS confirming pick, pack and ship of the warehouses it runs', '{wms.confirm}') ON CONFLICT (name) DO NOTHING`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE wms_shipment`);
    await db.query(`DROP TABLE wms_warehouse`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 5 item 8 (G1.5): carrier tracking events, stored once per carrier event key, and logistics alerts. */
export class AddTrackingEvents1764300000000 implements MigrationInterface {
  name = 'AddTrackingEvents1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE shipment_event (
        id bigserial PRIMARY KEY,
        shipment_id uuid NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('in_transit','out_for_delivery','delivered','exception','returned')),
        location varchar(200),
        description varchar(1000),
        event_key char(64) NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT shipment_event_key UNIQUE (event_key)
      )`);
    await db.query(`CREATE INDEX shipment_event_shipment_idx ON shipment_event (shipment_id, at)`);
    await db.query(`CREATE INDEX shipment_tracking_idx ON shipment (carrier, tracking_number) WHERE tracking_number IS NOT NULL`);
    await db.query(`
      CREATE TABLE logistics_alert (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        shipment_id uuid NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
        kind varchar(30) NOT NULL CHECK (kind IN ('stale_tracking','address_problem','delivery_exception')),
        message varchar(1000) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolved_by varchar(254)
      )`);
    // one open alert per shipment and kind: a carrier repeating the same problem does not pile up alerts
    await db.query(`CREATE UNIQUE INDEX logistics_alert_open_key ON logistics_alert (shipment_id, kind) WHERE resolved_at IS NULL`);
    await db.query(`CREATE INDEX logistics_alert_created_idx ON logistics_alert (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE logistics_alert`);
    await db.query(`DROP INDEX shipment_tracking_idx`);
    await db.query(`DROP TABLE shipment_event`);
  }
}

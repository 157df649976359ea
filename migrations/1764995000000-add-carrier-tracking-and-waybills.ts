import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 item 4: Kuaidi100 tracking and e-waybills, each a durable row a worker loop drains (claimed with FOR UPDATE
 * SKIP LOCKED, leased while the provider is called outside any transaction).
 * - carrier_tracking_watch: one per shipment and kuaidi100 connector, written in the ship's transaction; `push` rows are
 *   subscribed (then Kuaidi100 pushes to /hooks/{id}), `poll` rows are queried on an interval until delivered.
 * - carrier_waybill: one per packed shipment whose carrier has a Kuaidi100 e-waybill; written in the pack's transaction,
 *   requested after it commits, retried until issued; `order_ref` is the same on every try (Kuaidi100's orderId).
 */
export class AddCarrierTrackingAndWaybills1764995000000 implements MigrationInterface {
  name = 'AddCarrierTrackingAndWaybills1764995000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE carrier_tracking_watch (
        id bigserial PRIMARY KEY,
        shipment_id uuid NOT NULL REFERENCES shipment (id) ON DELETE CASCADE,
        integration_id uuid NOT NULL REFERENCES integration (id) ON DELETE CASCADE,
        carrier varchar(20) NOT NULL,
        tracking_number varchar(60) NOT NULL,
        mode varchar(10) NOT NULL CHECK (mode IN ('push', 'poll')),
        status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'subscribed', 'polling', 'delivered', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error varchar(2000),
        last_polled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT carrier_tracking_watch_once UNIQUE (shipment_id, integration_id)
      )`);
    await db.query(`CREATE INDEX carrier_tracking_watch_due_idx ON carrier_tracking_watch (next_attempt_at) WHERE status IN ('pending', 'polling')`);
    await db.query(`
      CREATE TABLE carrier_waybill (
        shipment_id uuid PRIMARY KEY REFERENCES shipment (id) ON DELETE CASCADE,
        integration_id uuid NOT NULL REFERENCES integration (id) ON DELETE CASCADE,
        carrier varchar(20) NOT NULL,
        order_ref varchar(100) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'issued', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        tracking_number varchar(60),
        label_url varchar(1000),
        task_id varchar(100),
        last_error varchar(2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        issued_at timestamptz
      )`);
    await db.query(`CREATE INDEX carrier_waybill_due_idx ON carrier_waybill (next_attempt_at) WHERE status = 'pending'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE carrier_waybill`);
    await db.query(`DROP TABLE carrier_tracking_watch`);
  }
}

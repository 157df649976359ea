import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 item 6: a delivery whose processing failed on our side (outcome `failed`: the database refused, a bug) can be
 * replayed from the admin or `POST /api/integrations/{id}/deliveries/{deliveryId}/replay`. What the processing needs is
 * kept with it: the verified raw body (`replay_body`; the topic and the provider's delivery id, the only headers read
 * after the signature, are columns already). Never kept for a `rejected` delivery (its signature or its content failed).
 * It holds customer data, so it goes as soon as the delivery succeeds (a replay, or the provider sending it again) and
 * at the latest after the retention period (src/integrations/deliveries.service.ts); `replayed_at` and `replays` say
 * whether and how often a person replayed it.
 */
export class AddIntegrationDeliveryReplay1765005000000 implements MigrationInterface {
  name = 'AddIntegrationDeliveryReplay1765005000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE integration_delivery
        ADD COLUMN replay_body bytea,
        ADD COLUMN replayed_at timestamptz,
        ADD COLUMN replays integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT integration_delivery_replay_only_failed CHECK (replay_body IS NULL OR outcome = 'failed')`);
    // the retention sweep finds the kept bodies without reading every delivery
    await db.query(`CREATE INDEX integration_delivery_replay_idx ON integration_delivery (received_at) WHERE replay_body IS NOT NULL`);
    // the admin's list of a connector's recent deliveries, newest first
    await db.query(`CREATE INDEX integration_delivery_recent_idx ON integration_delivery (integration_id, received_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX integration_delivery_recent_idx`);
    await db.query(`DROP INDEX integration_delivery_replay_idx`);
    await db.query(`ALTER TABLE integration_delivery DROP CONSTRAINT integration_delivery_replay_only_failed, DROP COLUMN replays, DROP COLUMN replayed_at, DROP COLUMN replay_body`);
  }
}

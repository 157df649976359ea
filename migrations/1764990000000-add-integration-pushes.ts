import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 item 1, the outbound side of a connector: what we tell a platform, a carrier or a WMS (fulfilment with
 * tracking, stock levels, a shipping instruction) is a row of integration_push written in the same transaction as the
 * change it reports, and a worker delivers it with retries and backoff (src/integrations/outbound/). `once` pushes are
 * unique per (connector, key) for ever: a retried step cannot send a fulfilment twice. Coalesced pushes (`coalesce`, e.g.
 * a SKU's stock) keep at most one waiting row per key: a newer change rewrites the waiting one instead of queueing behind it.
 */
export class AddIntegrationPushes1764990000000 implements MigrationInterface {
  name = 'AddIntegrationPushes1764990000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE integration_push (
        id bigserial PRIMARY KEY,
        integration_id uuid NOT NULL REFERENCES integration (id) ON DELETE CASCADE,
        topic varchar(40) NOT NULL,
        push_key varchar(200) NOT NULL,
        coalesce boolean NOT NULL DEFAULT false,
        reference varchar(100),
        payload jsonb NOT NULL DEFAULT '{}',
        status varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error varchar(2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        dead_at timestamptz
      )`);
    await db.query(`CREATE UNIQUE INDEX integration_push_once ON integration_push (integration_id, push_key) WHERE NOT coalesce`);
    await db.query(`CREATE UNIQUE INDEX integration_push_one_waiting ON integration_push (integration_id, push_key) WHERE coalesce AND status = 'pending'`);
    await db.query(`CREATE INDEX integration_push_due_idx ON integration_push (next_attempt_at) WHERE status IN ('pending', 'sending')`);
    await db.query(`CREATE INDEX integration_push_connector_idx ON integration_push (integration_id, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE integration_push`);
  }
}

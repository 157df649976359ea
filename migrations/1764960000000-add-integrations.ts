import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 (G5.2): connectors to shop platforms, payment providers, carriers and WMS. A connector's `name` is the channel
 * of the orders it brings in (the order channel rule: 1-40 letters, digits, _ or -), unique. Its secrets are one AES-256-GCM
 * ciphertext (src/integrations/secret-box.ts), never a readable column. `status` is what a person chose (active|paused);
 * "failing" is derived from the last error and the last success. Each inbound delivery is a row of integration_delivery,
 * unique per (connector, the provider's delivery id): a delivery seen before is answered without a second intake, and the
 * connector's counts are read from the outcomes. `integrations.manage` is for admins only by default.
 */
export class AddIntegrations1764960000000 implements MigrationInterface {
  name = 'AddIntegrations1764960000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE integration (
        id uuid PRIMARY KEY,
        kind varchar(20) NOT NULL,
        name varchar(40) NOT NULL CONSTRAINT integration_name_key UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$'),
        status varchar(10) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
        settings jsonb NOT NULL DEFAULT '{}',
        secret_keys text[] NOT NULL DEFAULT '{}',
        secrets_sealed text NOT NULL,
        last_sync_at timestamptz,
        last_error varchar(2000),
        last_error_at timestamptz,
        created_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE integration_delivery (
        id bigserial PRIMARY KEY,
        integration_id uuid NOT NULL REFERENCES integration (id) ON DELETE CASCADE,
        delivery_id varchar(200) NOT NULL,
        topic varchar(100),
        received_at timestamptz NOT NULL DEFAULT now(),
        outcome varchar(20) NOT NULL CHECK (outcome IN ('created', 'updated', 'duplicate', 'ignored', 'rejected', 'failed')),
        external_id varchar(100),
        order_id uuid,
        error varchar(2000),
        CONSTRAINT integration_delivery_once UNIQUE (integration_id, delivery_id)
      )`);
    await db.query(`CREATE INDEX integration_delivery_outcome_idx ON integration_delivery (integration_id, outcome)`);
    await db.query(
      `UPDATE role SET permissions = array_append(permissions, 'integrations.manage')
        WHERE name = 'admin' AND NOT ('*' = ANY (permissions)) AND NOT ('integrations.manage' = ANY (permissions))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE integration_delivery`);
    await db.query(`DROP TABLE integration`);
  }
}

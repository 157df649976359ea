import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 7 (G3.2): every send attempt of the outbox with its outcome, templates edited in the admin (each save a version
 * that overrides the file; a version without source means "back to the file"), the SMS capture provider's inbox for
 * development, and alerts for messages that could not be delivered (dead letters).
 */
export class AddNotificationChannelsAndTemplates1764700000000 implements MigrationInterface {
  name = 'AddNotificationChannelsAndTemplates1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification ADD COLUMN dead_at timestamptz`);
    await db.query(`CREATE INDEX notification_recipient_sent_idx ON notification (recipient, sent_at) WHERE status = 'sent'`);
    await db.query(`
      CREATE TABLE notification_attempt (
        id bigserial PRIMARY KEY,
        notification_id uuid NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        outcome varchar(20) NOT NULL CHECK (outcome IN ('sent','failed','dead','deferred')),
        error text,
        provider_message_id varchar(300),
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL
      )`);
    await db.query(`CREATE INDEX notification_attempt_notification_idx ON notification_attempt (notification_id, id)`);
    await db.query(`
      CREATE TABLE notification_template_version (
        id bigserial PRIMARY KEY,
        path varchar(200) NOT NULL,
        version integer NOT NULL,
        source text,
        note varchar(500),
        created_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_template_version_key UNIQUE (path, version)
      )`);
    await db.query(`
      CREATE TABLE captured_sms (
        id bigserial PRIMARY KEY,
        recipient varchar(40) NOT NULL,
        text text NOT NULL,
        message_id varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE system_alert (
        id bigserial PRIMARY KEY,
        kind varchar(40) NOT NULL,
        reference varchar(100),
        message varchar(2000) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolved_by varchar(254)
      )`);
    await db.query(`CREATE INDEX system_alert_open_idx ON system_alert (created_at) WHERE status = 'open'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE system_alert, captured_sms, notification_template_version, notification_attempt`);
    await db.query(`DROP INDEX notification_recipient_sent_idx`);
    await db.query(`ALTER TABLE notification DROP COLUMN dead_at`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 items 1-2: connectors that poll their platform (Taobao TOP: trades by modified time) keep their cursor here,
 * one row per connector, so a restart resumes where the last poll ended. `modified_through` is the last modified time
 * fully read; each poll starts `overlap_seconds` before it (intake is idempotent by channel + externalId). A poller
 * claims the row (FOR UPDATE SKIP LOCKED, then a lease in `locked_until` with its `claim_token`), so one process polls a
 * connector at a time and a crashed poller's lease runs out. `failures` counts failed polls in a row (the backoff);
 * `alerted_at` says the system_alert for this run of failures was raised.
 */
export class AddIntegrationPollCursor1765000000000 implements MigrationInterface {
  name = 'AddIntegrationPollCursor1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE integration_poll_cursor (
        integration_id uuid PRIMARY KEY REFERENCES integration (id) ON DELETE CASCADE,
        modified_through timestamptz,
        overlap_seconds integer NOT NULL DEFAULT 300 CHECK (overlap_seconds >= 0),
        next_poll_at timestamptz NOT NULL DEFAULT now(),
        polled_at timestamptz,
        claim_token uuid,
        locked_until timestamptz,
        failures integer NOT NULL DEFAULT 0,
        alerted_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE integration_poll_cursor`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11 item 1: an instance runs as whoever started it (a user, an API key, or the system for the product's own flows),
 * and who completed a user task is recorded from the authenticated identity, never read from a process variable.
 */
export class AddWorkflowPrincipals1764840000000 implements MigrationInterface {
  name = 'AddWorkflowPrincipals1764840000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE process_instance
        ADD COLUMN started_by_kind varchar(10) NOT NULL DEFAULT 'system' CHECK (started_by_kind IN ('system','user','api_key')),
        ADD COLUMN started_by_id varchar(100),
        ADD COLUMN started_by varchar(254) NOT NULL DEFAULT 'system'`);
    await db.query(`
      ALTER TABLE user_task
        ADD COLUMN completed_by_kind varchar(10) CHECK (completed_by_kind IN ('system','user','api_key')),
        ADD COLUMN completed_by_id varchar(100)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE user_task DROP COLUMN completed_by_id, DROP COLUMN completed_by_kind`);
    await db.query(`ALTER TABLE process_instance DROP COLUMN started_by, DROP COLUMN started_by_id, DROP COLUMN started_by_kind`);
  }
}

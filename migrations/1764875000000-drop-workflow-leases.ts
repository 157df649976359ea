import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: a workflow step's claim is now part of the step's transaction (the claimed job's row stays locked until the
 * step commits or rolls back), so an instance no longer carries a committed lease. Old leases are dropped with the
 * columns; a step that an older worker was running then saves only if the instance is still at its version.
 */
export class DropWorkflowLeases1764875000000 implements MigrationInterface {
  name = 'DropWorkflowLeases1764875000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE process_instance DROP COLUMN lease_owner, DROP COLUMN lease_until`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE process_instance ADD COLUMN lease_owner varchar(100), ADD COLUMN lease_until timestamptz`);
  }
}

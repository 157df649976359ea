import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: a claim takes only its instance's first due job (one step per instance at a time), checked per candidate by
 * looking up the instance's other pending jobs. Without this index the planner walks the due index (run_at, id) from its
 * start for every candidate, which under a backlog of thousands of due jobs doubled PostgreSQL's CPU per claim.
 */
export class AddPendingJobInstanceIndex1764895000000 implements MigrationInterface {
  name = 'AddPendingJobInstanceIndex1764895000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX workflow_job_pending_instance_idx ON workflow_job (instance_id, run_at, id) WHERE status = 'pending'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX workflow_job_pending_instance_idx`);
  }
}

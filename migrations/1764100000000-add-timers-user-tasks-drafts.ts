import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 4: durable timer and signal jobs, user tasks (the tasklist), modeler drafts, incident retries, the task execution log. */
export class AddTimersUserTasksDrafts1764100000000 implements MigrationInterface {
  name = 'AddTimersUserTasksDrafts1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE workflow_job DROP CONSTRAINT workflow_job_kind_check`);
    await db.query(`ALTER TABLE workflow_job ADD CONSTRAINT workflow_job_kind_check CHECK (kind IN ('start','resume','message','timer','signal'))`);
    await db.query(`CREATE INDEX workflow_job_timer_idx ON workflow_job (instance_id, (payload->>'executionId')) WHERE status = 'pending' AND kind = 'timer'`);
    await db.query(`ALTER TABLE incident ADD COLUMN retried_by varchar(254)`);
    await db.query(`
      CREATE TABLE user_task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid NOT NULL REFERENCES process_instance(id) ON DELETE CASCADE,
        element_id varchar(100) NOT NULL,
        execution_id varchar(120) NOT NULL,
        name varchar(200) NOT NULL DEFAULT '',
        business_key varchar(100),
        candidate_roles text[] NOT NULL DEFAULT '{}',
        assignee varchar(254),
        status varchar(20) NOT NULL DEFAULT 'open' CHECK (status IN ('open','claimed','completed','cancelled')),
        due_at timestamptz,
        form_fields jsonb NOT NULL DEFAULT '[]',
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        claimed_at timestamptz,
        completed_at timestamptz,
        completed_by varchar(254),
        CONSTRAINT user_task_execution_key UNIQUE (instance_id, execution_id)
      )`);
    await db.query(`CREATE INDEX user_task_open_idx ON user_task (status, due_at) WHERE status IN ('open','claimed')`);
    await db.query(`
      CREATE TABLE workflow_draft (
        key varchar(100) PRIMARY KEY,
        xml text NOT NULL,
        updated_by varchar(254) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // every handler call, including repeats after a crash: which worker ran what, how long, with what outcome
    await db.query(`
      CREATE TABLE task_execution (
        id bigserial PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES process_instance(id) ON DELETE CASCADE,
        element_id varchar(100) NOT NULL,
        execution_id varchar(120) NOT NULL,
        task_type varchar(100) NOT NULL,
        worker varchar(100) NOT NULL,
        outcome varchar(20) NOT NULL CHECK (outcome IN ('completed','failed')),
        error text,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL
      )`);
    await db.query(`CREATE INDEX task_execution_instance_idx ON task_execution (instance_id, started_at)`);
    // existing installs: the built-in roles that work tasks get the new permission (new installs seed it)
    await db.query(
      `UPDATE role SET permissions = array_append(permissions, 'tasks.work')
        WHERE name IN ('operator','warehouse','finance') AND NOT ('tasks.work' = ANY(permissions))`,
    );
    await db.query(`UPDATE role SET permissions = array_append(permissions, 'settings.read') WHERE name IN ('operator','analyst') AND NOT ('settings.read' = ANY(permissions))`);
    await db.query(`UPDATE role SET permissions = array_append(permissions, 'settings.manage') WHERE name = 'analyst' AND NOT ('settings.manage' = ANY(permissions))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE task_execution`);
    await db.query(`DROP TABLE workflow_draft`);
    await db.query(`DROP TABLE user_task`);
    await db.query(`ALTER TABLE incident DROP COLUMN retried_by`);
    await db.query(`DROP INDEX workflow_job_timer_idx`);
    await db.query(`ALTER TABLE workflow_job DROP CONSTRAINT workflow_job_kind_check`);
    await db.query(`ALTER TABLE workflow_job ADD CONSTRAINT workflow_job_kind_check CHECK (kind IN ('start','resume','message'))`);
  }
}

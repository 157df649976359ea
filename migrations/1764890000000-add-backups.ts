import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 (G3.4): backups. One row per backup, written before the dump starts (status `running`) so that a backup taken
 * by a process that died is found and marked failed; `slot` (the scheduled time, unique) makes each scheduled backup run
 * once across every process. `backups.manage` is for admins only by default: the built-in admin role holds `*`; an
 * existing install whose admin role was narrowed to a list gets it added, every other role keeps what it had.
 */
export class AddBackups1764890000000 implements MigrationInterface {
  name = 'AddBackups1764890000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE backup (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(20) NOT NULL CHECK (kind IN ('manual', 'scheduled')),
        status varchar(20) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'verified', 'failed')),
        slot timestamptz UNIQUE,
        engine varchar(20) NOT NULL CHECK (engine IN ('postgresql', 'pglite')),
        file_name varchar(200),
        key_id varchar(16),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        size_bytes bigint,
        sha256 char(64),
        error varchar(4000),
        manifest jsonb,
        verification jsonb,
        verified_at timestamptz,
        created_by varchar(254) NOT NULL
      )`);
    await db.query(`CREATE INDEX backup_started_idx ON backup (started_at DESC)`);
    await db.query(
      `UPDATE role SET permissions = array_append(permissions, 'backups.manage')
        WHERE name = 'admin' AND NOT ('*' = ANY (permissions)) AND NOT ('backups.manage' = ANY (permissions))`,
    );
    await db.query(`CREATE INDEX backup_running_idx ON backup (id) WHERE status = 'running' OR verification ->> 'status' = 'running'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE backup`);
  }
}

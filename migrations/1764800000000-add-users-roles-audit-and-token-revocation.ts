import type { MigrationInterface, QueryRunner } from 'typeorm';

/** normaliseEmail (src/auth/credentials-policy.ts) as it was when this migration landed: a migration never changes. */
const normaliseEmail = (email: string) => email.trim().normalize('NFKC').toLowerCase();

/**
 * Issue 11 items 2-4 (G3.3): emails stored in their one normalised form and compared for equality (no more lower() in
 * SQL, which folds `İ` differently from JavaScript); a user locale; token versions that end a user's access tokens and
 * admin sessions at once; API keys with expiry and last use; page tokens tied to their admin session; the append-only
 * audit log (a trigger refuses UPDATE, DELETE and TRUNCATE).
 */
export class AddUsersRolesAuditAndTokenRevocation1764800000000 implements MigrationInterface {
  name = 'AddUsersRolesAuditAndTokenRevocation1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await this.normaliseEmails(db);
    await db.query(`DROP INDEX app_user_email_key`);
    await db.query(`CREATE UNIQUE INDEX app_user_email_key ON app_user (email)`);
    await db.query(`ALTER TABLE app_user ADD COLUMN locale varchar(5) NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en'))`);
    // bumped by a password change, a disable or a role change: tokens and sessions of an older version stop working
    await db.query(`ALTER TABLE app_user ADD COLUMN token_version integer NOT NULL DEFAULT 0`);

    await db.query(`ALTER TABLE access_token ADD COLUMN token_version integer NOT NULL DEFAULT 0`);
    // a workflow page's token ends with the admin session it was handed to
    await db.query(`ALTER TABLE access_token ADD COLUMN admin_session_id varchar(100)`);
    await db.query(`CREATE INDEX access_token_admin_session_idx ON access_token (admin_session_id) WHERE admin_session_id IS NOT NULL`);

    await db.query(`ALTER TABLE api_key ADD COLUMN expires_at timestamptz`);
    await db.query(`ALTER TABLE api_key ADD COLUMN last_used_at timestamptz`);
    await db.query(`ALTER TABLE api_key ADD COLUMN revoked_by varchar(254)`);

    await db.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor varchar(254) NOT NULL,
        actor_id varchar(100),
        actor_kind varchar(20) NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'system', 'anonymous')),
        action varchar(60) NOT NULL,
        target varchar(300),
        ip varchar(64),
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await db.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)`);
    await db.query(`CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC)`);
    await db.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC)`);
    await db.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await db.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await db.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
  }

  /**
   * Stores every email as normaliseEmail makes it. Two accounts that only differed in ways the normalisation folds cannot
   * both keep their address: the later one is disabled with its email as it was, for an admin to sort out.
   */
  private async normaliseEmails(db: QueryRunner): Promise<void> {
    const users: Array<{ id: string; email: string }> = await db.query(`SELECT id, email FROM app_user ORDER BY created_at, id`);
    const taken = new Set(users.map((user) => normaliseEmail(user.email)).filter((email, index) => email === users[index].email));
    for (const user of users) {
      const normalised = normaliseEmail(user.email);
      if (normalised === user.email) continue;
      if (taken.has(normalised)) {
        await db.query(`UPDATE app_user SET active = false WHERE id = $1`, [user.id]);
        continue;
      }
      taken.add(normalised);
      await db.query(`UPDATE app_user SET email = $2 WHERE id = $1`, [user.id, normalised]);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_log`);
    await db.query(`DROP FUNCTION audit_log_refuse_change()`);
    await db.query(`ALTER TABLE api_key DROP COLUMN expires_at, DROP COLUMN last_used_at, DROP COLUMN revoked_by`);
    await db.query(`ALTER TABLE access_token DROP COLUMN token_version, DROP COLUMN admin_session_id`);
    await db.query(`ALTER TABLE app_user DROP COLUMN locale, DROP COLUMN token_version`);
    await db.query(`DROP INDEX app_user_email_key`);
    await db.query(`CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email))`);
  }
}

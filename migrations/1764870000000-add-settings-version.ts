import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 item 4: every process caches the settings and checks a version instead of reading them 4 times per order. The
 * version is bumped by a trigger on every change of the row, whoever makes it, and the change announces itself on the
 * channel `oms_settings` (payload: the new version) in its own transaction, so it is delivered only once it committed.
 * A NOTIFY in a transaction serialises the commits of all notifying transactions; settings change rarely, so that is
 * no cost here (job and outbox wake-ups are sent after the commit instead, see src/database/database-listener.ts).
 */
export class AddSettingsVersion1764870000000 implements MigrationInterface {
  name = 'AddSettingsVersion1764870000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE app_setting ADD COLUMN version bigint NOT NULL DEFAULT 1`);
    // the settings row always exists (an empty document is the defaults): a change locks it while it merges
    await db.query(`INSERT INTO app_setting (key, value) VALUES ('settings', '{}') ON CONFLICT (key) DO NOTHING`);
    await db.query(`
      CREATE FUNCTION app_setting_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.version := OLD.version + 1;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER app_setting_version BEFORE UPDATE ON app_setting
        FOR EACH ROW WHEN (NEW.value IS DISTINCT FROM OLD.value) EXECUTE FUNCTION app_setting_bump_version()`);
    await db.query(`
      CREATE FUNCTION app_setting_announce() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('oms_settings', NEW.version::text);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER app_setting_announce AFTER INSERT OR UPDATE ON app_setting
        FOR EACH ROW WHEN (NEW.key = 'settings') EXECUTE FUNCTION app_setting_announce()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER app_setting_announce ON app_setting`);
    await db.query(`DROP TRIGGER app_setting_version ON app_setting`);
    await db.query(`DROP FUNCTION app_setting_announce()`);
    await db.query(`DROP FUNCTION app_setting_bump_version()`);
    await db.query(`ALTER TABLE app_setting DROP COLUMN version`);
  }
}

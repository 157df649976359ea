import { DataSource } from 'typeorm';
import type { TestApp } from './test-app';

/** Bookkeeping a refused request may write (throttle counters, login failures, audit entries): not a change of data. */
export const BOOKKEEPING_TABLES = ['login_failure', 'rate_limit', 'audit_log', 'schema_migration', 'session', 'admin_session'];

export interface DatabaseChanges {
  /** A mark to compare against later. */
  mark(): Promise<number>;
  /** `table:OPERATION` of every row written since the mark (bookkeeping tables left out). */
  since(mark: number): Promise<string[]>;
  /** Waits until nothing was written for `quietMs` (the workflow worker finishing what an accepted request started). */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
}

/**
 * "A rejected request changes nothing" (API.md), checked by the database itself: a row trigger on every table of the
 * test database logs each insert, update and delete (rolled back with its transaction, like the change it logs).
 */
export async function watchDatabaseChanges(app: TestApp, ignore: string[] = BOOKKEEPING_TABLES): Promise<DatabaseChanges> {
  const db = app.running.app.get(DataSource);
  await db.query(`CREATE TABLE IF NOT EXISTS test_row_change (id bigserial PRIMARY KEY, table_name text NOT NULL, operation text NOT NULL)`);
  await db.query(`CREATE OR REPLACE FUNCTION test_log_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO test_row_change (table_name, operation) VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$`);
  const tables: Array<{ name: string }> = await db.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> 'test_row_change'
        AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'test_row_change')`,
  );
  for (const { name } of tables) {
    await db.query(`CREATE TRIGGER test_row_change AFTER INSERT OR UPDATE OR DELETE ON "${name}" FOR EACH ROW EXECUTE FUNCTION test_log_row_change()`);
  }
  const latest = async () => Number((await db.query(`SELECT coalesce(max(id), 0) AS id FROM test_row_change`))[0].id);
  return {
    mark: latest,
    async since(mark) {
      const rows: Array<{ change: string }> = await db.query(
        `SELECT DISTINCT table_name || ':' || operation AS change FROM test_row_change WHERE id > $1 AND NOT (table_name = ANY($2)) ORDER BY 1`,
        [mark, ignore],
      );
      return rows.map((row) => row.change);
    },
    async settle(quietMs = 300, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let seen = await latest();
      let quietSince = Date.now();
      while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const now = await latest();
        if (now !== seen) [seen, quietSince] = [now, Date.now()];
      }
    },
  };
}

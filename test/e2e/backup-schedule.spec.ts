import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type AppProcess, loginClient, startAppProcess } from '../helpers/app-process';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually } from '../helpers/test-app';
import { createTestDatabase, TEST_DATABASE_URL } from '../helpers/test-database';

const login = (app: AppProcess) => loginClient(app, ADMIN_EMAIL, ADMIN_PASSWORD);
const sql = async (url: string, text: string) => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
};

// the schedule across processes needs PostgreSQL (the embedded database is one process's)
const describePg = TEST_DATABASE_URL ? describe : describe.skip;

describePg('scheduled backups (issue 13 item 5)', () => {
  it('two processes on one database: each slot is taken exactly once; retention keeps the newest `keep`; the audit log has them', async () => {
    const database = await createTestDatabase();
    const backupDir = mkdtempSync(join(tmpdir(), 'oms-schedule-'));
    const env = { ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, BACKUP_DIR: backupDir };
    const apps: AppProcess[] = [];
    try {
      apps.push(await startAppProcess(env));
      const api = await login(apps[0]);
      expect((await api('PUT', '/api/settings', { backups: { schedule: '*/2 * * * * *', keep: 2 } })).status).toBe(200);
      apps.push(await startAppProcess(env));

      // enough slots for retention to have deleted some
      await eventually(async () => {
        const [{ count }] = await sql(database.env.DATABASE_URL, `SELECT count(*)::int AS count FROM audit_log WHERE action = 'backup.delete'`);
        return count >= 2 ? true : undefined;
      }, { timeoutMs: 90_000, intervalMs: 500, what: 'retention to delete old backups' });
      expect((await api('PUT', '/api/settings', { backups: { schedule: null } })).status).toBe(200);
      // what was running finishes, and retention after it
      await eventually(async () => {
        const items = (await api('GET', '/api/backups?pageSize=200')).body.items as Array<{ status: string }>;
        return items.every((backup) => backup.status !== 'running') && items.filter((backup) => backup.status === 'completed').length <= 2 ? true : undefined;
      }, { timeoutMs: 60_000, intervalMs: 500, what: 'the last scheduled backups to finish' });
      await new Promise((resolve) => setTimeout(resolve, 1000));

      const created = await sql(database.env.DATABASE_URL, `SELECT target, details->>'slot' AS slot FROM audit_log WHERE action = 'backup.create'`);
      expect(created.length).toBeGreaterThanOrEqual(4);
      // one backup per slot, although both processes looked at every slot
      expect(new Set(created.map((row) => row.slot)).size).toBe(created.length);
      for (const row of created) expect(new Date(row.slot).getUTCSeconds() % 2).toBe(0);

      const kept = (await api('GET', '/api/backups?pageSize=200')).body.items as Array<{ kind: string; status: string; fileName: string }>;
      const completed = kept.filter((backup) => ['completed', 'verified'].includes(backup.status));
      expect(completed.length).toBe(2);
      expect(kept.every((backup) => backup.kind === 'scheduled')).toBe(true);
      const files = readdirSync(backupDir).filter((name) => name.endsWith('.dump'));
      expect(files.sort()).toEqual(completed.map((backup) => backup.fileName).sort());
      const deleted = await sql(database.env.DATABASE_URL, `SELECT details->>'reason' AS reason FROM audit_log WHERE action = 'backup.delete'`);
      expect(deleted.every((row) => row.reason === 'retention: keep 2')).toBe(true);
    } finally {
      for (const app of apps) await app.kill('SIGKILL');
      await database.drop();
      rmSync(backupDir, { recursive: true, force: true });
    }
  }, 240_000);

  it('a scheduled backup that fails raises a system alert and is in the audit log', async () => {
    const database = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'oms-schedule-fail-'));
    const notADirectory = join(dir, 'a-file');
    writeFileSync(notADirectory, 'BACKUP_DIR cannot be created here');
    let app: AppProcess | undefined;
    try {
      app = await startAppProcess({ ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, BACKUP_DIR: join(notADirectory, 'backups') });
      const api = await login(app);
      expect((await api('PUT', '/api/settings', { backups: { schedule: '*/2 * * * * *' } })).status).toBe(200);
      const [alert] = await eventually(async () => {
        const rows = await sql(database.env.DATABASE_URL, `SELECT kind, reference, message, status FROM system_alert WHERE kind = 'backup_failed'`);
        return rows.length ? rows : undefined;
      }, { timeoutMs: 90_000, intervalMs: 300, what: 'a backup_failed alert' });
      expect(alert).toMatchObject({ status: 'open', message: expect.stringMatching(/^Scheduled backup .* failed: .*(ENOTDIR|not a directory)/) });
      const backup = (await api('GET', `/api/backups/${alert.reference}`)).body;
      expect(backup).toMatchObject({ kind: 'scheduled', status: 'failed' });
      const [{ count }] = await sql(database.env.DATABASE_URL, `SELECT count(*)::int AS count FROM audit_log WHERE action = 'backup.failed' AND target = 'backup:${alert.reference}'`);
      expect(count).toBe(1);
    } finally {
      await app?.kill('SIGKILL');
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { type AppProcess, freePort, loginClient, startAppProcess } from '../helpers/app-process';
import { unique } from '../helpers/fixtures';
import { parseMessage, startSmtpCapture } from '../helpers/smtp-capture';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually } from '../helpers/test-app';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/test-database';

const ROOT = join(__dirname, '..', '..');
const login = (app: AppProcess) => loginClient(app, ADMIN_EMAIL, ADMIN_PASSWORD);
type Api = Awaited<ReturnType<typeof login>>;

/** `npm run restore -- <file> [--force]`, as an operator runs it (the compiled command), with the environment of a database. */
function restore(file: string, env: Record<string, string>, ...flags: string[]) {
  const result = spawnSync('npm', ['run', '--silent', 'restore', '--', file, ...flags], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Makes the payment deadline of an order's instance due in the restored database (the 30 minutes pass) with the service stopped. */
async function makeDeadlineDue(database: TestDatabase, instanceId: string): Promise<number> {
  const sql = `UPDATE workflow_job SET run_at = now() WHERE kind = 'timer' AND status = 'pending' AND instance_id = '${instanceId}'`;
  if (database.kind === 'postgresql') {
    const client = new Client({ connectionString: database.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(sql)).rowCount ?? 0;
    } finally {
      await client.end();
    }
  }
  const db = await PGlite.create({ dataDir: join(database.env.DATA_DIR, 'pgdata') });
  try {
    return (await db.query(sql)).affectedRows ?? 0;
  } finally {
    await db.close();
  }
}

const orderOf = (sku: string, email: string, paid: boolean) => ({
  channel: 'backup-test',
  externalId: unique('BK'),
  customer: { name: '李四', phone: '13900139000', email },
  shippingAddress: { province: '江苏省', city: '南京市', line1: '鼓楼区中山路 1 号' },
  lines: [{ sku, quantity: 2, unitPrice: '10.00' }],
  payment: paid ? { method: 'alipay', status: 'paid' } : { method: 'bank_transfer', status: 'pending' },
});

const settledOrder = (api: Api, id: string, status: string) =>
  eventually(async () => {
    const order = (await api('GET', `/api/orders/${id}`)).body;
    const instance = (await api('GET', `/api/process-instances/${order.processInstanceId}`)).body;
    return order.status === status && instance.status !== 'running' ? order : undefined;
  }, { timeoutMs: 30_000, what: `order ${id} in ${status}` });

const kinds: Array<'postgresql' | 'embedded'> = TEST_DATABASE_URL ? ['postgresql', 'embedded'] : ['embedded'];

describe.each(kinds)('backup → restore round trip on %s (issue 13 acceptance)', (kind) => {
  const backupDir = mkdtempSync(join(tmpdir(), 'oms-restore-'));
  afterAll(() => rmSync(backupDir, { recursive: true, force: true }));

  it('orders in several statuses, a waiting timer and an undelivered message → backup → restore into an empty database → the service carries on; restore over data is refused', async () => {
    const source = await createTestDatabase({ embedded: kind === 'embedded' });
    const target = await createTestDatabase({ embedded: kind === 'embedded' });
    const smtp = await startSmtpCapture();
    const deadSmtp = `smtp://127.0.0.1:${await freePort()}`; // nothing listens: the first attempts fail and wait for their retry
    const common = { ADMIN_EMAIL, ADMIN_PASSWORD, BACKUP_DIR: backupDir, WORKER_POLL_MS: '50', NOTIFICATION_POLL_MS: '200' };
    let app: AppProcess | undefined;
    try {
      app = await startAppProcess({ ...source.env, ...common, SMTP_URL: deadSmtp });
      let api = await login(app);
      const sku = unique('BKSKU');
      expect((await api('POST', '/api/warehouses', { code: 'BK-WH', name: '备份仓', province: '上海市', city: '上海市', priority: 1 })).status).toBe(201);
      expect((await api('POST', '/api/products', { sku, name: '备份测试商品', price: '10.00' })).status).toBe(201);
      expect((await api('PUT', `/api/inventory/BK-WH/${sku}`, { onHand: 100 })).status).toBe(200);

      const email = `${unique('buyer').toLowerCase()}@example.com`;
      const create = async (paid: boolean) => (await api('POST', '/api/orders', orderOf(sku, email, paid))).body;
      const shipped = await create(true);
      const cancelled = await create(true);
      const unpaidTimer = await create(false);
      const unpaidPaid = await create(false);
      await settledOrder(api, shipped.id, 'awaiting_shipment');
      await settledOrder(api, cancelled.id, 'awaiting_shipment');
      expect((await api('POST', `/api/orders/${cancelled.id}/cancel`, { reason: 'customer changed their mind' })).status).toBe(200);
      await settledOrder(api, cancelled.id, 'cancelled');
      await settledOrder(api, unpaidTimer.id, 'pending_payment');
      await settledOrder(api, unpaidPaid.id, 'pending_payment');

      const before = {
        orders: Object.fromEntries(((await api('GET', '/api/orders?channel=backup-test&pageSize=50')).body.items as Array<{ id: string; status: string }>).map((o) => [o.id, o.status])),
        stock: (await api('GET', `/api/inventory?sku=${sku}`)).body,
      };
      expect(Object.values(before.orders).sort()).toEqual(['awaiting_shipment', 'cancelled', 'pending_payment', 'pending_payment']);
      expect(smtp.messages).toHaveLength(0);

      const taken = (await api('POST', '/api/backups')).body;
      const backup = await eventually(async () => {
        const found = (await api('GET', `/api/backups/${taken.id}`)).body;
        return found.status === 'running' ? undefined : found;
      }, { timeoutMs: 60_000, what: 'the backup' });
      expect(backup.status).toBe('completed');
      await app.kill('SIGTERM');
      app = undefined;
      const file = join(backupDir, backup.fileName);

      // over a database with data: refused, and nothing changed
      const refused = restore(file, source.env);
      expect(refused.code).toBe(2);
      expect(refused.output).toMatch(/refused: .*(has data|tables)/);

      const restored = restore(file, target.env);
      expect(restored.output).toContain('restore: restored');
      expect(restored.output).toContain("every table matches the backup's manifest");
      expect(restored.code).toBe(0);
      // again over the restored database: refused, then replaced with --force (the same data again)
      expect(restore(file, target.env).code).toBe(2);
      const forced = restore(file, target.env, '--force');
      expect(forced.output).toContain('--force');
      expect(forced.output).toContain("every table matches the backup's manifest");
      expect(forced.code).toBe(0);
      expect(await makeDeadlineDue(target, unpaidTimer.processInstanceId)).toBe(1);

      app = await startAppProcess({ ...target.env, ...common, SMTP_URL: smtp.url });
      api = await login(app);
      expect((await api('GET', `/api/inventory?sku=${sku}`)).body).toEqual(before.stock);
      const listed = (await api('GET', `/api/backups/${backup.id}`)).body;
      expect(listed).toMatchObject({ status: 'completed', sha256: backup.sha256 });

      // the waiting timer fires, the waiting payment moves on, the others are as they were
      await settledOrder(api, unpaidTimer.id, 'cancelled');
      expect((await api('POST', `/api/orders/${unpaidPaid.id}/payments`, { amount: unpaidPaid.totals.grand, reference: 'BANK-7' })).status).toBe(200);
      await settledOrder(api, unpaidPaid.id, 'awaiting_shipment');
      expect((await api('GET', `/api/orders/${shipped.id}`)).body.status).toBe(before.orders[shipped.id]);
      expect((await api('GET', `/api/orders/${cancelled.id}`)).body.status).toBe('cancelled');

      // the messages queued before the backup go out, each once
      await eventually(async () => (smtp.messages.filter((m) => m.to.includes(email)).length >= 4 ? true : undefined), { timeoutMs: 60_000, what: 'the queued messages' });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const subjects = smtp.messages.filter((m) => m.to.includes(email)).map((m) => parseMessage(m.raw).subject);
      expect(subjects.some((subject) => subject.includes(shipped.number))).toBe(true);
      expect(subjects.some((subject) => subject.includes(unpaidTimer.number) && subject.includes('已取消'))).toBe(true);
      expect(new Set(subjects).size).toBe(subjects.length);
    } finally {
      await app?.kill('SIGKILL');
      await smtp.stop();
      await source.drop();
      await target.drop();
    }
  }, 240_000);
});

describe.each(kinds)('kill -9 during a backup on %s (issue 13 acceptance)', (kind) => {
  it('leaves no backup listed as completed and no file under the final name; the restarted service marks it failed and removes its temporary file', async () => {
    const database = await createTestDatabase({ embedded: kind === 'embedded' });
    const backupDir = mkdtempSync(join(tmpdir(), 'oms-kill-'));
    const env = { ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, BACKUP_DIR: backupDir };
    let app: AppProcess | undefined;
    try {
      app = await startAppProcess({ ...env, FAULT_CRASH_DURING_BACKUP: 'true' });
      const api = await login(app);
      const started = await api('POST', '/api/backups');
      expect(started.status).toBe(202);
      expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // the whole dump was written and fsync'd under its temporary name, and the process died before the rename
      expect(readdirSync(backupDir).filter((name) => !name.startsWith('.'))).toEqual([]);
      expect(readdirSync(backupDir).filter((name) => name.endsWith('.partial'))).toHaveLength(1);

      app = await startAppProcess(env);
      const after = await login(app);
      const list = (await after('GET', '/api/backups')).body;
      expect(list.items).toHaveLength(1);
      expect(list.items[0]).toMatchObject({ id: started.body.id, status: 'failed', error: expect.stringContaining('interrupted') });
      expect(list.items.filter((b: { status: string }) => b.status === 'completed')).toEqual([]);
      expect(readdirSync(backupDir)).toEqual([]);
      expect(existsSync(join(backupDir, list.items[0].fileName))).toBe(false);
    } finally {
      await app?.kill('SIGKILL');
      await database.drop();
      rmSync(backupDir, { recursive: true, force: true });
    }
  }, 120_000);
});

import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { type AppProcess, loginClient, startAppProcess } from '../helpers/app-process';
import { unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually } from '../helpers/test-app';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/test-database';

type Api = Awaited<ReturnType<typeof loginClient>>;

/** A warehouse with `onHand` of a fresh SKU, through the API. */
async function stockedSku(api: Api, onHand: number): Promise<string> {
  const sku = unique('ROLE');
  const warehouse = unique('RWH').slice(0, 30);
  expect((await api('POST', '/api/warehouses', { code: warehouse, name: 'Roles', province: '上海市', city: '上海市', priority: 1 })).status).toBe(201);
  expect((await api('POST', '/api/products', { sku, name: 'Process roles', price: '5.00' })).status).toBe(201);
  expect((await api('PUT', `/api/inventory/${warehouse}/${sku}`, { onHand })).status).toBe(200);
  return sku;
}

/** `count` paid orders of one unit each, all answered 201. */
async function placeOrders(api: Api, sku: string, count: number): Promise<void> {
  const responses = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      api('POST', '/api/orders', {
        channel: 'process-roles',
        externalId: unique('PR'),
        // a customer and address each: no order of the batch is merged with another
        customer: { name: '钱七', phone: `1380013${String(i).padStart(4, '0')}`, email: `roles${i}@example.com` },
        shippingAddress: { province: '浙江省', city: '宁波市', line1: `海曙区中山西路 ${i + 1} 号` },
        lines: [{ sku, quantity: 1, unitPrice: '5.00' }],
        payment: { method: 'wechat', status: 'paid' },
      }),
    ),
  );
  expect(responses.filter((response) => response.status !== 201)).toEqual([]);
}

/** Every order of `sku` reached awaiting_shipment, each reserved exactly once (the level counts every reservation). */
async function expectAllAwaitingShipment(api: Api, sku: string, count: number): Promise<void> {
  await eventually(
    async () => {
      const { body } = await api('GET', `/api/orders?channel=process-roles&sku=${sku}&status=awaiting_shipment&pageSize=1`);
      return body.total === count ? true : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `${count} orders of ${sku} awaiting shipment` },
  );
  const { body: levels } = await api('GET', `/api/inventory?sku=${sku}`);
  expect(levels.items[0]).toMatchObject({ reserved: count });
}

async function sql<T>(database: TestDatabase, text: string): Promise<T[]> {
  const client = new Client({ connectionString: database.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** Process ids that ran task handlers (task_execution.worker is `<pid>-<random>`). */
const stepPids = async (database: TestDatabase) =>
  (await sql<{ pid: number }>(database, `SELECT DISTINCT split_part(worker, '-', 1)::int AS pid FROM task_execution`)).map((row) => row.pid);

/** The supervisor's "worker n (pid p) ready, /health on port q" lines, in order. */
function readyWorkers(app: AppProcess): Array<{ number: number; pid: number; port: number }> {
  return [...app.output().matchAll(/worker (\d+) \(pid (\d+)\) ready, \/health on port (\d+)/g)].map((match) => ({
    number: Number(match[1]),
    pid: Number(match[2]),
    port: Number(match[3]),
  }));
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// More than one process on a database needs PostgreSQL (the embedded database belongs to one process).
(TEST_DATABASE_URL ? describe : describe.skip)('process roles and worker processes (issue 12 item 6)', () => {
  const baseEnv = (database: TestDatabase) => ({ ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, WORKER_POLL_MS: '20', LOG_LEVEL: 'info' });

  it('WORKERS=2: the forks run every step, a killed fork is started again and its work finished, SIGTERM under load exits 0 with nothing claimed', async () => {
    const database = await createTestDatabase();
    const env = { ...baseEnv(database), WORKERS: '2', WORKER_LEASE_SECONDS: '3', NOTIFICATION_LEASE_SECONDS: '3' };
    let main: AppProcess | undefined;
    let after: AppProcess | undefined;
    const forkPids = new Set<number>();
    try {
      main = await startAppProcess(env);
      const first = await eventually(async () => (readyWorkers(main!).length >= 2 ? readyWorkers(main!) : undefined), { timeoutMs: 60_000, what: 'two worker processes' });
      expect(first.map((worker) => worker.number).sort()).toEqual([1, 2]);
      first.forEach((worker) => forkPids.add(worker.pid));
      // each fork runs with the worker heap limit (WORKER_MAX_HEAP_MB, default 192; issue 12: worker RSS < 300 MB)
      for (const worker of first) expect(readFileSync(`/proc/${worker.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-old-space-size=192');
      // a fork answers its probe and nothing else
      const probe = await fetch(`http://127.0.0.1:${first[0].port}/health`);
      expect(probe.status).toBe(200);
      const refused = await fetch(`http://127.0.0.1:${first[0].port}/api/orders`);
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('not_found');

      const api = await loginClient(main, ADMIN_EMAIL, ADMIN_PASSWORD);
      const sku = await stockedSku(api, 1000);
      await placeOrders(api, sku, 20);
      await expectAllAwaitingShipment(api, sku, 20);
      const ranBy = await stepPids(database);
      expect(ranBy.length).toBeGreaterThan(0);
      expect(ranBy.filter((pid) => !forkPids.has(pid))).toEqual([]); // not the web process, only its forks

      // a fork killed with orders in flight: the supervisor starts it again, and every order still gets there once
      await placeOrders(api, sku, 20);
      process.kill(first[0].pid, 'SIGKILL');
      const restarted = await eventually(async () => readyWorkers(main!).find((worker) => worker.number === first[0].number && worker.pid !== first[0].pid), {
        timeoutMs: 60_000,
        what: `worker ${first[0].number} started again`,
      });
      forkPids.add(restarted.pid);
      expect(main.output()).toMatch(new RegExp(`worker ${first[0].number} \\(pid ${first[0].pid}\\) exited \\(SIGKILL\\); starting it again`));
      await expectAllAwaitingShipment(api, sku, 40);
      expect((await stepPids(database)).filter((pid) => !forkPids.has(pid))).toEqual([]);
      // a message the killed fork was sending is sent by another once its lease ran out: nothing claimed before the stop below
      await eventually(async () => ((await sql(database, `SELECT 1 FROM notification WHERE status IN ('pending', 'sending')`)).length === 0 ? true : undefined), {
        timeoutMs: 30_000,
        what: 'every confirmation sent',
      });

      // SIGTERM while the workers are busy: each finishes its step (a step's claim commits or rolls back with it) and
      // gives back the messages it was sending, and everything exits 0
      const sku2 = await stockedSku(api, 1000);
      await placeOrders(api, sku2, 40);
      const stopped = await main.kill('SIGTERM');
      expect(stopped).toEqual({ code: 0, signal: null });
      for (const pid of forkPids) expect(isRunning(pid)).toBe(false);
      expect(main.output()).toMatch(/worker 1 \(pid \d+\) stopped \(code 0\)/);
      expect(main.output()).toMatch(/worker 2 \(pid \d+\) stopped \(code 0\)/);
      const [notifications] = await sql<{ n: number }>(database, `SELECT count(*)::int AS n FROM notification WHERE status = 'sending'`);
      expect(notifications.n).toBe(0);

      // what was not done yet is done by the next start, once
      after = await startAppProcess({ ...baseEnv(database), LOG_LEVEL: 'warn' });
      const again = await loginClient(after, ADMIN_EMAIL, ADMIN_PASSWORD);
      await expectAllAwaitingShipment(again, sku2, 40);
    } finally {
      await main?.kill();
      await after?.kill();
      for (const pid of forkPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      await database.drop();
    }
  }, 300_000);

  it('OMS_ROLE=web runs no step: a new order waits for a worker process, which answers only its probes (/health, /metrics) and runs it', async () => {
    const database = await createTestDatabase();
    let web: AppProcess | undefined;
    let worker: AppProcess | undefined;
    try {
      web = await startAppProcess({ ...baseEnv(database), OMS_ROLE: 'web', LOG_LEVEL: 'warn' });
      const api = await loginClient(web, ADMIN_EMAIL, ADMIN_PASSWORD);
      const sku = await stockedSku(api, 10);
      await placeOrders(api, sku, 3);
      // fifty polls' worth of waiting (WORKER_POLL_MS=20): a job loop in this process would have taken them
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const [waiting] = await sql<{ pending: number; ran: number }>(
        database,
        `SELECT (SELECT count(*)::int FROM workflow_job WHERE status = 'pending' AND kind = 'start') AS pending, (SELECT count(*)::int FROM task_execution) AS ran`,
      );
      expect(waiting).toEqual({ pending: 3, ran: 0 });
      const { body: levels } = await api('GET', `/api/inventory?sku=${sku}`);
      expect(levels.items[0]).toMatchObject({ reserved: 0 });

      const metricsToken = 'roles-scraper-token-0123456789';
      worker = await startAppProcess({ ...baseEnv(database), OMS_ROLE: 'worker', LOG_LEVEL: 'warn', METRICS_TOKEN: metricsToken });
      for (const path of ['/api/orders', '/api/docs', '/admin', '/api/auth/login']) {
        expect({ path, status: (await fetch(`${worker.url}${path}`)).status }).toEqual({ path, status: 404 });
      }
      // the probes: /health (startAppProcess waited for it) and /metrics for a scraper
      const metrics = await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^# HELP /m);
      await expectAllAwaitingShipment(api, sku, 3);
      expect(await stepPids(database)).toEqual([worker.child.pid]);
      // the outbox is the worker's too: the messages queued by the web process's intake are sent
      await eventually(async () => {
        const rows = await sql<{ status: string }>(database, `SELECT status FROM notification`);
        return rows.length > 0 && rows.every((row) => row.status === 'sent') ? true : undefined;
      }, { timeoutMs: 30_000, what: 'the notifications sent by the worker' });

      expect(await worker.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(await web.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      await web?.kill();
      await worker?.kill();
      await database.drop();
    }
  }, 180_000);
});

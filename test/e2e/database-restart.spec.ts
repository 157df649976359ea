import { Client } from 'pg';
import { LISTENER_APPLICATION_NAME } from '../../src/database/database-listener';
import { type AppProcess, apiClient, startAppProcess } from '../helpers/app-process';
import { unique } from '../helpers/fixtures';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres';
import { parseMessage, startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually } from '../helpers/test-app';
import { TEST_DATABASE_URL } from '../helpers/test-database';

const ORDERS = 60;
const CLIENTS = 6;
const CHANNEL = 'restart-test';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const order = (sku: string, externalId: string) => ({
  channel: CHANNEL,
  externalId,
  customer: { name: '赵六', phone: '13800138000', email: `${externalId.toLowerCase()}@example.com` },
  shippingAddress: { province: '江苏省', city: '南京市', line1: '鼓楼区中山路 1 号' },
  lines: [{ sku, quantity: 2, unitPrice: '10.00' }],
  payment: { method: 'alipay', status: 'paid' },
});

/** What the load saw: every answer other than 200/201/503 is a failure of the test. */
interface LoadLog {
  placed: Set<string>;
  unavailable: number;
  unexpected: string[];
}

/**
 * One client of the load: places its orders one after another, each sent again (same externalId) until it is taken —
 * after a 503 as Retry-After says, after a dropped connection at once. A COMMIT whose answer was lost is retried too:
 * intake is idempotent by (channel, externalId), so the retry answers 200 with the order instead of making a second.
 */
async function placeAll(app: AppProcess, token: string, sku: string, externalIds: string[], log: LoadLog): Promise<void> {
  for (const externalId of externalIds) {
    const deadline = Date.now() + 120_000;
    while (!log.placed.has(externalId)) {
      if (Date.now() > deadline) throw new Error(`order ${externalId} was not taken within 2 minutes`);
      let response: Response;
      try {
        response = await fetch(`${app.url}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(order(sku, externalId)),
        });
      } catch {
        await sleep(100);
        continue;
      }
      const body = (await response.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
      if (response.status === 200 || response.status === 201) {
        log.placed.add(externalId);
      } else if (response.status === 503 && body?.error?.code === 'service_unavailable' && Number(response.headers.get('retry-after')) > 0) {
        log.unavailable++;
        await sleep(Number(response.headers.get('retry-after')) * 1000);
      } else {
        log.unexpected.push(`${response.status} ${response.headers.get('retry-after') ?? ''} ${JSON.stringify(body)}`);
        await sleep(200);
      }
    }
  }
}

/** Polls until `count` of `log.placed` is reached (the load has moved on that far). */
const placedAtLeast = (log: LoadLog, count: number) =>
  eventually(async () => (log.placed.size >= count ? true : undefined), { timeoutMs: 120_000, intervalMs: 20, what: `${count} orders placed` });

// A PostgreSQL of the test's own, restarted and stopped under load (the shared one on 5432 serves other tests); like the
// other multi-process tests, run where CI provides PostgreSQL (TEST_DATABASE_URL), whose machine has the server binaries.
(TEST_DATABASE_URL ? describe : describe.skip)('PostgreSQL restarted and stopped under load (issue 12 item 7)', () => {
  let pg: PrivatePostgres | undefined;
  let smtp: SmtpCapture | undefined;
  let app: AppProcess | undefined;

  afterAll(async () => {
    await app?.kill('SIGTERM');
    await smtp?.stop();
    await pg?.destroy();
  });

  it('answers 503 with Retry-After while it is down, then every order reaches awaiting_shipment exactly once without restarting the app', async () => {
    pg = await startPrivatePostgres();
    smtp = await startSmtpCapture();
    app = await startAppProcess({
      DATABASE_URL: pg.url,
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      SMTP_URL: smtp.url,
      RETRY_AFTER_SECONDS: '1',
      WORKER_POLL_MS: '50',
      // the default lease (a step's time limit too): a step cut off by its own timeout on a busy machine is another matter
      WORKER_LEASE_SECONDS: '30',
      NOTIFICATION_LEASE_SECONDS: '10',
    });
    const { body: login } = await apiClient(app)('POST', '/api/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const api = apiClient(app, login.accessToken);
    const sku = unique('RESTART');
    expect((await api('POST', '/api/warehouses', { code: 'RESTART-WH', name: 'Restart test', province: '上海市', city: '上海市', priority: 1 })).status).toBe(201);
    expect((await api('POST', '/api/products', { sku, name: 'Restart test product', price: '10.00' })).status).toBe(201);
    expect((await api('PUT', `/api/inventory/RESTART-WH/${sku}`, { onHand: 1000 })).status).toBe(200);

    const externalIds = Array.from({ length: ORDERS }, () => unique('RST'));
    const log: LoadLog = { placed: new Set(), unavailable: 0, unexpected: [] };
    const load = Promise.all(
      Array.from({ length: CLIENTS }, (_, client) => placeAll(app!, login.accessToken, sku, externalIds.filter((_, i) => i % CLIENTS === client), log)),
    );

    // 1. a fast restart (every session terminated) while orders and their steps are in flight
    await placedAtLeast(log, ORDERS / 4);
    await pg.restart();

    // 2. a stop of a few seconds: whatever needs the database answers 503 with Retry-After, /health too
    await placedAtLeast(log, ORDERS / 2);
    await pg.stop();
    const probeId = unique('PROBE');
    const refused = await fetch(`${app.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${login.accessToken}` },
      body: JSON.stringify(order(sku, probeId)),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ error: { code: 'service_unavailable', message: expect.any(String) } });
    const health = await fetch(`${app.url}/health`);
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toBe('1');
    expect(await health.json()).toMatchObject({ status: 'error', db: 'error' });
    await sleep(3000);
    await pg.start();

    await load;
    expect(log.unexpected).toEqual([]);
    expect(log.unavailable).toBeGreaterThan(0);
    expect(log.placed.size).toBe(ORDERS);
    expect(app.child.exitCode).toBeNull(); // the same process throughout: nothing restarted it

    // 3. every order reaches awaiting_shipment, each effect exactly once
    const orders = await eventually(
      async () => {
        const { body } = await api('GET', `/api/orders?channel=${CHANNEL}&pageSize=200`);
        return body.total === ORDERS && body.items.every((o: { status: string }) => o.status === 'awaiting_shipment') ? body.items : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'every order to reach awaiting_shipment' },
    );
    expect(orders.map((o: { externalId: string }) => o.externalId).sort()).toEqual([...externalIds].sort());
    for (const o of orders) {
      expect(o.shipments).toHaveLength(1);
      expect(o.lines[0]).toMatchObject({ quantity: 2, reserved: 2 });
      expect(o.history.filter((entry: { to: string }) => entry.to === 'awaiting_shipment')).toHaveLength(1);
    }
    const { body: levels } = await api('GET', `/api/inventory?sku=${sku}`);
    expect(levels.items[0]).toMatchObject({ onHand: 1000, reserved: 2 * ORDERS, available: 1000 - 2 * ORDERS });

    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      // the LISTEN connection (wake-ups from other processes) came back by itself: every session died with the restart
      await eventually(
        async () => ((await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [LISTENER_APPLICATION_NAME])).rows[0].n === 1 ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 250, what: 'the LISTEN connection to be back' },
      );

      // one order per externalId, one process instance per order, waiting for shipment; no incident, no failed step
      const perExternalId = await db.query(`SELECT external_id, count(*)::int AS n FROM customer_order WHERE channel = $1 GROUP BY external_id`, [CHANNEL]);
      expect(perExternalId.rows).toHaveLength(ORDERS);
      expect(perExternalId.rows.every((row) => row.n === 1)).toBe(true);
      const instances = await db.query(
        `SELECT o.number, count(p.id)::int AS n, min(p.status) AS status FROM customer_order o LEFT JOIN process_instance p ON p.business_key = o.number
          WHERE o.channel = $1 GROUP BY o.number`,
        [CHANNEL],
      );
      expect(instances.rows.filter((row) => row.n !== 1 || row.status !== 'waiting')).toEqual([]);
      expect((await db.query(`SELECT count(*)::int AS n FROM incident`)).rows[0].n).toBe(0);
      expect((await db.query(`SELECT count(*)::int AS n FROM workflow_job WHERE status = 'failed'`)).rows[0].n).toBe(0);
      expect((await db.query(`SELECT count(*)::int AS n FROM customer_order WHERE external_id = $1`, [probeId])).rows[0].n).toBe(0);

      // one message per order and event, each sent once: a resend would repeat a Message-ID
      const emails = await eventually(
        async () => {
          const { rows } = await db.query(
            `SELECT n.reference, n.event, n.status FROM notification n JOIN customer_order o ON o.number = n.reference WHERE o.channel = $1 AND n.channel = 'email'`,
            [CHANNEL],
          );
          return rows.length >= ORDERS && rows.every((row) => row.status === 'sent') ? rows : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'every email to be sent' },
      );
      expect(new Set(emails.map((row) => `${row.reference} ${row.event}`)).size).toBe(emails.length);
      await smtp.waitFor(emails.length, 30_000);
      await sleep(1000); // room for a duplicate to show up
      const messageIds = smtp.messages.map((message) => parseMessage(message.raw).headers['message-id']?.[0]);
      expect(smtp.messages).toHaveLength(emails.length);
      expect(new Set(messageIds).size).toBe(emails.length);
    } finally {
      await db.end();
    }
  }, 300_000);
});

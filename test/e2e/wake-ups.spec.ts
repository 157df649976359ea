import { Client } from 'pg';
import { type AppProcess, loginClient, startAppProcess } from '../helpers/app-process';
import { diagram } from '../helpers/bpmn';
import { orderBody, unique } from '../helpers/fixtures';
import { parseMessage, type SmtpCapture, startSmtpCapture } from '../helpers/smtp-capture';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually } from '../helpers/test-app';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/test-database';

const oneTask = diagram(
  'wake-one-task',
  `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F0" sourceRef="Start" targetRef="T1" />
   <bpmn:serviceTask id="T1" oms:taskType="workflow.set-variables"><bpmn:extensionElements><oms:input name="a" value="1" /></bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:sequenceFlow id="F1" sourceRef="T1" targetRef="End" /><bpmn:endEvent id="End" />`,
);

/** Well inside the pollers' intervals below: only a wake-up by NOTIFY gets the work done this soon. */
const PROMPTLY = { timeoutMs: 10_000, intervalMs: 100 };

/**
 * Issue 12 item 4: work committed by one process wakes the others through PostgreSQL LISTEN/NOTIFY. Process A takes
 * requests only (no job workers, no outbox sender); process B polls for jobs once a minute and for messages once in ten
 * minutes, so whatever B does within seconds of A's commit, a notification made it do.
 */
(TEST_DATABASE_URL ? describe : describe.skip)('wake-ups and settings across processes (PostgreSQL)', () => {
  let database: TestDatabase;
  let smtp: SmtpCapture;
  let a: AppProcess;
  let b: AppProcess;
  let apiA: Awaited<ReturnType<typeof loginClient>>;
  let apiB: Awaited<ReturnType<typeof loginClient>>;
  let db: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startSmtpCapture();
    const env = { ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, SMTP_URL: smtp.url };
    b = await startAppProcess({ ...env, WORKER_POLL_MS: '60000', NOTIFICATION_POLL_MS: '600000' });
    a = await startAppProcess({ ...env, WORKER_CONCURRENCY: '0' });
    [apiA, apiB] = await Promise.all([loginClient(a, ADMIN_EMAIL, ADMIN_PASSWORD), loginClient(b, ADMIN_EMAIL, ADMIN_PASSWORD)]);
    expect((await apiA('POST', '/api/workflows/wake-one-task/versions', { xml: oneTask })).status).toBe(201);
    db = new Client({ connectionString: database.env.DATABASE_URL });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await Promise.all([a?.kill('SIGTERM'), b?.kill('SIGTERM')]);
    await smtp?.stop();
    await database?.drop();
  });

  const startInstance = async () => {
    const started = await apiA('POST', '/api/process-instances', { key: 'wake-one-task', businessKey: unique('WAKE') });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };
  const completed = (id: string) =>
    eventually(async () => ((await apiA('GET', `/api/process-instances/${id}`)).body.status === 'completed' ? true : undefined), {
      ...PROMPTLY,
      what: `instance ${id} to be stepped by process B`,
    });
  const listeners = async () =>
    (
      await db.query<{ pid: number; query: string }>(
        `SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'oms-listener' ORDER BY pid`,
      )
    ).rows;

  it('an instance started through the process without workers is stepped by the other one at once', async () => {
    await completed(await startInstance());
    const { rows } = await db.query(`SELECT DISTINCT worker FROM task_execution`);
    expect(rows).toHaveLength(1);
    expect(rows[0].worker).toMatch(new RegExp(`^${b.child.pid}-`));
  });

  it('killed LISTEN connections come back: a job queued meanwhile and the next one are both picked up at once', async () => {
    const before = await listeners();
    expect(before).toHaveLength(2); // one per process
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'oms-listener' AND datname = current_database()`);
    // queued while neither process listens: A sends its wake-up once it is back, B looks once when it is back
    await completed(await startInstance());

    const reconnected = await eventually(
      async () => {
        const now = await listeners();
        // listening once LISTEN ran (A then sends the wake-up it kept: its last statement is that pg_notify)
        const fresh = now.filter((row) => !before.some((old) => old.pid === row.pid) && /^(LISTEN|SELECT pg_notify)/.test(row.query));
        return fresh.length === 2 ? fresh : undefined;
      },
      { ...PROMPTLY, what: 'both processes to listen again' },
    );
    expect(reconnected).toHaveLength(2);
    // B looked once after reconnecting, before this instance existed: this one is only found through the new connections
    await completed(await startInstance());
  });

  it('a message queued by the process without a sender is sent by the other one at once', async () => {
    const sku = unique('WAKE');
    const warehouse = unique('WWH').slice(0, 30);
    expect((await apiA('POST', '/api/warehouses', { code: warehouse, name: 'Wake test', province: '上海市', city: '上海市', priority: 1 })).status).toBe(201);
    expect((await apiA('POST', '/api/products', { sku, name: 'Wake test product', price: '10.00' })).status).toBe(201);
    expect((await apiA('PUT', `/api/inventory/${warehouse}/${sku}`, { onHand: 10 })).status).toBe(200);
    const email = `${unique('wake')}@example.com`.toLowerCase();
    const created = await apiA('POST', '/api/orders', orderBody([{ sku, quantity: 1 }], { customer: { name: '周八', phone: '13700137000', email } }));
    expect(created.status).toBe(201);
    // B steps the order and sends its confirmation itself; the cancel's message is queued by A, in A's transaction
    await eventually(async () => (smtp.messages.some((message) => message.to.includes(email)) ? true : undefined), { ...PROMPTLY, what: 'the confirmation' });
    await eventually(async () => ((await apiA('GET', `/api/orders/${created.body.id}`)).body.status === 'awaiting_shipment' ? true : undefined), {
      ...PROMPTLY,
      what: 'the order to settle',
    });
    expect((await apiA('POST', `/api/orders/${created.body.id}/cancel`, { reason: 'changed my mind' })).status).toBe(200);
    const cancelled = await eventually(
      async () => smtp.messages.find((message) => message.to.includes(email) && (parseMessage(message.raw).subject ?? '').includes('已取消')),
      { ...PROMPTLY, what: 'the cancellation message' },
    );
    expect(parseMessage(cancelled.raw).subject).toContain(created.body.number);
  });

  it('a settings change made through one process is used by the other within the cache bound, and at once by itself', async () => {
    const staleHours = async (api: typeof apiA) => (await api('GET', '/api/settings')).body.alertThresholds.staleTrackingHours as number;
    const { rows: [{ version: before }] } = await db.query(`SELECT version::int FROM app_setting WHERE key = 'settings'`);
    expect(await staleHours(apiA)).toBe(48); // both processes hold the settings now
    expect(await staleHours(apiB)).toBe(48);

    expect((await apiA('PUT', '/api/settings', { alertThresholds: { staleTrackingHours: 72 } })).status).toBe(200);
    expect(await staleHours(apiA)).toBe(72);
    await eventually(async () => ((await staleHours(apiB)) === 72 ? true : undefined), { timeoutMs: 5000, intervalMs: 50, what: 'process B to use the change' });
    const { rows: [{ version: after }] } = await db.query(`SELECT version::int FROM app_setting WHERE key = 'settings'`);
    expect(after).toBe(before + 1);

    // a change made by any writer (here plain SQL) bumps the version and reaches the processes too
    await db.query(`UPDATE app_setting SET value = jsonb_set(value, '{alertThresholds,staleTrackingHours}', '96') WHERE key = 'settings'`);
    await eventually(async () => ((await staleHours(apiA)) === 96 && (await staleHours(apiB)) === 96 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 50,
      what: 'both processes to use the SQL change',
    });
    expect((await db.query(`SELECT version::int FROM app_setting WHERE key = 'settings'`)).rows[0].version).toBe(before + 2);
    // saving what is there already is no change: no new version
    expect((await apiB('PUT', '/api/settings', { alertThresholds: { staleTrackingHours: 96 } })).status).toBe(200);
    expect((await db.query(`SELECT version::int FROM app_setting WHERE key = 'settings'`)).rows[0].version).toBe(before + 2);
  });
});

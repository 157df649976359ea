import { DataSource } from 'typeorm';
import { type AppProcess, loginClient, startAppProcess } from '../helpers/app-process';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestApp, type TestApp, useTestApp } from '../helpers/test-app';
import { TEST_DATABASE_URL } from '../helpers/test-database';

type Order = { id: string; number: string; status: string };

/**
 * Issue 12 item 1 (G1.3): stock a cancel releases reaches the orders waiting for it — announced with the cancel's
 * transaction and worked by any process, so neither a read before the commit, another process nor a crash loses it.
 */
describe('stock released by a cancel reaches the orders waiting for it', () => {
  const test = useTestApp();
  const http = () => test.app.http;
  const getOrder = async (id: string): Promise<Order> => (await http().get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const until = (id: string, status: string) =>
    eventually(async () => ((await getOrder(id)).status === status ? true : undefined), { what: `order ${id} to be ${status}`, timeoutMs: 30_000 });

  /** 3 units held by one order, and 3 single-unit orders placed after it waiting for stock. */
  const holderAndWaiters = async () => {
    const sku = unique('REL');
    const { warehouse } = await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 3 });
    const holder = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 3 }])).expect(201)).body as Order;
    await until(holder.id, 'awaiting_shipment');
    const waiters: Order[] = [];
    for (let i = 0; i < 3; i++) waiters.push((await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body);
    for (const waiter of waiters) await until(waiter.id, 'awaiting_stock');
    return { sku, warehouse, holder, waiters };
  };
  const expectAllocated = async (sku: string, warehouse: string, waiters: Order[]) => {
    for (const waiter of waiters) await until(waiter.id, 'awaiting_shipment');
    const level = (await http().get('/api/inventory').query({ sku, warehouse }).set(test.auth).expect(200)).body.items[0];
    expect(level).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
  };

  it('in the same process: the three waiting orders are allocated', async () => {
    const { sku, warehouse, holder, waiters } = await holderAndWaiters();
    await http().post(`/api/orders/${holder.id}/cancel`).set(test.auth).send({ reason: 'customer changed their mind' }).expect(200);
    await expectAllocated(sku, warehouse, waiters);
    const [pending] = await test.app.running.app.get(DataSource).query(`SELECT count(*)::int AS n FROM stock_announcement WHERE done_at IS NULL`);
    expect(pending.n).toBe(0);
  });

  // the embedded database belongs to one process: other processes need PostgreSQL
  (TEST_DATABASE_URL ? it : it.skip)('when another process cancels', async () => {
    const other: TestApp = await startTestApp({ database: test.app.database, env: { WORKER_CONCURRENCY: '0' } });
    try {
      const { sku, warehouse, holder, waiters } = await holderAndWaiters();
      const otherAuth = { Authorization: `Bearer ${await other.login(ADMIN_EMAIL, ADMIN_PASSWORD)}` };
      await other.http.post(`/api/orders/${holder.id}/cancel`).set(otherAuth).send({ reason: 'cancelled at the other desk' }).expect(200);
      await expectAllocated(sku, warehouse, waiters);
    } finally {
      await other.close();
    }
  });

  (TEST_DATABASE_URL ? it : it.skip)('when the process that cancelled is killed right after the commit', async () => {
    const { sku, warehouse, holder, waiters } = await holderAndWaiters();
    let doomed: AppProcess | undefined;
    try {
      doomed = await startAppProcess({ ...test.app.database.env, WORKER_CONCURRENCY: '0', FAULT_CRASH_AFTER_STOCK_ANNOUNCED: 'true', ADMIN_EMAIL, ADMIN_PASSWORD });
      const client = await loginClient(doomed, ADMIN_EMAIL, ADMIN_PASSWORD);
      await client('POST', `/api/orders/${holder.id}/cancel`, { reason: 'cancelled, then the process died' }).catch(() => undefined);
      expect((await doomed.exited).signal).toBe('SIGKILL');
      // the cancel committed with its announcement; nobody in the dead process worked it, this process's sweep does
      expect((await getOrder(holder.id)).status).toBe('cancelled');
      await expectAllocated(sku, warehouse, waiters);
    } finally {
      await doomed?.kill();
    }
  });
});

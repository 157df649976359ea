import { Client } from 'pg';
import { type AppProcess, loginClient, startAppProcess } from '../helpers/app-process';
import { unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually } from '../helpers/test-app';
import { createTestDatabase, TEST_DATABASE_URL } from '../helpers/test-database';

describe('a second process on the embedded database', () => {
  it('is refused with a message naming DATA_DIR, and the first keeps serving', async () => {
    const database = await createTestDatabase({ embedded: true });
    const env = { ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD };
    const first = await startAppProcess(env);
    try {
      await expect(startAppProcess(env)).rejects.toThrow(/DATA_DIR .* is in use by another OMS process \(pid \d+\)/);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
    } finally {
      await first.kill('SIGTERM');
      await database.drop();
    }
  }, 120_000);
});

// DESIGN "Scale": N stateless processes share one PostgreSQL (only with a real server; CI always has one).
(TEST_DATABASE_URL ? describe : describe.skip)('two app processes on one PostgreSQL', () => {
  it('share the workflow work: every order is reviewed, reserved and confirmed exactly once', async () => {
    const database = await createTestDatabase();
    const env = { ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, WORKER_POLL_MS: '20' };
    const apps: AppProcess[] = [];
    try {
      apps.push(await startAppProcess(env), await startAppProcess(env));
      const clients = await Promise.all(apps.map((app) => loginClient(app, ADMIN_EMAIL, ADMIN_PASSWORD)));
      const sku = unique('TWO');
      expect((await clients[0]('POST', '/api/warehouses', { code: 'TWO-WH', name: 'Two', province: '上海市', city: '上海市', priority: 1 })).status).toBe(201);
      expect((await clients[0]('POST', '/api/products', { sku, name: 'Two processes', price: '5.00' })).status).toBe(201);
      expect((await clients[1]('PUT', `/api/inventory/TWO-WH/${sku}`, { onHand: 500 })).status).toBe(200);

      const count = 60;
      const responses = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          clients[i % 2]('POST', '/api/orders', {
            channel: 'two-processes',
            externalId: `TWO-${i}`,
            customer: { name: '赵六', phone: '13800138000', email: `two${i}@example.com` },
            shippingAddress: { province: '浙江省', city: '宁波市', line1: '海曙区中山西路 2 号' },
            lines: [{ sku, quantity: 1, unitPrice: '5.00' }],
            payment: { method: 'wechat', status: 'paid' },
          }),
        ),
      );
      expect(responses.every((response) => response.status === 201)).toBe(true);

      const orders = await eventually(
        async () => {
          const { body } = await clients[1]('GET', '/api/orders?channel=two-processes&pageSize=200');
          return body.items.filter((o: { status: string }) => o.status === 'awaiting_shipment').length === count ? body.items : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'all orders awaiting shipment' },
      );
      const { body: levels } = await clients[0]('GET', `/api/inventory?sku=${sku}`);
      expect(levels.items[0]).toMatchObject({ onHand: 500, reserved: count, available: 500 - count });
      for (const order of orders) {
        const instance = await eventually(async () => {
          const { body } = await clients[0]('GET', `/api/process-instances/${order.processInstanceId}`);
          return body.status === 'waiting' ? body : undefined;
        });
        const ran = (elementId: string) => instance.activity.filter((a: { elementId: string }) => a.elementId === elementId).length;
        expect([ran('Task_Review'), ran('Task_ReserveStock'), ran('Task_SendConfirmation')]).toEqual([1, 1, 1]);
        expect(order.shipments).toHaveLength(1);
      }
      // one confirmation queued per order, whichever process ran the step
      const client = new Client({ connectionString: database.env.DATABASE_URL });
      await client.connect();
      const { rows } = await client.query(`SELECT count(DISTINCT idempotency_key)::int AS keys, count(*)::int AS total FROM notification`);
      await client.end();
      expect(rows[0]).toEqual({ keys: count, total: count });
    } finally {
      await Promise.all(apps.map((app) => app.kill('SIGTERM')));
      await database.drop();
    }
  }, 180_000);
});

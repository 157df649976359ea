import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

/** G1.3: "lock the stock so that the shop never oversells", with orders racing for the last units. */
describe('no overselling under concurrent orders', () => {
  let app: TestApp;
  let token: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await app?.close();
  });

  const count = async (channel: string, status: string) =>
    (await app.http.get('/api/orders').query({ channel, status, pageSize: 1 }).set(auth).expect(200)).body.total as number;
  const levels = async (sku: string) =>
    (await app.http.get('/api/inventory').query({ sku }).set(auth).expect(200)).body.items as Array<{ warehouse: string; onHand: number; reserved: number; available: number }>;
  /** Samples the levels while orders are processed: reserved never exceeds on-hand, available never goes below 0. */
  const watchLevels = (sku: string) => {
    const problems: string[] = [];
    let samples = 0;
    let stopped = false;
    const done = (async () => {
      while (!stopped) {
        for (const level of await levels(sku)) {
          samples++;
          if (level.available < 0 || level.reserved > level.onHand || level.reserved < 0 || level.available !== level.onHand - level.reserved) {
            problems.push(JSON.stringify(level));
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    return {
      async stop() {
        stopped = true;
        await done;
        return { problems, samples };
      },
    };
  };
  const settle = (channel: string, expected: Record<string, number>) =>
    eventually(async () => {
      for (const [status, n] of Object.entries(expected)) if ((await count(channel, status)) !== n) return undefined;
      return true;
    }, { timeoutMs: 40_000, intervalMs: 100, what: `orders of ${channel} to settle at ${JSON.stringify(expected)}` });

  it('40 paid single-unit orders for 10 units: exactly 10 reserved, 30 wait for stock; +5 units release exactly 5 more', async () => {
    const sku = unique('HOT');
    const channel = unique('flash').slice(0, 40);
    const { warehouse } = await stockedCatalogue(app, token, { [sku]: 10 });
    const watcher = watchLevels(sku);

    const start = Date.parse('2026-11-11T00:00:00+08:00');
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { channel, placedAt: new Date(start + i * 1000).toISOString() })),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(40);

    await settle(channel, { awaiting_shipment: 10, awaiting_stock: 30 });
    expect(await levels(sku)).toEqual([{ warehouse, sku, bin: null, onHand: 10, reserved: 10, available: 0 }]);
    const waiting = (await app.http.get('/api/orders').query({ channel, status: 'awaiting_stock', pageSize: 50 }).set(auth).expect(200)).body.items;
    expect(waiting).toHaveLength(30);
    for (const order of waiting) {
      expect(order.lines[0].reserved).toBe(0);
      expect(order.shipments).toEqual([]);
    }
    const ready = (await app.http.get('/api/orders').query({ channel, status: 'awaiting_shipment', pageSize: 50 }).set(auth).expect(200)).body.items;
    expect(ready.map((order: { lines: Array<{ reserved: number }> }) => order.lines[0].reserved)).toEqual(Array(10).fill(1));

    await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: 5, reason: 'restock' }).expect(200);
    await settle(channel, { awaiting_shipment: 15, awaiting_stock: 25 });
    // and it stays there: nothing more is allocated once the new units are gone
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await count(channel, 'awaiting_shipment')).toBe(15);
    expect(await count(channel, 'awaiting_stock')).toBe(25);
    expect(await levels(sku)).toEqual([{ warehouse, sku, bin: null, onHand: 15, reserved: 15, available: 0 }]);

    const { problems, samples } = await watcher.stop();
    expect(samples).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('orders racing across two warehouses never reserve more than either holds', async () => {
    const sku = unique('SPLIT');
    const channel = unique('race2').slice(0, 40);
    const first = await stockedCatalogue(app, token, { [sku]: 3 });
    const second = unique('WH2').slice(0, 30);
    await app.http.post('/api/warehouses').set(auth).send({ code: second, name: 'Second', province: '广东省', city: '广州市', priority: 20 }).expect(201);
    await app.http.put(`/api/inventory/${second}/${sku}`).set(auth).send({ onHand: 4 }).expect(200);

    const responses = await Promise.all(
      Array.from({ length: 12 }, () => app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { channel }))),
    );
    expect(responses.every((r) => r.status === 201)).toBe(true);
    await settle(channel, { awaiting_shipment: 7, awaiting_stock: 5 });
    const byWarehouse = Object.fromEntries((await levels(sku)).map((level) => [level.warehouse, level]));
    expect(byWarehouse[first.warehouse]).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
    expect(byWarehouse[second]).toMatchObject({ onHand: 4, reserved: 4, available: 0 });
  });
});

import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

type Flag = { code: string; message: string; sku?: string; shortfall?: number; shortages?: Array<{ sku: string; needed: number; available: number; shortfall: number }> };
type Order = { id: string; status: string; flags: Flag[]; lines: Array<{ reserved: number }>; history: Array<{ note: string | null }> };

/**
 * Issue 14 item 4 (G2.6): an order waiting for stock carries out_of_stock with the SKU and how many units are short, also
 * when its review saw enough stock and the stock was gone by the time it was reserved; the flag goes when the order is
 * allocated.
 */
describe('out_of_stock on orders waiting for stock', () => {
  const test = useTestApp();
  afterEach(async () => {
    await test.app.http.put('/api/settings').set(test.auth).send({ autoReview: { enabled: true, manualReviewAbove: null }, partialStockPolicy: 'split' }).expect(200);
  });
  const getOrder = async (id: string): Promise<Order> => (await test.app.http.get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const orderIn = (id: string, status: string) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === status ? order : undefined;
    }, { what: `order ${id} to be ${status}` });
  const adjust = (warehouse: string, sku: string, delta: number) =>
    test.app.http.post('/api/inventory/adjustments').set(test.auth).send({ warehouse, sku, delta, reason: delta > 0 ? 'restock' : 'count' }).expect(200);
  const place = async (sku: string, quantity: number) => (await test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity }])).expect(201)).body.id as string;

  it('review passed, then the stock went while the order waited for a person: after approval it waits for stock, flagged with the SKU and shortfall', async () => {
    await test.app.http.put('/api/settings').set(test.auth).send({ autoReview: { enabled: true, manualReviewAbove: '50.00' } }).expect(200);
    const sku = unique('OOS');
    const { warehouse } = await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 3 });
    const id = await place(sku, 3); // 59.70: held for a person
    const held = await eventually(async () => {
      const order = await getOrder(id);
      return order.history.some((entry) => entry.note?.startsWith('held for review')) ? order : undefined;
    }, { what: 'the order to be held for review' });
    expect(held.flags).toEqual([]); // 3 in stock when it was reviewed

    await adjust(warehouse, sku, -2); // counted: only 1 left
    await test.app.http.post(`/api/orders/${id}/approve`).set(test.auth).send({}).expect(200);
    const waiting = await orderIn(id, 'awaiting_stock');
    expect(waiting.flags).toEqual([
      {
        code: 'out_of_stock',
        message: `Waiting for stock: ${sku} short 2 (needs 3, 1 available)`,
        sku,
        shortfall: 2,
        shortages: [{ sku, needed: 3, available: 1, shortfall: 2 }],
      },
    ]);

    await adjust(warehouse, sku, 5);
    const allocated = await orderIn(id, 'awaiting_shipment');
    expect(allocated.flags.map((flag) => flag.code)).not.toContain('out_of_stock');
    expect(allocated.lines[0].reserved).toBe(3);
  });

  it('flagged at review too: the waiting order\'s flag names the SKU and shortfall', async () => {
    const sku = unique('OOS0');
    const { warehouse } = await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 0 });
    const id = await place(sku, 4);
    const waiting = await orderIn(id, 'awaiting_stock');
    expect(waiting.flags).toEqual([expect.objectContaining({ code: 'out_of_stock', sku, shortfall: 4, shortages: [{ sku, needed: 4, available: 0, shortfall: 4 }] })]);

    await adjust(warehouse, sku, 1); // not enough yet: still waiting, the shortfall follows the stock
    await eventually(async () => ((await getOrder(id)).flags[0]?.shortfall === 3 ? true : undefined), { what: 'the shortfall to become 3' });
    expect((await getOrder(id)).status).toBe('awaiting_stock');
    await adjust(warehouse, sku, 3);
    expect((await orderIn(id, 'awaiting_shipment')).flags).toEqual([]);
  });

  it('shipping what is there: the rest waits with the flag until the restock reserves it', async () => {
    await test.app.http.put('/api/settings').set(test.auth).send({ partialStockPolicy: 'ship_available' }).expect(200);
    const sku = unique('OOSP');
    const { warehouse } = await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 2 });
    const id = await place(sku, 5);
    const partial = await orderIn(id, 'awaiting_shipment');
    expect(partial.lines[0].reserved).toBe(2);
    expect(partial.flags).toEqual([expect.objectContaining({ code: 'out_of_stock', sku, shortfall: 3, shortages: [{ sku, needed: 3, available: 0, shortfall: 3 }] })]);
    await adjust(warehouse, sku, 3);
    const whole = await eventually(async () => {
      const order = await getOrder(id);
      return order.lines[0].reserved === 5 ? order : undefined;
    }, { what: 'the rest to be reserved' });
    expect(whole.flags).toEqual([]);
  });
});

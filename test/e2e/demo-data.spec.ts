import { eventually, useTestApp } from '../helpers/test-app';

/** README "first run": the demo data gives every screen something to show, after-sales included. */
describe('demo data', () => {
  const test = useTestApp({ env: { DEMO_DATA: 'on' } });

  it('seeds warehouses, products and orders in several statuses, and after-sales cases waiting for review and refund', async () => {
    const statuses = await eventually(async () => {
      const { items } = (await test.app.http.get('/api/orders').query({ pageSize: 50 }).set(test.auth).expect(200)).body as { items: Array<{ externalId: string; status: string }> };
      const byId = Object.fromEntries(items.map((order) => [order.externalId, order.status]));
      return byId['DEMO-1002'] === 'shipped' && byId['DEMO-1008'] === 'cancelled' && byId['DEMO-1009'] === 'partially_shipped' ? byId : undefined;
    }, { timeoutMs: 60_000, what: 'the demo orders to settle' });
    expect(Object.keys(statuses)).toHaveLength(10);
    expect(new Set(Object.values(statuses)).size).toBeGreaterThanOrEqual(5);
    const cases = await eventually(async () => {
      const { items } = (await test.app.http.get('/api/after-sales').set(test.auth).expect(200)).body as { items: Array<{ type: string; status: string; orderNumber: string }> };
      const seen = items.map((c) => `${c.type}:${c.status}`).sort();
      return seen.join() === 'damaged:approved,return:requested' ? seen : undefined;
    }, { timeoutMs: 30_000, what: 'a return waiting for review and an approved damaged-goods case' });
    expect(cases).toEqual(['damaged:approved', 'return:requested']);
  });
});

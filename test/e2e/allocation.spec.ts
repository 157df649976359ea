import { orderBody, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

type Shipment = { id: string; warehouse: string; status: string; lines: Array<{ sku: string; quantity: number }>; allocationReason: string | null };
type Order = {
  id: string;
  status: string;
  processInstanceId: string;
  flags: Array<{ code: string }>;
  lines: Array<{ sku: string; quantity: number; reserved: number; shipped: number }>;
  shipments: Shipment[];
  history: Array<{ to: string; note: string | null }>;
};

/**
 * G1.3 / issue 5 item 4 over HTTP on the real flow: the settings' allocation strategy and partial-stock policy decide
 * where an order's units come from; every shipment says why; split and partial orders ship in parts.
 */
describe('allocation strategies and partial-stock policies', () => {
  const test = useTestApp();
  afterEach(async () => {
    await test.app.http.put('/api/settings').set(test.auth).send({ allocationStrategy: 'warehouse_priority', partialStockPolicy: 'split', defaultWarehouse: null }).expect(200);
  });

  const settings = (change: Record<string, unknown>) => test.app.http.put('/api/settings').set(test.auth).send(change).expect(200);
  const getOrder = async (id: string): Promise<Order> => (await test.app.http.get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const orderIn = (id: string, ...statuses: string[]) =>
    eventually(async () => {
      const order = await getOrder(id);
      return statuses.includes(order.status) ? order : undefined;
    }, { what: `order ${id} to be ${statuses.join(' or ')}` });
  const place = async (lines: Array<{ sku: string; quantity: number }>) => (await test.app.http.post('/api/orders').set(test.auth).send(orderBody(lines)).expect(201)).body as Order;
  const level = async (sku: string, warehouse: string) => (await test.app.http.get(`/api/inventory?sku=${sku}&warehouse=${warehouse}`).set(test.auth).expect(200)).body.items[0];

  /** Warehouses in the given places with the given stock; products are created once per sku. */
  async function warehouses(specs: Array<{ province: string; city: string; priority: number; costPerShipment?: string; stock: Record<string, number> }>) {
    const codes: string[] = [];
    for (const spec of specs) {
      const code = unique('AW').slice(0, 30);
      await test.app.http.post('/api/warehouses').set(test.auth).send({ code, name: code, province: spec.province, city: spec.city, priority: spec.priority, costPerShipment: spec.costPerShipment }).expect(201);
      for (const [sku, onHand] of Object.entries(spec.stock)) {
        await test.app.http.post('/api/products').set(test.auth).send({ sku, name: sku, price: '10.00' }).expect((response) => expect([201, 409]).toContain(response.status));
        await test.app.http.put(`/api/inventory/${code}/${sku}`).set(test.auth).send({ onHand }).expect(200);
      }
      codes.push(code);
    }
    return codes;
  }

  it('warehouse priority (the default): the lowest priority number with every line, and the shipment says why', async () => {
    const sku = unique('PRI');
    const [far, near] = await warehouses([
      { province: '北京', city: '北京', priority: 1, stock: { [sku]: 5 } },
      { province: '上海', city: '上海', priority: 2, stock: { [sku]: 5 } },
    ]);
    const order = await orderIn((await place([{ sku, quantity: 2 }])).id, 'awaiting_shipment');
    expect(order.shipments).toEqual([expect.objectContaining({ warehouse: far, allocationReason: `${far}: priority 1, all lines in stock` })]);
    expect(order.history.find((entry) => entry.to === 'awaiting_shipment')?.note).toContain('warehouse priority allocation');
    expect(await level(sku, near)).toMatchObject({ reserved: 0 });
  });

  it('nearest: the warehouse closest to the customer (杭州 → 上海, not 北京 with the better priority)', async () => {
    await settings({ allocationStrategy: 'nearest' });
    const sku = unique('NEAR');
    const [beijing, shanghai] = await warehouses([
      { province: '北京', city: '北京', priority: 1, stock: { [sku]: 5 } },
      { province: '上海', city: '上海', priority: 2, stock: { [sku]: 5 } },
    ]);
    const order = await orderIn((await place([{ sku, quantity: 2 }])).id, 'awaiting_shipment');
    expect(order.shipments).toEqual([expect.objectContaining({ warehouse: shanghai, allocationReason: expect.stringMatching(/about \d+ km to 浙江省 杭州市/) })]);
    expect(await level(sku, shanghai)).toMatchObject({ reserved: 2 });
    expect(await level(sku, beijing)).toMatchObject({ reserved: 0 });
  });

  it('lowest cost: the cheapest cost per shipment; the default warehouse in settings comes before any strategy', async () => {
    await settings({ allocationStrategy: 'lowest_cost' });
    const sku = unique('COST');
    const [dear, cheap, fallback] = await warehouses([
      { province: '上海', city: '上海', priority: 1, costPerShipment: '12.00', stock: { [sku]: 5 } },
      { province: '广东', city: '广州', priority: 2, costPerShipment: '6.50', stock: { [sku]: 5 } },
      { province: '四川', city: '成都', priority: 3, stock: { [sku]: 5 } },
    ]);
    const first = await orderIn((await place([{ sku, quantity: 1 }])).id, 'awaiting_shipment');
    expect(first.shipments).toEqual([expect.objectContaining({ warehouse: cheap, allocationReason: `${cheap}: costs 6.50 per shipment, all lines in stock` })]);
    await settings({ defaultWarehouse: fallback });
    const second = await orderIn((await place([{ sku, quantity: 1 }])).id, 'awaiting_shipment');
    expect(second.shipments).toEqual([expect.objectContaining({ warehouse: fallback, allocationReason: expect.stringContaining('default warehouse') })]);
    expect(await level(sku, dear)).toMatchObject({ reserved: 0 });
  });

  it('split (the default policy): no single warehouse has both lines, so each ships its part; the order is delivered when both parcels are', async () => {
    const [a, b] = [unique('SPA'), unique('SPB')];
    const [north, south] = await warehouses([
      { province: '北京', city: '北京', priority: 1, stock: { [a]: 2 } },
      { province: '广东', city: '广州', priority: 2, stock: { [b]: 5 } },
    ]);
    const placed = await place([{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]);
    const order = await orderIn(placed.id, 'awaiting_shipment');
    expect(order.shipments.map((s) => [s.warehouse, s.lines])).toEqual([
      [north, [{ sku: a, quantity: 2 }]],
      [south, [{ sku: b, quantity: 1 }]],
    ]);
    expect(order.shipments[1].allocationReason).toBe(`${south}: priority 2, ships ${b} × 1`);
    expect(order.history.find((entry) => entry.to === 'awaiting_shipment')?.note).toContain('split across 2 warehouses');

    const [first, second] = order.shipments;
    await test.app.http.post(`/api/shipments/${first.id}/ship`).set(test.auth).send({ carrier: 'sf', trackingNumber: 'SF1100000001' }).expect(200);
    expect(await getOrder(order.id)).toMatchObject({ status: 'partially_shipped', lines: [expect.objectContaining({ shipped: 2 }), expect.objectContaining({ shipped: 0 })] });
    await test.app.http.post(`/api/shipments/${second.id}/ship`).set(test.auth).send({ carrier: 'zto', trackingNumber: 'ZTO1100000002' }).expect(200);
    expect(await getOrder(order.id)).toMatchObject({ status: 'shipped', lines: [expect.objectContaining({ shipped: 2 }), expect.objectContaining({ shipped: 1 })] });
    expect(await level(a, north)).toMatchObject({ onHand: 0, reserved: 0 });
    expect(await level(b, south)).toMatchObject({ onHand: 4, reserved: 0 });

    const delivered = (trackingNumber: string, carrier: string) =>
      test.app.http.post(`/api/carriers/${carrier}/events`).set(test.auth).send({ trackingNumber, events: [{ at: new Date().toISOString(), status: 'delivered' }] }).expect(200);
    await delivered('SF1100000001', 'sf');
    expect((await getOrder(order.id)).status).toBe('shipped');
    await delivered('ZTO1100000002', 'zto');
    await orderIn(order.id, 'delivered');
  });

  it('split: when all warehouses together are short, nothing is reserved and the order waits', async () => {
    const [a, b] = [unique('SSA'), unique('SSB')];
    const [north, south] = await warehouses([
      { province: '北京', city: '北京', priority: 1, stock: { [a]: 1 } },
      { province: '广东', city: '广州', priority: 2, stock: { [b]: 5 } },
    ]);
    const order = await orderIn((await place([{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }])).id, 'awaiting_stock');
    expect(order.shipments).toEqual([]);
    expect(order.history.at(-1)?.note).toContain(`short of ${a} × 1`);
    expect(await level(a, north)).toMatchObject({ reserved: 0 });
    expect(await level(b, south)).toMatchObject({ reserved: 0 });
  });

  it('wait: the order waits until one warehouse has everything; the restock there releases it whole', async () => {
    await settings({ partialStockPolicy: 'wait' });
    const [a, b] = [unique('WA'), unique('WB')];
    const [north, south] = await warehouses([
      { province: '北京', city: '北京', priority: 1, stock: { [a]: 2 } },
      { province: '广东', city: '广州', priority: 2, stock: { [b]: 5 } },
    ]);
    const order = await orderIn((await place([{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }])).id, 'awaiting_stock');
    expect(order.history.at(-1)?.note).toContain('the policy is to wait for restock');
    await test.app.http.put(`/api/inventory/${north}/${b}`).set(test.auth).send({ onHand: 1 }).expect(200);
    const released = await orderIn(order.id, 'awaiting_shipment');
    expect(released.shipments.map((s) => [s.warehouse, s.lines])).toEqual([[north, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]]]);
    expect(await level(b, south)).toMatchObject({ reserved: 0 });
  });

  it('ship what is there: the unit in stock ships now (partially_shipped), the rest is backordered and ships after restock', async () => {
    await settings({ partialStockPolicy: 'ship_available' });
    const sku = unique('AVL');
    const [warehouse] = await warehouses([{ province: '上海', city: '上海', priority: 1, stock: { [sku]: 1 } }]);
    const order = await orderIn((await place([{ sku, quantity: 3 }])).id, 'awaiting_shipment');
    expect(order.lines).toEqual([expect.objectContaining({ quantity: 3, reserved: 1, shipped: 0 })]);
    expect(order.flags.map((flag) => flag.code)).toContain('out_of_stock');
    expect(order.history.find((entry) => entry.to === 'awaiting_shipment')?.note).toContain(`shipping what is in stock`);
    await test.app.http.post(`/api/orders/${order.id}/shipments`).set(test.auth).send({ carrier: 'sf', trackingNumber: 'SF2200000001' }).expect(200);
    expect(await getOrder(order.id)).toMatchObject({ status: 'partially_shipped', lines: [expect.objectContaining({ reserved: 1, shipped: 1 })] });

    await test.app.http.post('/api/inventory/adjustments').set(test.auth).send({ warehouse, sku, delta: 2, reason: 'restock' }).expect(200);
    const rest = await eventually(async () => {
      const current = await getOrder(order.id);
      return current.lines[0].reserved === 3 ? current : undefined;
    });
    expect(rest.shipments.filter((s) => s.status === 'allocated').map((s) => s.lines)).toEqual([[{ sku, quantity: 2 }]]);
    expect(rest.flags.map((flag) => flag.code)).not.toContain('out_of_stock');
    const shipped = (await test.app.http.post(`/api/orders/${order.id}/shipments`).set(test.auth).send({ carrier: 'sf', trackingNumber: 'SF2200000002' }).expect(200)).body as Order;
    expect(shipped).toMatchObject({ status: 'shipped', lines: [expect.objectContaining({ quantity: 3, reserved: 3, shipped: 3 })] });
    expect(await level(sku, warehouse)).toMatchObject({ onHand: 0, reserved: 0 });
  });

  it('a one-step confirmation of fewer units than allocated ships those and keeps the rest allocated; cancel then cancels only the rest', async () => {
    const sku = unique('ONE');
    const [warehouse] = await warehouses([{ province: '上海', city: '上海', priority: 1, stock: { [sku]: 5 } }]);
    const order = await orderIn((await place([{ sku, quantity: 3 }])).id, 'awaiting_shipment');
    const partial = (await test.app.http.post(`/api/orders/${order.id}/shipments`).set(test.auth).send({ carrier: 'jd', trackingNumber: 'JD3300000001', lines: [{ sku, quantity: 1 }] }).expect(200)).body as Order;
    expect(partial.status).toBe('partially_shipped');
    expect(partial.shipments.map((s) => [s.status, s.lines])).toEqual([
      ['shipped', [{ sku, quantity: 1 }]],
      ['allocated', [{ sku, quantity: 2 }]],
    ]);
    expect(partial.shipments[1].allocationReason).toContain('the rest of shipment');
    expect(await level(sku, warehouse)).toMatchObject({ onHand: 4, reserved: 2 });

    // cancelling a partially shipped order cancels the rest: what left stays shipped, the rest is released
    const cancelled = (await test.app.http.post(`/api/orders/${order.id}/cancel`).set(test.auth).send({ reason: 'customer keeps one' }).expect(200)).body as Order;
    expect(cancelled).toMatchObject({ status: 'shipped', lines: [expect.objectContaining({ quantity: 3, reserved: 1, shipped: 1 })] });
    expect(cancelled.shipments.map((s) => s.status)).toEqual(['shipped', 'cancelled']);
    expect(cancelled.history.at(-1)?.note).toBe(`the rest cancelled (${sku} × 2): customer keeps one`);
    expect(await level(sku, warehouse)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    await test.app.http.post(`/api/orders/${order.id}/cancel`).set(test.auth).send({ reason: 'again' }).expect(409);
  });
});

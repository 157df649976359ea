import { DataSource } from 'typeorm';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually, startTestApp, type TestApp } from '../helpers/test-app';

type Order = {
  id: string;
  number: string;
  status: string;
  flags: Array<{ code: string; message: string }>;
  customer: { name: string; phone: string; email: string | null };
  shippingAddress: Record<string, string>;
  lines: Array<{ sku: string; name: string; quantity: number; unitPrice: string; reserved: number; shipped: number }>;
  totals: { items: string; shipping: string; grand: string };
  shipments: Array<{ id: string; status: string; warehouse: string; trackingNumber: string | null; lines: Array<{ sku: string; quantity: number }> }>;
  history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>;
  notes: string | null;
  processInstanceId: string;
};

/** Issue 5 items 2 and 4: PATCH /api/orders/{id} (amend, reviewed again) and POST /api/orders/{id}/allocation (G2.3). */
describe('amending and allocating orders by hand', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let token: string;
  /** A sku with plenty of stock, for orders that should sail through once fixed. */
  let stocked: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
    stocked = unique('STOCKED');
    await stockedCatalogue(app, token, { [stocked]: 10_000 });
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (body: unknown) => app.http.post('/api/orders').set(auth).send(body as object);
  const patch = (id: string, body: unknown) => app.http.patch(`/api/orders/${id}`).set(auth).send(body as object);
  const allocate = (id: string, body: unknown) => app.http.post(`/api/orders/${id}/allocation`).set(auth).send(body as object);
  const getOrder = async (id: string): Promise<Order> => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
  const waitFor = (id: string, what: string, check: (order: Order) => boolean) =>
    eventually(async () => {
      const order = await getOrder(id);
      return check(order) ? order : undefined;
    }, { what: `order ${id}: ${what}` });
  const waitForStatus = (id: string, status: string) => waitFor(id, `status ${status}`, (order) => order.status === status);
  const levelOf = async (sku: string, warehouse: string) =>
    ((await app.http.get('/api/inventory').query({ sku, warehouse }).set(auth).expect(200)).body.items[0] ?? { onHand: 0, reserved: 0, available: 0 }) as {
      onHand: number;
      reserved: number;
      available: number;
    };
  const waitingAt = async (instanceId: string) =>
    ((await app.http.get(`/api/process-instances/${instanceId}`).set(auth).expect(200)).body as { waitingAt: Array<{ elementId: string }> }).waitingAt.map((w) => w.elementId);
  const waitUntilWaitingAt = (instanceId: string, elementId: string) =>
    eventually(async () => ((await waitingAt(instanceId)).includes(elementId) ? true : undefined), { what: `the process to wait at ${elementId}` });
  /** A second warehouse for skus that exist already. */
  const warehouseWith = async (stock: Record<string, number>) => {
    const code = unique('WH').slice(0, 30);
    await app.http.post('/api/warehouses').set(auth).send({ code, name: `Warehouse ${code}`, province: '上海市', city: '上海市', priority: 20 }).expect(201);
    for (const [sku, onHand] of Object.entries(stock)) await app.http.put(`/api/inventory/${code}/${sku}`).set(auth).send({ onHand }).expect(200);
    return code;
  };
  /** A paid order of a fresh sku stocked in its own warehouse, waited until awaiting_shipment. */
  const orderAwaitingShipment = async (quantity: number, onHand: number) => {
    const sku = unique('ALLOC');
    const { warehouse } = await stockedCatalogue(app, token, { [sku]: onHand });
    const created = (await post(orderBody([{ sku, quantity }])).expect(201)).body as Order;
    const order = await waitForStatus(created.id, 'awaiting_shipment');
    await waitUntilWaitingAt(order.processInstanceId, 'Event_OrderShipped');
    return { order, sku, warehouse };
  };
  /** An order of `quantity` units of a fresh sku of which `warehouse` has only `onHand`: it waits for stock. */
  const orderAwaitingStock = async (quantity: number, onHand: number) => {
    const sku = unique('SHORT');
    const { warehouse } = await stockedCatalogue(app, token, { [sku]: onHand });
    const created = (await post(orderBody([{ sku, quantity }])).expect(201)).body as Order;
    const order = await waitForStatus(created.id, 'awaiting_stock');
    await waitUntilWaitingAt(order.processInstanceId, 'Event_StockArrived');
    return { order, sku, warehouse };
  };
  const exceptionOrder = async (overrides: Record<string, unknown> = { customer: { name: '李四', phone: '12345', email: 'lisi@example.com' } }, code = 'phone_invalid') => {
    const created = (await post(orderBody([{ sku: stocked, quantity: 1 }], overrides)).expect(201)).body as Order;
    const order = await waitFor(created.id, `exception with ${code}`, (o) => o.status === 'exception' && o.flags.some((f) => f.code === code));
    await waitUntilWaitingAt(order.processInstanceId, 'Event_OrderApproved');
    return order;
  };

  describe('PATCH /api/orders/{id}', () => {
    it('a valid phone clears phone_invalid and the order goes on to awaiting_shipment by itself; the history shows the amendment', async () => {
      const held = await exceptionOrder();
      const response = await patch(held.id, { customer: { name: '李四', phone: '13912345678' } }).expect(200);
      expect(response.body.flags).toEqual([]);
      expect(response.body.customer).toMatchObject({ name: '李四', phone: '13912345678', email: 'lisi@example.com' }); // omitted email kept
      expect(response.body.history).toEqual(
        expect.arrayContaining([expect.objectContaining({ from: 'exception', to: 'pending_review', by: ADMIN_EMAIL, note: `amended by ${ADMIN_EMAIL}: customer` })]),
      );
      const ready = await waitForStatus(held.id, 'awaiting_shipment');
      expect(ready.lines).toEqual([expect.objectContaining({ sku: stocked, quantity: 1, reserved: 1 })]);
      expect(ready.history.map((h) => h.to)).toEqual(['pending_review', 'exception', 'pending_review', 'awaiting_shipment']);
      await waitUntilWaitingAt(held.processInstanceId, 'Event_OrderShipped');
    });

    it('an address that is still incomplete keeps the order in exception with address_incomplete, waiting for a person', async () => {
      const body = orderBody([{ sku: stocked, quantity: 1 }]);
      const held = await exceptionOrder({ shippingAddress: { ...body.shippingAddress, line1: '' } }, 'address_incomplete');
      const address = { province: '浙江省', city: '杭州市', line1: '文三' };
      const response = await patch(held.id, { shippingAddress: address }).expect(200);
      expect(response.body).toMatchObject({ status: 'exception', shippingAddress: address });
      expect(response.body.flags).toEqual([{ code: 'address_incomplete', message: expect.stringContaining('too short') }]);
      expect(response.body.history.slice(-2)).toEqual([
        expect.objectContaining({ from: 'exception', to: 'pending_review', by: ADMIN_EMAIL, note: `amended by ${ADMIN_EMAIL}: address` }),
        expect.objectContaining({ from: 'pending_review', to: 'exception', by: 'system', note: 'address_incomplete' }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await getOrder(held.id)).status).toBe('exception');
      expect(await waitingAt(held.processInstanceId)).toEqual(['Event_OrderApproved']);
    });

    it('new lines replace all lines and the totals are recomputed exactly (integer cents)', async () => {
      const held = await exceptionOrder({ customer: { name: '李四', phone: '12345' }, shippingFee: '8.50' });
      const response = await patch(held.id, {
        lines: [{ sku: stocked, quantity: 3, unitPrice: '0.10' }, { sku: stocked, quantity: 7, unitPrice: '19.99' }],
        notes: '改为 10 件',
      }).expect(200);
      expect(response.body.lines).toEqual([
        expect.objectContaining({ sku: stocked, name: `Product ${stocked}`, quantity: 3, unitPrice: '0.10', reserved: 0 }),
        expect.objectContaining({ sku: stocked, quantity: 7, unitPrice: '19.99', reserved: 0 }),
      ]);
      expect(response.body.totals).toEqual({ items: '140.23', shipping: '8.50', grand: '148.73' });
      expect(response.body).toMatchObject({ status: 'exception', notes: '改为 10 件' });
      // paid 28.40 at intake: the amended total needs the difference collected (G2.6 payment exception)
      expect(response.body.flags).toEqual([
        expect.objectContaining({ code: 'phone_invalid' }),
        { code: 'payment_unconfirmed', message: 'Paid 28.40 but the order total is 148.73: ask the customer to pay the 120.33 missing, or amend the order' },
      ]);
      expect(response.body.history.at(-2).note).toBe(`amended by ${ADMIN_EMAIL}: lines, notes`);
    });

    it('an unpaid order stays pending_payment after an amendment, reviewed again', async () => {
      const created = (await post(orderBody([{ sku: stocked, quantity: 1 }], { payment: { method: 'bank_transfer', status: 'pending' } })).expect(201)).body as Order;
      await waitFor(created.id, 'pending_payment, reviewed', (o) => o.status === 'pending_payment' && o.flags.length > 0);
      const response = await patch(created.id, { customer: { name: '王五', phone: '+86 139 1234 5678' } }).expect(200);
      expect(response.body).toMatchObject({ status: 'pending_payment', customer: { name: '王五' } });
      expect(response.body.flags.map((f: { code: string }) => f.code)).toEqual(['payment_unconfirmed']);
      expect(response.body.history.at(-1)).toMatchObject({ from: 'pending_payment', to: 'pending_payment', note: `amended by ${ADMIN_EMAIL}: customer` });
    });

    it('amending an awaiting_shipment order is 409 invalid_state naming the status, and nothing changes', async () => {
      const { order } = await orderAwaitingShipment(1, 5);
      const response = await patch(order.id, { notes: 'too late' }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('awaiting_shipment') });
      const after = await getOrder(order.id);
      expect(after).toMatchObject({ status: 'awaiting_shipment', notes: null });
      expect(after.history).toHaveLength(order.history.length);
    });

    it.each<[string, string, unknown]>([
      ['an unknown top-level field', 'priority', { priority: 'high' }],
      ['an unknown customer field', 'customer.age', { customer: { name: '李四', phone: '13912345678', age: 30 } }],
      ['a customer without a phone', 'customer.phone', { customer: { name: '李四' } }],
      ['an empty lines array', 'lines', { lines: [] }],
      ['quantity 0', 'lines[0].quantity', { lines: [{ sku: 'X', quantity: 0, unitPrice: '1.00' }] }],
      ['a price that is not a decimal string', 'lines[0].unitPrice', { lines: [{ sku: 'X', quantity: 1, unitPrice: 1 }] }],
      ['a null shippingAddress', 'shippingAddress', { shippingAddress: null }],
      ['nothing to amend', 'body', {}],
    ])('%s is 422 validation_failed naming %s, and nothing changes', async (_, path, body) => {
      const held = await exceptionOrder();
      const response = await patch(held.id, body).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      const after = await getOrder(held.id);
      expect(after).toMatchObject({ status: 'exception', customer: held.customer, lines: held.lines, totals: held.totals, flags: held.flags });
      expect(after.history).toHaveLength(held.history.length);
    });

    it('an order that is not there is 404', async () => {
      await patch('SO000000000000', { notes: 'x' }).expect(404);
    });
  });

  describe('POST /api/orders/{id}/allocation (G2.3)', () => {
    it('an awaiting_stock order allocated to a warehouse that has the stock: awaiting_shipment, that level reserved, the process waits for the shipment', async () => {
      const { order, sku, warehouse: short } = await orderAwaitingStock(2, 1);
      const other = await warehouseWith({});
      // stock that arrived without waking the order (a sync straight into the database): only a person moves it now
      await app.running.app.get(DataSource).query(
        `INSERT INTO stock_level (warehouse_id, sku, on_hand) SELECT id, $2, 5 FROM warehouse WHERE code = $1`,
        [other, sku],
      );
      expect(await levelOf(sku, other)).toMatchObject({ onHand: 5, reserved: 0 });
      const response = await allocate(order.id, { warehouse: other }).expect(200);
      expect(response.body).toMatchObject({ status: 'awaiting_shipment', lines: [expect.objectContaining({ sku, quantity: 2, reserved: 2, shipped: 0 })] });
      expect(response.body.shipments).toEqual([expect.objectContaining({ warehouse: other, status: 'allocated', lines: [{ sku, quantity: 2 }] })]);
      expect(response.body.history.at(-1)).toMatchObject({ from: 'awaiting_stock', to: 'awaiting_shipment', by: ADMIN_EMAIL, note: `allocated by ${ADMIN_EMAIL} to ${other}` });
      expect(await levelOf(sku, other)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
      expect(await levelOf(sku, short)).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
      await waitUntilWaitingAt(order.processInstanceId, 'Event_OrderShipped');
      const after = await getOrder(order.id);
      expect(after.status).toBe('awaiting_shipment');
      expect(after.shipments).toHaveLength(1);
      expect(await levelOf(sku, other)).toMatchObject({ reserved: 2 });
    });

    it('fewer units than ordered ship that much now (partially_shipped); restock allocates the rest, which ships later (shipped)', async () => {
      const { order, sku, warehouse } = await orderAwaitingStock(3, 2);
      const response = await allocate(order.id, { warehouse, lines: [{ sku, quantity: 2 }] }).expect(200);
      expect(response.body).toMatchObject({ status: 'awaiting_shipment', lines: [expect.objectContaining({ sku, quantity: 3, reserved: 2, shipped: 0 })] });
      expect(response.body.shipments).toEqual([expect.objectContaining({ warehouse, lines: [{ sku, quantity: 2 }] })]);
      expect(response.body.history.at(-1).note).toContain(`${sku} 2 of 3`);
      expect(await levelOf(sku, warehouse)).toMatchObject({ onHand: 2, reserved: 2, available: 0 });
      await waitUntilWaitingAt(order.processInstanceId, 'Event_OrderShipped');
      const shipped = (await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF7700000001' }).expect(200)).body as Order;
      expect(shipped).toMatchObject({ status: 'partially_shipped', lines: [expect.objectContaining({ quantity: 3, reserved: 2, shipped: 2 })] });
      expect(await levelOf(sku, warehouse)).toMatchObject({ onHand: 0, reserved: 0 });
      expect(await waitingAt(order.processInstanceId)).toEqual(['Event_OrderShipped']);

      await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: 1, reason: 'restock' }).expect(200);
      const rest = await eventually(async () => {
        const current = await getOrder(order.id);
        return current.shipments.some((s) => s.status === 'allocated') ? current : undefined;
      });
      expect(rest).toMatchObject({ status: 'partially_shipped', lines: [expect.objectContaining({ quantity: 3, reserved: 3, shipped: 2 })] });
      const done = (await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF7700000002' }).expect(200)).body as Order;
      expect(done).toMatchObject({ status: 'shipped', lines: [expect.objectContaining({ quantity: 3, reserved: 3, shipped: 3 })] });
      expect(done.shipments.map((s) => [s.status, s.trackingNumber, s.lines])).toEqual([
        ['shipped', 'SF7700000001', [{ sku, quantity: 2 }]],
        ['shipped', 'SF7700000002', [{ sku, quantity: 1 }]],
      ]);
      expect(await levelOf(sku, warehouse)).toMatchObject({ onHand: 0, reserved: 0 });
      await waitUntilWaitingAt(order.processInstanceId, 'Event_OrderDelivered');
    });

    it('an awaiting_shipment order moved from warehouse A to B: A released, B reserved, the old shipment cancelled', async () => {
      const { order, sku, warehouse: a } = await orderAwaitingShipment(4, 10);
      const b = await warehouseWith({ [sku]: 6 });
      expect(await levelOf(sku, a)).toMatchObject({ onHand: 10, reserved: 4 });
      const response = await allocate(order.id, { warehouse: b }).expect(200);
      expect(response.body.status).toBe('awaiting_shipment');
      expect(response.body.shipments).toEqual([
        expect.objectContaining({ warehouse: a, status: 'cancelled' }),
        expect.objectContaining({ warehouse: b, status: 'allocated', lines: [{ sku, quantity: 4 }] }),
      ]);
      expect(response.body.history.at(-1)).toMatchObject({ from: 'awaiting_shipment', to: 'awaiting_shipment', note: `allocated by ${ADMIN_EMAIL} to ${b}; was ${a}` });
      expect(await levelOf(sku, a)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
      expect(await levelOf(sku, b)).toMatchObject({ onHand: 6, reserved: 4, available: 2 });
      expect(await waitingAt(order.processInstanceId)).toEqual(['Event_OrderShipped']);
      await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF7700000002', warehouse: b }).expect(200);
      expect(await levelOf(sku, b)).toMatchObject({ onHand: 2, reserved: 0 });
      expect(await levelOf(sku, a)).toMatchObject({ onHand: 10, reserved: 0 });
    });

    it('a warehouse without enough stock is 409 invalid_state naming the sku and what is available, and nothing changes', async () => {
      const { order, sku, warehouse: a } = await orderAwaitingShipment(4, 10);
      const b = await warehouseWith({ [sku]: 1 });
      const response = await allocate(order.id, { warehouse: b }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining(`${sku} in ${b}: 1 available, 4 needed`) });
      const after = await getOrder(order.id);
      expect(after).toMatchObject({ status: 'awaiting_shipment', lines: order.lines, shipments: [expect.objectContaining({ warehouse: a, status: 'allocated' })] });
      expect(after.history).toHaveLength(order.history.length);
      expect(await levelOf(sku, a)).toMatchObject({ onHand: 10, reserved: 4 });
      expect(await levelOf(sku, b)).toMatchObject({ onHand: 1, reserved: 0 });
    });

    it('an order awaiting stock with too little in the chosen warehouse stays awaiting_stock (409)', async () => {
      const { order, sku, warehouse } = await orderAwaitingStock(3, 2);
      const response = await allocate(order.id, { warehouse }).expect(409);
      expect(response.body.error.message).toContain(`${sku} in ${warehouse}: 2 available, 3 needed`);
      expect((await getOrder(order.id)).status).toBe('awaiting_stock');
      expect(await levelOf(sku, warehouse)).toMatchObject({ reserved: 0 });
      expect(await waitingAt(order.processInstanceId)).toEqual(['Event_StockArrived']);
    });

    it.each<[string, string, (sku: string) => unknown]>([
      ['an unknown warehouse', 'warehouse', () => ({ warehouse: 'NO-SUCH-WH' })],
      ['a sku not in the order', 'lines[0].sku', () => ({ lines: [{ sku: 'NOT-IN-ORDER', quantity: 1 }] })],
      ['a quantity above the one ordered', 'lines[0].quantity', (sku) => ({ lines: [{ sku, quantity: 5 }] })],
      ['a negative quantity', 'lines[0].quantity', (sku) => ({ lines: [{ sku, quantity: -1 }] })],
      ['nothing to ship now', 'lines', (sku) => ({ lines: [{ sku, quantity: 0 }] })],
      ['an unknown field', 'priority', () => ({ priority: 'high' })],
      ['neither warehouse nor lines', 'warehouse', () => ({})],
    ])('%s is 422 naming %s, and nothing changes', async (_, path, build) => {
      const { order, sku, warehouse } = await orderAwaitingShipment(4, 10);
      const response = await allocate(order.id, build(sku)).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      const after = await getOrder(order.id);
      expect(after).toMatchObject({ status: 'awaiting_shipment', lines: order.lines, shipments: [expect.objectContaining({ warehouse, status: 'allocated' })] });
      expect(await levelOf(sku, warehouse)).toMatchObject({ onHand: 10, reserved: 4 });
    });

    it('an order in exception is 409 invalid_state naming the status', async () => {
      const held = await exceptionOrder();
      const response = await allocate(held.id, { lines: [{ sku: stocked, quantity: 1 }] }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('exception') });
      expect((await getOrder(held.id)).status).toBe('exception');
    });
  });
});

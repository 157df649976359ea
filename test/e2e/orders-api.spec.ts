import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually, startTestApp, type TestApp } from '../helpers/test-app';

type Order = {
  id: string;
  number: string;
  status: string;
  flags: Array<{ code: string; message: string }>;
  lines: Array<{ sku: string; quantity: number; reserved: number; shipped: number }>;
  shipments: Array<{ status: string; warehouse: string; carrier: string | null; trackingNumber: string | null }>;
  history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>;
  payment: { status: string; amount: string | null; reference?: string | null };
  processInstanceId: string;
  approvedBy?: string | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** API.md "Orders" (G1.1, G1.2, G1.3, G2.2, G2.4, G2.5, G2.6) over HTTP. */
describe('the orders API', () => {
  let app: TestApp;
  let token: string;
  let auth: Record<string, string>;
  /** A sku with plenty of stock in `warehouse`, for orders that should sail through. */
  let stocked: string;
  let warehouse: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
    stocked = unique('STOCKED');
    ({ warehouse } = await stockedCatalogue(app, token, { [stocked]: 10_000 }));
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (body: unknown) => app.http.post('/api/orders').set(auth).send(body as object);
  const getOrder = async (id: string): Promise<Order> => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
  const waitFor = (id: string, what: string, check: (order: Order) => boolean) =>
    eventually(async () => {
      const order = await getOrder(id);
      return check(order) ? order : undefined;
    }, { what: `order ${id}: ${what}` });
  const waitForStatus = (id: string, status: string) => waitFor(id, `status ${status}`, (order) => order.status === status);
  const totalOrders = async (query: Record<string, string> = {}) => (await app.http.get('/api/orders').query(query).set(auth).expect(200)).body.total as number;
  const levelOf = async (sku: string, wh = warehouse) =>
    (await app.http.get('/api/inventory').query({ sku, warehouse: wh }).set(auth).expect(200)).body.items[0] as { onHand: number; reserved: number; available: number };
  const processInstance = async (id: string) =>
    (await app.http.get(`/api/process-instances/${id}`).set(auth).expect(200)).body as { status: string; waitingAt: Array<{ elementId: string; messageName?: string }> };

  /** A paid order of a freshly stocked sku, waited until awaiting_shipment. */
  const orderAwaitingShipment = async (quantity = 2, onHand = 10) => {
    const sku = unique('SHIP');
    const stock = await stockedCatalogue(app, token, { [sku]: onHand });
    const created = (await post(orderBody([{ sku, quantity }])).expect(201)).body as Order;
    const order = await waitForStatus(created.id, 'awaiting_shipment');
    return { order, sku, warehouse: stock.warehouse };
  };
  /** An order held in `exception` for an invalid phone (its sku is in stock). */
  const exceptionOrder = async () => {
    const created = (await post(orderBody([{ sku: stocked, quantity: 1 }], { customer: { name: '李四', phone: '12345' } })).expect(201)).body as Order;
    return waitForStatus(created.id, 'exception');
  };
  const cancelledOrder = async () => {
    const { order } = await orderAwaitingShipment();
    return (await app.http.post(`/api/orders/${order.id}/cancel`).set(auth).send({ reason: 'customer changed their mind' }).expect(200)).body as Order;
  };
  const shippedOrder = async () => {
    const { order } = await orderAwaitingShipment();
    return (await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: unique('SF').replace(/[^A-Za-z0-9-]/g, '') }).expect(200)).body as Order;
  };

  describe('POST /api/orders (intake, G1.1)', () => {
    it('a new order is 201 with the whole order: number, status, flags, customer, address, lines, totals, payment, shipments, history, process', async () => {
      const sku = unique('FULL');
      await stockedCatalogue(app, token, { [sku]: 100 });
      const body = orderBody([{ sku, quantity: 2, unitPrice: '19.90' }, { sku: stocked, quantity: 1, unitPrice: '100' }], {
        channel: 'jd',
        shippingFee: '10',
        notes: '请工作日送货',
        placedAt: '2026-11-25T10:30:00+08:00',
      });
      const response = await post(body).expect(201);
      const order = response.body;
      expect(order).toMatchObject({
        id: expect.stringMatching(UUID),
        number: expect.stringMatching(/^SO\d{12}$/),
        channel: 'jd',
        externalId: body.externalId,
        status: 'pending_review',
        flags: [],
        customer: { name: '张三', phone: '13800138000', email: 'zhangsan@example.com' },
        shippingAddress: body.shippingAddress,
        lines: [
          { sku, name: `Product ${sku}`, quantity: 2, unitPrice: '19.90', reserved: 0, shipped: 0 },
          { sku: stocked, name: `Product ${stocked}`, quantity: 1, unitPrice: '100.00', reserved: 0, shipped: 0 },
        ],
        totals: { items: '139.80', shipping: '10.00', grand: '149.80' },
        payment: { method: 'alipay', status: 'paid', amount: '149.80' },
        shipments: [],
        history: [{ at: expect.stringMatching(ISO_WITH_OFFSET), from: null, to: 'pending_review', by: ADMIN_EMAIL, note: expect.any(String) }],
        processInstanceId: expect.stringMatching(UUID),
        createdAt: expect.stringMatching(ISO_WITH_OFFSET),
        updatedAt: expect.stringMatching(ISO_WITH_OFFSET),
      });
      expect(new Date(order.placedAt).toISOString()).toBe(new Date('2026-11-25T02:30:00Z').toISOString());
      expect(order.lines).toHaveLength(2);
      expect(order.history).toHaveLength(1);

      const fetched = await getOrder(order.id);
      expect(fetched).toMatchObject({ id: order.id, number: order.number, externalId: body.externalId, totals: order.totals });
      expect((await processInstance(order.processInstanceId)).status).toEqual(expect.stringMatching(/^(running|waiting|completed)$/));
    });

    it('the same (channel, externalId) again is 200 with the same order and creates no second one, even with a different body', async () => {
      const channel = unique('idem').slice(0, 40);
      const body = orderBody([{ sku: stocked, quantity: 1 }], { channel });
      const first = await post(body).expect(201);
      const again = await post(body).expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect(again.body.number).toBe(first.body.number);
      const changed = await post({ ...body, lines: [{ sku: stocked, quantity: 7, unitPrice: '1.00' }] }).expect(200);
      expect(changed.body.id).toBe(first.body.id);
      expect(changed.body.lines).toEqual([expect.objectContaining({ sku: stocked, quantity: 1, unitPrice: '19.90' })]);
      expect(await totalOrders({ channel })).toBe(1);
    });

    it('the same externalId on another channel is a different order (201)', async () => {
      const externalId = unique('EXT');
      const a = await post(orderBody([{ sku: stocked, quantity: 1 }], { channel: unique('cha').slice(0, 40), externalId })).expect(201);
      const b = await post(orderBody([{ sku: stocked, quantity: 1 }], { channel: unique('chb').slice(0, 40), externalId })).expect(201);
      expect(b.body.id).not.toBe(a.body.id);
    });

    it('20 identical intakes sent at once make exactly one order: one 201, nineteen 200, all with the same id', async () => {
      const channel = unique('race').slice(0, 40);
      const body = orderBody([{ sku: stocked, quantity: 1 }], { channel });
      const responses = await Promise.all(Array.from({ length: 20 }, () => post(body)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(19);
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(await totalOrders({ channel })).toBe(1);
      const order = await waitForStatus(responses[0].body.id, 'awaiting_shipment');
      expect(order.shipments).toHaveLength(1);
      expect(order.history.filter((h) => h.from === null)).toHaveLength(1);
    });

    const valid = () => orderBody([{ sku: 'ANY-SKU', quantity: 1 }]);
    const without = (key: string) => {
      const body: Record<string, unknown> = valid();
      delete body[key];
      return body;
    };
    const withLine = (line: Record<string, unknown>) => ({ ...valid(), lines: [{ sku: 'ANY-SKU', quantity: 1, unitPrice: '19.90', ...line }] });
    it.each<[string, string, () => unknown]>([
      ['a missing channel', 'channel', () => without('channel')],
      ['a missing externalId', 'externalId', () => without('externalId')],
      ['a missing customer', 'customer', () => without('customer')],
      ['a missing shippingAddress', 'shippingAddress', () => without('shippingAddress')],
      ['missing lines', 'lines', () => without('lines')],
      ['a missing payment', 'payment', () => without('payment')],
      ['an empty lines array', 'lines', () => ({ ...valid(), lines: [] })],
      ['lines that are not an array', 'lines', () => ({ ...valid(), lines: { sku: 'ANY-SKU', quantity: 1, unitPrice: '1.00' } })],
      ['a customer that is not an object', 'customer', () => ({ ...valid(), customer: '张三' })],
      ['quantity 0', 'lines[0].quantity', () => withLine({ quantity: 0 })],
      ['a negative quantity', 'lines[0].quantity', () => withLine({ quantity: -2 })],
      ['quantity 1.5', 'lines[0].quantity', () => withLine({ quantity: 1.5 })],
      ['quantity "2" (a string)', 'lines[0].quantity', () => withLine({ quantity: '2' })],
      ['unitPrice 19.9 as a number', 'lines[0].unitPrice', () => withLine({ unitPrice: 19.9 })],
      ['unitPrice "abc"', 'lines[0].unitPrice', () => withLine({ unitPrice: 'abc' })],
      ['a negative unitPrice', 'lines[0].unitPrice', () => withLine({ unitPrice: '-1.00' })],
      ['a line without sku', 'lines[1].sku', () => ({ ...valid(), lines: [{ sku: 'A', quantity: 1, unitPrice: '1.00' }, { quantity: 1, unitPrice: '1.00' }] })],
      ['an unknown field in a line', 'lines[0].colour', () => withLine({ colour: 'red' })],
      ['customer.name over 100 characters', 'customer.name', () => ({ ...valid(), customer: { name: '张'.repeat(101), phone: '13800138000' } })],
      ['externalId over 100 characters', 'externalId', () => ({ ...valid(), externalId: 'x'.repeat(101) })],
      ['notes over 1000 characters', 'notes', () => ({ ...valid(), notes: 'x'.repeat(1001) })],
      ['an unknown top-level field', 'priority', () => ({ ...valid(), priority: 'high' })],
      ['an unknown customer field', 'customer.age', () => ({ ...valid(), customer: { name: '张三', phone: '13800138000', age: 30 } })],
      ['a payment status other than paid|pending', 'payment.status', () => ({ ...valid(), payment: { method: 'alipay', status: 'refunded' } })],
      ['a shippingFee as a number', 'shippingFee', () => ({ ...valid(), shippingFee: 10 })],
      ['a placedAt that is not a date', 'placedAt', () => ({ ...valid(), placedAt: 'yesterday' })],
      ['an invalid customer email', 'customer.email', () => ({ ...valid(), customer: { name: '张三', phone: '13800138000', email: 'not-an-email' } })],
    ])('%s is 422 validation_failed naming %s, and creates nothing', async (_, path, build) => {
      const before = await totalOrders();
      const response = await post(build()).expect(422);
      expect(response.body.error).toMatchObject({ code: 'validation_failed', message: expect.any(String) });
      expect(response.body.error.details).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
      expect(await totalOrders()).toBe(before);
    });

    it('an order whose total is beyond 9999999999.99 is 422 naming lines, never a 500, and creates nothing', async () => {
      const before = await totalOrders();
      const response = await post(orderBody([{ sku: stocked, quantity: 100_000, unitPrice: '9999999999.99' }])).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details).toEqual([{ path: 'lines', message: expect.stringContaining('9999999999.99') }]);
      expect(await totalOrders()).toBe(before);
    });

    it('an empty body is 422 validation_failed, not a 500', async () => {
      const response = await app.http.post('/api/orders').set(auth).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['channel', 'externalId', 'customer', 'shippingAddress', 'lines']));
    });

    it('malformed JSON is 400 bad_request and creates nothing', async () => {
      const before = await totalOrders();
      const response = await app.http.post('/api/orders').set(auth).set('Content-Type', 'application/json').send('{"channel": "tmall", "lines": [').expect(400);
      expect(response.body).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
      expect(await totalOrders()).toBe(before);
    });
  });

  describe('review (G1.2): business problems are taken and flagged, not rejected', () => {
    const flagged = async (body: Record<string, unknown>, status: string, code: string) => {
      const created = await post(body).expect(201);
      const order = await waitFor(created.body.id, `status ${status} with flag ${code}`, (o) => o.status === status && o.flags.some((f) => f.code === code));
      const flag = order.flags.find((f) => f.code === code)!;
      expect(flag.message).toEqual(expect.any(String));
      expect(flag.message.length).toBeGreaterThan(10);
      return order;
    };

    it('an unknown SKU: the order is created and held in exception with unknown_sku naming the sku', async () => {
      const sku = unique('NOSUCH');
      const order = await flagged(orderBody([{ sku, quantity: 1 }]), 'exception', 'unknown_sku');
      expect(order.flags.find((f) => f.code === 'unknown_sku')!.message).toContain(sku);
      expect(order.lines[0]).toMatchObject({ sku, reserved: 0 });
    });

    it('an invalid phone "12345" is flagged phone_invalid', async () => {
      await flagged(orderBody([{ sku: stocked, quantity: 1 }], { customer: { name: '张三', phone: '12345' } }), 'exception', 'phone_invalid');
    });

    it('an empty street line "" is flagged address_incomplete', async () => {
      const body = orderBody([{ sku: stocked, quantity: 1 }]);
      await flagged({ ...body, shippingAddress: { ...body.shippingAddress, line1: '' } }, 'exception', 'address_incomplete');
    });

    it('a missing street line is taken (201) and flagged address_incomplete, not rejected', async () => {
      await flagged(orderBody([{ sku: stocked, quantity: 1 }], { shippingAddress: { province: '浙江省', city: '杭州市' } }), 'exception', 'address_incomplete');
    });

    it('a street line sent as null is taken and flagged address_incomplete', async () => {
      const body = orderBody([{ sku: stocked, quantity: 1 }]);
      await flagged({ ...body, shippingAddress: { ...body.shippingAddress, line1: null } }, 'exception', 'address_incomplete');
    });

    it('a missing city is taken and flagged address_incomplete', async () => {
      await flagged(orderBody([{ sku: stocked, quantity: 1 }], { shippingAddress: { province: '浙江省', line1: '文三路 100 号' } }), 'exception', 'address_incomplete');
    });

    it('more than the purchase limit, summed over lines of the same sku, is flagged purchase_limit_exceeded', async () => {
      const sku = unique('LIMIT');
      await stockedCatalogue(app, token, { [sku]: 100 });
      await app.http.post('/api/products').set(auth).send({ sku: `${sku}-L`, name: 'Limited', price: '5.00', purchaseLimit: 3 }).expect(201);
      await app.http.put(`/api/inventory/${warehouse}/${sku}-L`).set(auth).send({ onHand: 100 }).expect(200);
      await flagged(orderBody([{ sku: `${sku}-L`, quantity: 2 }, { sku: `${sku}-L`, quantity: 2 }]), 'exception', 'purchase_limit_exceeded');
      // exactly the limit passes
      const atLimit = (await post(orderBody([{ sku: `${sku}-L`, quantity: 3 }])).expect(201)).body;
      const passed = await waitForStatus(atLimit.id, 'awaiting_shipment');
      expect(passed.flags).toEqual([]);
    });

    it('a Hong Kong address (province 香港) is flagged outside_delivery_area', async () => {
      await flagged(orderBody([{ sku: stocked, quantity: 1 }], { shippingAddress: { province: '香港', city: '香港', line1: '皇后大道中 99 号' } }), 'exception', 'outside_delivery_area');
    });

    it('country US is flagged outside_delivery_area', async () => {
      await flagged(
        orderBody([{ sku: stocked, quantity: 1 }], {
          customer: { name: 'John Doe', phone: '+14155552671' },
          shippingAddress: { province: 'CA', city: 'San Francisco', line1: '1 Market Street', country: 'US' },
        }),
        'exception',
        'outside_delivery_area',
      );
    });

    it('several problems at once are all flagged', async () => {
      const order = await flagged(
        orderBody([{ sku: unique('NOSUCH'), quantity: 1 }], { customer: { name: '张三', phone: '000' }, shippingAddress: { province: '浙江省', city: '杭州市', line1: '' } }),
        'exception',
        'unknown_sku',
      );
      expect(order.flags.map((f) => f.code)).toEqual(expect.arrayContaining(['unknown_sku', 'phone_invalid', 'address_incomplete']));
    });

    it('a pending payment waits in pending_payment with payment_unconfirmed', async () => {
      await flagged(orderBody([{ sku: stocked, quantity: 1 }], { payment: { method: 'bank_transfer', status: 'pending' } }), 'pending_payment', 'payment_unconfirmed');
    });

    it('no stock: awaiting_stock with out_of_stock; stock arriving moves the order to awaiting_shipment by itself', async () => {
      const sku = unique('EMPTY');
      const { warehouse: wh } = await stockedCatalogue(app, token, { [sku]: 0 });
      const order = await flagged(orderBody([{ sku, quantity: 3 }]), 'awaiting_stock', 'out_of_stock');
      expect(order.lines[0].reserved).toBe(0);

      await app.http.put(`/api/inventory/${wh}/${sku}`).set(auth).send({ onHand: 5 }).expect(200);
      const ready = await waitForStatus(order.id, 'awaiting_shipment');
      expect(ready.lines[0]).toMatchObject({ quantity: 3, reserved: 3 });
      expect(ready.flags.map((f) => f.code)).not.toContain('out_of_stock');
      expect(ready.shipments).toEqual([expect.objectContaining({ warehouse: wh, status: 'allocated' })]);
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 5, reserved: 3, available: 2 });
    });

    it('a stock receipt (adjustment) also wakes an order waiting for stock', async () => {
      const sku = unique('EMPTY');
      const { warehouse: wh } = await stockedCatalogue(app, token, { [sku]: 1 });
      const order = await flagged(orderBody([{ sku, quantity: 2 }]), 'awaiting_stock', 'out_of_stock');
      await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse: wh, sku, delta: 1, reason: 'restock' }).expect(200);
      await waitForStatus(order.id, 'awaiting_shipment');
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 2, reserved: 2, available: 0 });
    });
  });

  describe('GET /api/orders (G2.5 search)', () => {
    const channel = unique('search').slice(0, 40);
    const phone = `139${String(Date.now()).slice(-8)}`;
    let skuX: string;
    let january: Order;
    let february: Order;
    let march: Order;

    beforeAll(async () => {
      skuX = unique('SEARCH');
      await stockedCatalogue(app, token, { [skuX]: 100 });
      january = (await post(orderBody([{ sku: skuX, quantity: 1 }], { channel, placedAt: '2025-01-15T10:00:00+08:00' })).expect(201)).body;
      february = (await post(orderBody([{ sku: stocked, quantity: 1 }], { channel, placedAt: '2025-02-15T10:00:00+08:00', customer: { name: '王五', phone } })).expect(201)).body;
      march = (await post(orderBody([{ sku: stocked, quantity: 1 }], { channel, placedAt: '2025-03-15T10:00:00+08:00', customer: { name: '赵六', phone: '12345' } })).expect(201)).body;
      await waitForStatus(january.id, 'awaiting_shipment');
      await waitForStatus(february.id, 'awaiting_shipment');
      await waitForStatus(march.id, 'exception');
    });

    const list = async (query: Record<string, string | number>) => (await app.http.get('/api/orders').query(query).set(auth).expect(200)).body;
    const ids = (body: { items: Order[] }) => body.items.map((o) => o.id).sort();

    it('?channel= lists that channel\'s orders in the paged shape', async () => {
      const body = await list({ channel });
      expect(body).toMatchObject({ page: 1, pageSize: 50, total: 3 });
      expect(ids(body)).toEqual([january.id, february.id, march.id].sort());
    });

    it('?status= filters by status, also several at once', async () => {
      expect(ids(await list({ channel, status: 'exception' }))).toEqual([march.id]);
      expect(ids(await list({ channel, status: 'awaiting_shipment' }))).toEqual([january.id, february.id].sort());
      expect((await list({ channel, status: 'exception,awaiting_shipment' })).total).toBe(3);
      expect((await list({ channel, status: 'cancelled' })).total).toBe(0);
    });

    it('?number= finds the one order', async () => {
      const body = await list({ number: february.number });
      expect(body.total).toBe(1);
      expect(body.items[0]).toMatchObject({ id: february.id, number: february.number });
    });

    it('?phone= finds the customer\'s orders', async () => {
      expect(ids(await list({ phone }))).toEqual([february.id]);
    });

    it('?sku= finds orders with a line of that sku', async () => {
      expect(ids(await list({ sku: skuX }))).toEqual([january.id]);
    });

    it('?from=&to= filter by the date the order was placed', async () => {
      expect(ids(await list({ channel, from: '2025-02-01T00:00:00+08:00' }))).toEqual([february.id, march.id].sort());
      expect(ids(await list({ channel, to: '2025-02-01T00:00:00+08:00' }))).toEqual([january.id]);
      expect(ids(await list({ channel, from: '2025-02-01T00:00:00+08:00', to: '2025-03-01T00:00:00+08:00' }))).toEqual([february.id]);
    });

    it('paging: newest placed first, pageSize and page split the list, total counts all', async () => {
      const first = await list({ channel, pageSize: 2, page: 1 });
      const second = await list({ channel, pageSize: 2, page: 2 });
      expect(first).toMatchObject({ page: 1, pageSize: 2, total: 3 });
      expect(first.items.map((o: Order) => o.id)).toEqual([march.id, february.id]);
      expect(second).toMatchObject({ page: 2, pageSize: 2, total: 3 });
      expect(second.items.map((o: Order) => o.id)).toEqual([january.id]);
      expect((await list({ channel, pageSize: 500 })).pageSize).toBe(200);
    });

    it.each([
      ['an unknown status', { status: 'lost' }, 'status'],
      ['a from that is not a date', { from: 'last week' }, 'from'],
      ['page=0', { page: 0 }, 'page'],
      ['page=1e20 (an offset beyond what the database takes)', { page: '1e20' }, 'page'],
    ])('%s is 422 validation_failed', async (_, query, path) => {
      const response = await app.http.get('/api/orders').query(query).set(auth).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    });

    it('GET /api/orders/{id} and /api/orders/{number} return the same order', async () => {
      const byId = await getOrder(january.id);
      const byNumber = (await app.http.get(`/api/orders/${january.number}`).set(auth).expect(200)).body;
      expect(byNumber).toEqual(byId);
      expect(byId).toMatchObject({ id: january.id, number: january.number, status: 'awaiting_shipment' });
    });

    it('an unknown id or number is 404 not_found', async () => {
      const byId = await app.http.get('/api/orders/00000000-0000-4000-8000-000000000000').set(auth).expect(404);
      expect(byId.body.error).toMatchObject({ code: 'not_found', message: expect.any(String) });
      const byNumber = await app.http.get('/api/orders/SO000000999999').set(auth).expect(404);
      expect(byNumber.body.error.code).toBe('not_found');
    });
  });

  describe('a person\'s actions (G2.2, G2.6)', () => {
    it('approving an exception order sends it on to awaiting_shipment and history records who approved', async () => {
      const held = await exceptionOrder();
      const before = await levelOf(stocked);
      const approved = await app.http.post(`/api/orders/${held.id}/approve`).set(auth).send({}).expect(200);
      expect(approved.body.id).toBe(held.id);
      const order = await waitForStatus(held.id, 'awaiting_shipment');
      expect(order.approvedBy).toBe(ADMIN_EMAIL);
      expect(order.history).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'exception', to: 'pending_review', by: ADMIN_EMAIL })]));
      expect(order.history.map((h) => h.to)).toEqual(['pending_review', 'exception', 'pending_review', 'awaiting_shipment']);
      expect(order.lines[0]).toMatchObject({ quantity: 1, reserved: 1 });
      expect(order.flags.map((f) => f.code)).toContain('phone_invalid'); // accepted by a person, still visible
      expect(await levelOf(stocked)).toMatchObject({ reserved: before.reserved + 1 });
    });

    it.each([
      ['awaiting_shipment', async () => (await orderAwaitingShipment()).order],
      ['shipped', () => shippedOrder()],
      ['cancelled', () => cancelledOrder()],
    ])('approving an order in %s is 409 invalid_state naming the status, and changes nothing', async (status, make) => {
      const order = await (make as () => Promise<Order>)();
      const response = await app.http.post(`/api/orders/${order.id}/approve`).set(auth).send({}).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining(status) });
      const after = await getOrder(order.id);
      expect(after.status).toBe(status);
      expect(after.history).toHaveLength(order.history.length);
    });

    it('approving an unknown order is 404', async () => {
      const response = await app.http.post('/api/orders/00000000-0000-4000-8000-000000000000/approve').set(auth).send({}).expect(404);
      expect(response.body.error.code).toBe('not_found');
    });

    it('rejecting an awaiting_shipment order is 409 invalid_state naming the status', async () => {
      const { order } = await orderAwaitingShipment();
      const response = await app.http.post(`/api/orders/${order.id}/reject`).set(auth).send({ reason: 'suspicious' }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('awaiting_shipment') });
      expect((await getOrder(order.id)).status).toBe('awaiting_shipment');
    });

    it('rejecting without a reason is 422 naming reason', async () => {
      const held = await exceptionOrder();
      const response = await app.http.post(`/api/orders/${held.id}/reject`).set(auth).send({}).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'reason' })]));
      expect((await getOrder(held.id)).status).toBe('exception');
    });

    it('cancelling an awaiting_shipment order releases its stock, cancels its shipment and terminates its process', async () => {
      const { order, sku, warehouse: wh } = await orderAwaitingShipment(4, 10);
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 10, reserved: 4, available: 6 });
      const response = await app.http.post(`/api/orders/${order.id}/cancel`).set(auth).send({ reason: 'customer asked by phone' }).expect(200);
      expect(response.body).toMatchObject({ id: order.id, status: 'cancelled' });
      expect(response.body.lines[0]).toMatchObject({ quantity: 4, reserved: 0, shipped: 0 });
      expect(response.body.shipments).toEqual([expect.objectContaining({ status: 'cancelled' })]);
      expect(response.body.history.at(-1)).toMatchObject({ from: 'awaiting_shipment', to: 'cancelled', by: ADMIN_EMAIL, note: 'customer asked by phone' });
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
      expect((await processInstance(order.processInstanceId)).status).toBe('terminated');
    });

    it('cancelling an order waiting for stock ends it for good: stock arriving later does not revive it', async () => {
      const sku = unique('EMPTY');
      const { warehouse: wh } = await stockedCatalogue(app, token, { [sku]: 0 });
      const created = (await post(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
      await waitForStatus(created.id, 'awaiting_stock');
      await app.http.post(`/api/orders/${created.id}/cancel`).set(auth).send({ reason: 'no longer wanted' }).expect(200);
      await app.http.put(`/api/inventory/${wh}/${sku}`).set(auth).send({ onHand: 5 }).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await getOrder(created.id)).status).toBe('cancelled');
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
      expect((await processInstance(created.processInstanceId)).status).toBe('terminated');
    });

    it('cancelling an exception order is allowed', async () => {
      const held = await exceptionOrder();
      const response = await app.http.post(`/api/orders/${held.id}/cancel`).set(auth).send({ reason: 'could not reach the customer' }).expect(200);
      expect(response.body.status).toBe('cancelled');
    });

    it('cancelling a cancelled order is 409 invalid_state naming the status', async () => {
      const order = await cancelledOrder();
      const response = await app.http.post(`/api/orders/${order.id}/cancel`).set(auth).send({ reason: 'again' }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('cancelled') });
      expect((await getOrder(order.id)).history).toHaveLength(order.history.length);
    });

    it('cancelling a shipped order is 409 invalid_state naming the status', async () => {
      const order = await shippedOrder();
      const response = await app.http.post(`/api/orders/${order.id}/cancel`).set(auth).send({ reason: 'too late' }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('shipped') });
      expect((await getOrder(order.id)).status).toBe('shipped');
    });

    it('cancelling without a reason is 422 and the order stays as it was', async () => {
      const { order } = await orderAwaitingShipment();
      const response = await app.http.post(`/api/orders/${order.id}/cancel`).set(auth).send({}).expect(422);
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'reason' })]));
      expect((await getOrder(order.id)).status).toBe('awaiting_shipment');
    });
  });

  describe('POST /api/orders/{id}/payments (G2.6 payment exceptions)', () => {
    const pendingOrder = async () => {
      const created = (await post(orderBody([{ sku: stocked, quantity: 2 }], { payment: { method: 'bank_transfer', status: 'pending' } })).expect(201)).body;
      return waitFor(created.id, 'pending_payment, reviewed', (o) => o.status === 'pending_payment' && o.flags.some((f) => f.code === 'payment_unconfirmed'));
    };

    it('confirming the payment of a pending_payment order moves it on to awaiting_shipment', async () => {
      const order = await pendingOrder();
      const response = await app.http.post(`/api/orders/${order.id}/payments`).set(auth).send({ amount: '39.80', reference: 'BANK-20261125-1' }).expect(200);
      expect(response.body.payment).toMatchObject({ status: 'paid', amount: '39.80', reference: 'BANK-20261125-1' });
      const ready = await waitForStatus(order.id, 'awaiting_shipment');
      expect(ready.flags.map((f) => f.code)).not.toContain('payment_unconfirmed');
      expect(ready.lines[0]).toMatchObject({ quantity: 2, reserved: 2 });
      expect(ready.history.map((h) => h.to)).toEqual(['pending_payment', 'pending_review', 'awaiting_shipment']);
    });

    it('a payment for an order that is already paid is 409 invalid_state', async () => {
      const { order } = await orderAwaitingShipment();
      const response = await app.http.post(`/api/orders/${order.id}/payments`).set(auth).send({ amount: '39.80', reference: 'DUP-1' }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('awaiting_shipment') });
      expect((await getOrder(order.id)).payment.reference).not.toBe('DUP-1');
    });

    it.each([
      ['amount "abc"', { amount: 'abc', reference: 'R-1' }, 'amount'],
      ['amount as a number', { amount: 39.8, reference: 'R-1' }, 'amount'],
      ['no reference', { amount: '39.80' }, 'reference'],
    ])('%s is 422 and the order still waits for payment', async (_, body, path) => {
      const order = await pendingOrder();
      const response = await app.http.post(`/api/orders/${order.id}/payments`).set(auth).send(body).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      const after = await getOrder(order.id);
      expect(after).toMatchObject({ status: 'pending_payment', payment: { status: 'pending' } });
    });
  });

  describe('POST /api/orders/{id}/shipments (G2.4 without a WMS)', () => {
    it('shipping an awaiting_shipment order makes it shipped, takes the stock out and the process waits for the delivery', async () => {
      const { order, sku, warehouse: wh } = await orderAwaitingShipment(3, 10);
      const response = await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF1234567890' }).expect(200);
      expect(response.body).toMatchObject({ id: order.id, status: 'shipped' });
      expect(response.body.lines).toEqual([expect.objectContaining({ sku, quantity: 3, reserved: 3, shipped: 3 })]);
      expect(response.body.shipments).toEqual([expect.objectContaining({ warehouse: wh, status: 'shipped', carrier: 'sf', trackingNumber: 'SF1234567890', lines: [{ sku, quantity: 3 }] })]);
      expect(response.body.history.at(-1)).toMatchObject({ from: 'awaiting_shipment', to: 'shipped', by: ADMIN_EMAIL });
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 7, reserved: 0, available: 7 });
      const waiting = await eventually(async () => {
        const instance = await processInstance(order.processInstanceId);
        return instance.status === 'waiting' && instance.waitingAt.some((wait) => wait.elementId === 'Event_OrderDelivered') ? instance : undefined;
      }, { what: 'the process to wait for the delivery' });
      expect(waiting.waitingAt).toEqual([expect.objectContaining({ elementId: 'Event_OrderDelivered', messageName: 'OrderDelivered' })]);
    });

    it('naming the allocated warehouse and every allocated line ({carrier, trackingNumber, warehouse, lines}) ships the order', async () => {
      const { order, sku, warehouse: wh } = await orderAwaitingShipment(2, 5);
      const response = await app.http.post(`/api/orders/${order.id}/shipments`).set(auth)
        .send({ carrier: 'zto', trackingNumber: 'ZTO7700112233', warehouse: wh, lines: [{ sku, quantity: 2 }] }).expect(200);
      expect(response.body).toMatchObject({ status: 'shipped', lines: [expect.objectContaining({ sku, shipped: 2 })] });
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    });

    it('a warehouse the order is not allocated to is 422 naming warehouse, and nothing ships', async () => {
      const { order, sku, warehouse: wh } = await orderAwaitingShipment(2, 5);
      const response = await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF5550001111', warehouse: 'ELSEWHERE' }).expect(422);
      expect(response.body.error.details).toEqual([{ path: 'warehouse', message: expect.stringContaining(wh) }]);
      expect((await getOrder(order.id)).status).toBe('awaiting_shipment');
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 5, reserved: 2 });
    });

    it('lines beyond what was allocated are 422 naming lines, and nothing ships', async () => {
      const { order, sku, warehouse: wh } = await orderAwaitingShipment(2, 5);
      for (const lines of [[{ sku, quantity: 3 }], [{ sku: 'OTHER', quantity: 2 }], [{ sku, quantity: 1 }, { sku: 'OTHER', quantity: 1 }]]) {
        const response = await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF5550002222', lines }).expect(422);
        expect(response.body.error.details).toEqual([{ path: 'lines', message: expect.stringContaining(`${sku} × 2`) }]);
      }
      const bad = await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF5550002222', lines: [{ sku, quantity: 0 }] }).expect(422);
      expect(bad.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'lines[0].quantity' })]));
      expect((await getOrder(order.id)).status).toBe('awaiting_shipment');
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 5, reserved: 2 });
    });

    it('an unknown carrier "ups" is 422 and the order still awaits shipment', async () => {
      const { order, sku, warehouse: wh } = await orderAwaitingShipment(1, 5);
      const response = await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'ups', trackingNumber: '1Z999AA10123456784' }).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'carrier' })]));
      expect((await getOrder(order.id)).status).toBe('awaiting_shipment');
      expect(await levelOf(sku, wh)).toMatchObject({ onHand: 5, reserved: 1 });
    });

    it('a missing tracking number is 422', async () => {
      const { order } = await orderAwaitingShipment();
      const response = await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'zto' }).expect(422);
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'trackingNumber' })]));
    });

    it.each([
      ['cancelled', () => cancelledOrder()],
      ['exception', () => exceptionOrder()],
      ['shipped', () => shippedOrder()],
    ])('shipping an order in %s is 409 invalid_state naming the status', async (status, make) => {
      const order = await (make as () => Promise<Order>)();
      const response = await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF0000000001' }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining(status) });
      expect((await getOrder(order.id)).status).toBe(status);
    });
  });
});

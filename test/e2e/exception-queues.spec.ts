import { orderBody, shippedOrder, stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

type Item = {
  kind: string; ref: string; reasons: string[]; message: string | null; order: { id: string; number: string; status: string };
  stock: { sku: string | null; shortfall: number | null; restockExpectedOn: string | null } | null; owner: { id: string; name: string } | null;
  enteredAt: string; ageMinutes: number; slaDueAt: string; overdue: boolean; contacts: number; lastContact: { channel: string; note: string; by: string } | null;
  actions: string[]; shipment: { trackingNumber: string } | null;
};

/**
 * Issue 14 item 4 (G2.6): the four exception queues — who is in each and why, with owner, age and SLA due time; claim,
 * assign, contact noted, payment request, restock date; permissions and bad input.
 */
describe('exception work queues', () => {
  const test = useTestApp();
  const http = () => test.app.http;
  const queue = async (kind: string, query = '') => (await http().get(`/api/exception-queues/${kind}?pageSize=200${query}`).set(test.auth).expect(200)).body as { items: Item[]; total: number };
  const itemOf = async (kind: string, orderId: string) => (await queue(kind)).items.find((item) => item.order.id === orderId);
  const inQueue = (kind: string, orderId: string) => eventually(() => itemOf(kind, orderId), { what: `order ${orderId} in the ${kind} queue` });
  const place = async (body: Record<string, unknown>) => (await http().post('/api/orders').set(test.auth).send(body).expect(201)).body as { id: string; number: string };
  let sku: string;
  let empty: string;

  beforeAll(async () => {
    sku = unique('EQ');
    empty = unique('EQ0');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 100, [empty]: 0 });
  });

  it('address: an incomplete address and one outside the delivery area are in the address queue; amending the address takes the order out', async () => {
    const incomplete = await place(orderBody([{ sku, quantity: 1 }], { shippingAddress: { province: '浙江省', city: '杭州市', line1: '' } }));
    const abroad = await place(orderBody([{ sku, quantity: 1 }], { shippingAddress: { province: 'California', city: 'San Jose', line1: '1 Main Street', country: 'US' } }));
    const item = await inQueue('address', incomplete.id);
    expect(item).toMatchObject({ kind: 'address', ref: incomplete.id, reasons: ['address_incomplete'], order: { number: incomplete.number, status: 'exception' }, owner: null });
    expect(item.actions).toEqual(['contact', 'amend', 'cancel']);
    expect(new Date(item.slaDueAt).getTime() - new Date(item.enteredAt).getTime()).toBe(8 * 3_600_000); // default address SLA
    expect(item.overdue).toBe(false);
    expect((await inQueue('address', abroad.id)).reasons).toEqual(['outside_delivery_area']);

    await http().patch(`/api/orders/${incomplete.id}`).set(test.auth).send({ shippingAddress: { province: '浙江省', city: '杭州市', line1: '文三路 100 号 3 单元 501' } }).expect(200);
    expect(await itemOf('address', incomplete.id)).toBeUndefined();
    await http().get(`/api/exception-queues/address/${incomplete.id}`).set(test.auth).expect(404);
  });

  it('payment: unpaid past the settings deadline and paid short are in the payment queue; a payment request is sent and noted', async () => {
    const late = await place(orderBody([{ sku, quantity: 1 }], { payment: { method: 'bank_transfer', status: 'pending' }, placedAt: new Date(Date.now() - 20 * 60_000).toISOString() }));
    const fresh = await place(orderBody([{ sku, quantity: 1 }], { payment: { method: 'bank_transfer', status: 'pending' } }));
    const short = await place(orderBody([{ sku, quantity: 2 }], { payment: { method: 'alipay', status: 'paid', amount: '10.00' } }));
    const unpaid = await inQueue('payment', late.id);
    expect(unpaid).toMatchObject({ reasons: ['unpaid_overdue'], actions: ['contact', 'paymentRequest', 'recordPayment', 'cancel'] });
    expect(new Date(unpaid.enteredAt).getTime()).toBeLessThan(Date.now() - 4 * 60_000); // the deadline (15 min after placing) passed ~5 min ago
    expect((await inQueue('payment', short.id)).reasons).toEqual(['amount_short']);
    await eventually(async () => ((await http().get(`/api/orders/${fresh.id}`).set(test.auth)).body.status === 'pending_payment' ? true : undefined));
    expect(await itemOf('payment', fresh.id)).toBeUndefined(); // within the 15 minutes

    const requested = (await http().post(`/api/exception-queues/payment/${late.id}/payment-request`).set(test.auth).expect(200)).body as Item;
    expect(requested).toMatchObject({ contacts: 1, lastContact: { channel: 'payment_request' } });
    const sent = (await http().get(`/api/notifications?reference=${late.number}`).set(test.auth).expect(200)).body.items as Array<{ event: string }>;
    expect(sent.filter((message) => message.event === 'payment-reminder').length).toBeGreaterThanOrEqual(1);
    // an order not in the payment queue gets no request
    await http().post(`/api/exception-queues/payment/${fresh.id}/payment-request`).set(test.auth).expect(404);

    await http().post(`/api/orders/${late.id}/payments`).set(test.auth).send({ amount: '19.90', reference: unique('PAY') }).expect(200);
    expect(await itemOf('payment', late.id)).toBeUndefined();
  });

  it('stock: a waiting order shows the SKU and shortfall, and an order held in exception that is also short carries them on its flag', async () => {
    const waiting = await place(orderBody([{ sku: empty, quantity: 3 }]));
    const item = await inQueue('stock', waiting.id);
    expect(item).toMatchObject({ reasons: ['awaiting_stock'], stock: { sku: empty, shortfall: 3, restockExpectedOn: null }, actions: ['contact', 'restockDate', 'allocate', 'cancel'] });
    const dated = (await http().post(`/api/exception-queues/stock/${waiting.id}/restock-date`).set(test.auth).send({ date: '2026-12-20' }).expect(200)).body as Item;
    expect(dated.stock?.restockExpectedOn).toBe('2026-12-20');

    const held = await place(orderBody([{ sku: empty, quantity: 2 }], { shippingAddress: { province: '浙江省', city: '', line1: '文三路 100 号' } }));
    const heldItem = await inQueue('stock', held.id);
    expect(heldItem).toMatchObject({ reasons: ['held_short'], stock: { sku: empty, shortfall: 2 }, order: { status: 'exception' } });
    const order = (await http().get(`/api/orders/${held.id}`).set(test.auth).expect(200)).body as { flags: Array<{ code: string; sku?: string; shortfall?: number }> };
    expect(order.flags.find((flag) => flag.code === 'out_of_stock')).toMatchObject({ sku: empty, shortfall: 2, shortages: [{ sku: empty, needed: 2, available: 0, shortfall: 2 }] });
    expect((await itemOf('address', held.id))?.reasons).toEqual(['address_incomplete']); // in both: the address and the stock need work

    await http().post(`/api/orders/${waiting.id}/cancel`).set(test.auth).send({ reason: 'customer agreed to cancel' }).expect(200);
    expect(await itemOf('stock', waiting.id)).toBeUndefined();
  });

  it('logistics: a delivery exception and stale tracking are in the logistics queue, a carrier-reported wrong address in the address queue; resolving the alert takes it out', async () => {
    const { order } = await shippedOrder(test.app, test.auth, [1]);
    const tracking = order.shipments[0].trackingNumber as string;
    const event = (at: Date, status: string, description: string) => ({ at: at.toISOString(), status, description });
    await http().post('/api/carriers/sf/events').set(test.auth).send({ trackingNumber: tracking, events: [event(new Date(Date.now() - 60_000), 'exception', '收件人拒收')] }).expect(200);
    const delivery = await eventually(async () => (await queue('logistics')).items.find((item) => item.order.id === order.id && item.reasons[0] === 'delivery_exception'));
    expect(delivery).toMatchObject({ shipment: { trackingNumber: tracking }, actions: ['contact', 'resolveAlert'] });

    await http().post('/api/carriers/sf/events').set(test.auth).send({ trackingNumber: tracking, events: [event(new Date(Date.now() - 30_000), 'exception', '地址错误，无法派送')] }).expect(200);
    const wrongAddress = (await queue('address')).items.find((item) => item.order.id === order.id);
    expect(wrongAddress).toMatchObject({ reasons: ['carrier_address'], actions: ['contact', 'resolveAlert'] });

    await http().post(`/api/logistics-alerts/${delivery.ref}/resolve`).set(test.auth).expect(200);
    expect((await queue('logistics')).items.find((item) => item.ref === delivery.ref)).toBeUndefined();

    // tracking quiet for longer than the setting: stale
    const quiet = await shippedOrder(test.app, test.auth, [1]);
    await http().post('/api/carriers/sf/events').set(test.auth).send({ trackingNumber: quiet.order.shipments[0].trackingNumber, events: [event(new Date(Date.now() - 3 * 3_600_000), 'in_transit', '运输中')] }).expect(200);
    await http().put('/api/settings').set(test.auth).send({ alertThresholds: { staleTrackingHours: 2 } }).expect(200);
    try {
      const stale = (await queue('logistics')).items.find((item) => item.order.id === quiet.order.id);
      expect(stale).toMatchObject({ ref: `stale:${quiet.order.shipments[0].id}`, reasons: ['stale_tracking'], actions: ['contact'] });
      // raised when the quiet time ran out: an hour ago
      expect(stale!.ageMinutes).toBeGreaterThanOrEqual(59);
      const noted = (await http().post(`/api/exception-queues/logistics/${stale!.ref}/contacts`).set(test.auth).send({ channel: 'carrier', note: '已联系顺丰查件' }).expect(200)).body as Item;
      expect(noted.lastContact).toMatchObject({ channel: 'carrier', note: '已联系顺丰查件' });
    } finally {
      await http().put('/api/settings').set(test.auth).send({ alertThresholds: { staleTrackingHours: 48 } }).expect(200);
    }
  });

  it('owner: claim, assign to another operator, release; a claim of an item someone else owns is 409; counts per queue', async () => {
    const order = await place(orderBody([{ sku, quantity: 1 }], { shippingAddress: { province: '浙江省', city: '杭州市', line1: 'x' } }));
    await inQueue('address', order.id);
    const operator = await userWithRoles(test.app, 'operator');
    const other = await userWithRoles(test.app, 'operator');

    const claimed = (await http().post(`/api/exception-queues/address/${order.id}/claim`).set(operator.auth).expect(200)).body as Item;
    expect(claimed.owner).toEqual({ id: operator.id, name: operator.email });
    expect((await http().get('/api/exception-queues/address?owner=me').set(operator.auth).expect(200)).body.items.map((item: Item) => item.ref)).toEqual([order.id]);
    await http().post(`/api/exception-queues/address/${order.id}/claim`).set(other.auth).expect(409);
    await http().post(`/api/exception-queues/address/${order.id}/claim`).set(operator.auth).expect(200); // own claim again: fine

    const given = (await http().post(`/api/exception-queues/address/${order.id}/assign`).set(test.auth).send({ owner: other.id }).expect(200)).body as Item;
    expect(given.owner?.id).toBe(other.id);
    expect((await queue('address', `&owner=${other.id}`)).items.map((item) => item.ref)).toEqual([order.id]);
    const released = (await http().post(`/api/exception-queues/address/${order.id}/assign`).set(test.auth).send({ owner: null }).expect(200)).body as Item;
    expect(released.owner).toBeNull();
    expect((await queue('address', '&owner=none')).items.map((item) => item.ref)).toContain(order.id);

    const noted = (await http().post(`/api/exception-queues/address/${order.id}/contacts`).set(operator.auth).send({ channel: 'phone', note: '已电话联系客户，等待回复' }).expect(200)).body as Item;
    expect(noted).toMatchObject({ contacts: 1, lastContact: { channel: 'phone', note: '已电话联系客户，等待回复', by: operator.email } });

    const { queues } = (await http().get('/api/exception-queues').set(test.auth).expect(200)).body as { queues: Array<{ kind: string; count: number; overdue: number; unassigned: number }> };
    expect(queues.map((row) => row.kind)).toEqual(['payment', 'address', 'stock', 'logistics']);
    const address = queues.find((row) => row.kind === 'address')!;
    expect(address.count).toBe((await queue('address')).total);
    expect(address.unassigned).toBe((await queue('address', '&owner=none')).total);
  });

  it('permissions: reading needs orders.read, working orders.write (403 otherwise)', async () => {
    const order = await place(orderBody([{ sku, quantity: 1 }], { shippingAddress: { province: '浙江省', city: '杭州市', line1: '' } }));
    await inQueue('address', order.id);
    const finance = await userWithRoles(test.app, 'finance'); // orders.read, not orders.write
    await http().get('/api/exception-queues').set(finance.auth).expect(200);
    await http().get('/api/exception-queues/address').set(finance.auth).expect(200);
    await http().post(`/api/exception-queues/address/${order.id}/claim`).set(finance.auth).expect(403);
    await http().post(`/api/exception-queues/address/${order.id}/assign`).set(finance.auth).send({ owner: finance.id }).expect(403);
    await http().post(`/api/exception-queues/address/${order.id}/contacts`).set(finance.auth).send({ channel: 'phone', note: 'x' }).expect(403);
    await http().post('/api/roles').set(test.auth).send({ name: unique('catalogue').toLowerCase().slice(0, 40), description: 'catalogue only', permissions: ['catalog.read'] }).expect(201)
      .then(async ({ body }) => {
        const reader = await userWithRoles(test.app, body.name);
        await http().get('/api/exception-queues').set(reader.auth).expect(403);
        await http().get('/api/exception-queues/address').set(reader.auth).expect(403);
      });
    await http().get('/api/exception-queues').expect(401);
    expect((await itemOf('address', order.id))?.owner).toBeNull(); // nothing changed
  });

  it('bad input: unknown queue or item 404, bad fields 422, and nothing changes', async () => {
    const order = await place(orderBody([{ sku, quantity: 1 }], { shippingAddress: { province: '浙江省', city: '杭州市', line1: '' } }));
    await inQueue('address', order.id);
    const finance = await userWithRoles(test.app, 'finance');
    const expectError = async (request: Promise<{ status: number; body: { error: { code: string } } }>, status: number, code: string) => {
      const response = await request;
      expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
    };
    await expectError(http().get('/api/exception-queues/refunds').set(test.auth), 404, 'not_found');
    await expectError(http().get('/api/exception-queues/address/not-a-ref').set(test.auth), 404, 'not_found');
    await expectError(http().post(`/api/exception-queues/stock/${order.id}/claim`).set(test.auth), 404, 'not_found'); // not in that queue
    await expectError(http().post('/api/exception-queues/address/00000000-0000-4000-8000-000000000000/claim').set(test.auth), 404, 'not_found');
    await expectError(http().get('/api/exception-queues/address?owner=somebody').set(test.auth), 422, 'validation_failed');
    await expectError(http().get('/api/exception-queues/address?reason=late').set(test.auth), 422, 'validation_failed');
    await expectError(http().get('/api/exception-queues/address?pageSize=0').set(test.auth), 422, 'validation_failed');
    await expectError(http().post(`/api/exception-queues/address/${order.id}/assign`).set(test.auth).send({}), 422, 'validation_failed');
    await expectError(http().post(`/api/exception-queues/address/${order.id}/assign`).set(test.auth).send({ owner: '00000000-0000-4000-8000-000000000000' }), 422, 'validation_failed');
    await expectError(http().post(`/api/exception-queues/address/${order.id}/assign`).set(test.auth).send({ owner: finance.id }), 422, 'validation_failed'); // may not work orders
    await expectError(http().post(`/api/exception-queues/address/${order.id}/assign`).set(test.auth).send({ owner: null, extra: 1 }), 422, 'validation_failed');
    await expectError(http().post(`/api/exception-queues/address/${order.id}/contacts`).set(test.auth).send({ channel: 'phone', note: '   ' }), 422, 'validation_failed');
    await expectError(http().post(`/api/exception-queues/address/${order.id}/contacts`).set(test.auth).send({ channel: 'pigeon', note: 'sent a bird' }), 422, 'validation_failed');
    await expectError(http().post(`/api/exception-queues/address/${order.id}/contacts`).set(test.auth).send({ channel: 'phone', note: 'x'.repeat(501) }), 422, 'validation_failed');
    await expectError(http().post(`/api/exception-queues/stock/${order.id}/restock-date`).set(test.auth).send({ date: '2026-02-30' }), 422, 'validation_failed');
    const item = await itemOf('address', order.id);
    expect(item).toMatchObject({ owner: null, contacts: 0 });
  });
});

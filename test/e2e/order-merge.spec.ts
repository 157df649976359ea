import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

type Shipment = { id: string; warehouse: string; status: string; trackingNumber: string | null; mergedInto: string | null; lines: Array<{ sku: string; quantity: number }> };
type Order = { id: string; number: string; status: string; shipments: Shipment[]; history: Array<{ note: string | null }> };

/** Issue 5 item 5: orders of one customer and address, not yet picked, leave as one parcel (on request and by a rule). */
describe('order merge', () => {
  const test = useTestApp();

  const getOrder = async (id: string): Promise<Order> => (await test.app.http.get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const awaitingShipment = (id: string) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === 'awaiting_shipment' ? order : undefined;
    }, { what: `order ${id} to await shipment` });
  const customer = (phone: string) => ({ customer: { name: '李四', phone, email: 'lisi@example.com' } });
  const place = async (sku: string, quantity: number, overrides: Record<string, unknown>) =>
    awaitingShipment((await test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity }], overrides)).expect(201)).body.id);
  const level = async (sku: string, warehouse: string) => (await test.app.http.get(`/api/inventory?sku=${sku}&warehouse=${warehouse}`).set(test.auth).expect(200)).body.items[0];

  it('on request: one parcel is picked, packed and shipped for both orders; both are delivered by its tracking events', async () => {
    const [a, b] = [unique('MA'), unique('MB')];
    const { warehouse } = await stockedCatalogue(test.app, await test.app.login(), { [a]: 5, [b]: 5 });
    const phone = '13900001111';
    const first = await place(a, 2, customer(phone));
    // the same address written with other spacing, and the phone with +86, is the same destination
    const second = await place(b, 1, { ...customer(`+86 ${phone}`), shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路100号 3单元501' } });

    const merged = (await test.app.http.post('/api/orders/merge').set(test.auth).send({ orders: [first.number, second.id] }).expect(200)).body;
    expect(merged.parcels).toHaveLength(1);
    const lead = merged.parcels[0];
    expect(lead.id).toBe(first.shipments[0].id);
    expect(lead.parcel.map((p: { orderNumber: string; lines: unknown }) => [p.orderNumber, p.lines])).toEqual([
      [first.number, [{ sku: a, quantity: 2 }]],
      [second.number, [{ sku: b, quantity: 1 }]],
    ]);
    const child = (await getOrder(second.id)).shipments[0];
    expect(child).toMatchObject({ status: 'allocated', mergedInto: lead.id });
    expect((await getOrder(second.id)).history.at(-1)?.note).toBe(`merged with ${first.number}: one parcel from ${warehouse}`);

    const pickList = (await test.app.http.post('/api/pick-lists').set(test.auth).send({ warehouse, maxShipments: 1 }).expect(201)).body;
    expect(pickList.shipments.map((s: { id: string }) => s.id).sort()).toEqual([lead.id, child.id].sort());
    expect(pickList.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity]).sort()).toEqual([[a, 2], [b, 1]].sort());

    expect((await test.app.http.post(`/api/shipments/${child.id}/pack`).set(test.auth).expect(409)).body.error.message).toContain(`merged into shipment ${lead.id}`);
    await test.app.http.post(`/api/shipments/${lead.id}/pack`).set(test.auth).expect(200);
    expect((await getOrder(second.id)).shipments[0].status).toBe('packed');
    await test.app.http.post(`/api/shipments/${child.id}/ship`).set(test.auth).send({ carrier: 'sf', trackingNumber: 'SF4400000001' }).expect(409);
    await test.app.http.post(`/api/shipments/${lead.id}/ship`).set(test.auth).send({ carrier: 'sf', trackingNumber: 'SF4400000001' }).expect(200);
    for (const order of [await getOrder(first.id), await getOrder(second.id)]) {
      expect(order).toMatchObject({ status: 'shipped', shipments: [expect.objectContaining({ status: 'shipped', trackingNumber: 'SF4400000001' })] });
    }
    expect(await level(a, warehouse)).toMatchObject({ onHand: 3, reserved: 0 });
    expect(await level(b, warehouse)).toMatchObject({ onHand: 4, reserved: 0 });

    await test.app.http.post('/api/carriers/sf/events').set(test.auth).send({ trackingNumber: 'SF4400000001', events: [{ at: new Date().toISOString(), status: 'delivered' }] }).expect(200);
    for (const id of [first.id, second.id]) {
      await eventually(async () => ((await getOrder(id)).status === 'delivered' ? true : undefined), { what: `order ${id} delivered` });
    }
  });

  it('refuses other customers or addresses (422), orders in picking or not allocated (409), fewer than two orders (422); nothing changes', async () => {
    const sku = unique('MR');
    const { warehouse } = await stockedCatalogue(test.app, await test.app.login(), { [sku]: 20 });
    const one = await place(sku, 1, customer('13900002222'));
    const otherCustomer = await place(sku, 1, customer('13900003333'));
    const otherAddress = await place(sku, 1, { ...customer('13900002222'), shippingAddress: { province: '江苏省', city: '南京市', line1: '中山路 1 号' } });

    const different = (await test.app.http.post('/api/orders/merge').set(test.auth).send({ orders: [one.id, otherCustomer.id, otherAddress.id] }).expect(422)).body.error;
    expect(different.details).toEqual([
      { path: 'orders[1]', message: expect.stringContaining('another customer or address') },
      { path: 'orders[2]', message: expect.stringContaining('another customer or address') },
    ]);
    await test.app.http.post('/api/orders/merge').set(test.auth).send({ orders: [one.id, one.number] }).expect(422);
    await test.app.http.post('/api/orders/merge').set(test.auth).send({ orders: [one.id] }).expect(422);
    await test.app.http.post('/api/orders/merge').set(test.auth).send({}).expect(422);
    await test.app.http.post('/api/orders/merge').set(test.auth).send({ orders: [one.id, 'SO000000000000'] }).expect(404);

    const cancelled = await place(sku, 1, customer('13900002222'));
    await test.app.http.post(`/api/orders/${cancelled.id}/cancel`).set(test.auth).send({ reason: 'test' }).expect(200);
    expect((await test.app.http.post('/api/orders/merge').set(test.auth).send({ orders: [one.id, cancelled.id] }).expect(409)).body.error.message).toContain('cancelled');

    const picked = await place(sku, 1, customer('13900002222'));
    await test.app.http.post('/api/pick-lists').set(test.auth).send({ warehouse, maxShipments: 20 }).expect(201);
    const late = await place(sku, 1, customer('13900002222'));
    expect((await test.app.http.post('/api/orders/merge').set(test.auth).send({ orders: [late.id, picked.id] }).expect(409)).body.error.message).toContain('before picking');
    expect((await getOrder(late.id)).shipments[0].mergedInto).toBeNull();
  });

  it('by the rule in settings: a new order of the same customer and address joins the unpicked parcel; cancelling the lead order hands the parcel on', async () => {
    await test.app.http.put('/api/settings').set(test.auth).send({ orderMerge: { automatic: true } }).expect(200);
    try {
      const sku = unique('MRULE');
      await stockedCatalogue(test.app, await test.app.login(), { [sku]: 10 });
      const first = await place(sku, 1, customer('13900004444'));
      const second = await place(sku, 2, customer('13900004444'));
      const stranger = await place(sku, 1, customer('13900005555'));
      expect((await getOrder(second.id)).shipments[0].mergedInto).toBe(first.shipments[0].id);
      expect((await getOrder(second.id)).history.some((entry) => entry.note === `merged with ${first.number} by the merge rule: one parcel`)).toBe(true);
      expect((await getOrder(stranger.id)).shipments[0].mergedInto).toBeNull();

      await test.app.http.post(`/api/orders/${first.id}/cancel`).set(test.auth).send({ reason: 'customer cancelled' }).expect(200);
      const rest = await getOrder(second.id);
      expect(rest.shipments[0]).toMatchObject({ status: 'allocated', mergedInto: null });
      await test.app.http.post(`/api/shipments/${rest.shipments[0].id}/ship`).set(test.auth).send({ carrier: 'yto', trackingNumber: 'YT4400000002' }).expect(200);
      expect((await getOrder(second.id)).status).toBe('shipped');
    } finally {
      await test.app.http.put('/api/settings').set(test.auth).send({ orderMerge: { automatic: false } }).expect(200);
    }
  });
});

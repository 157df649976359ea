import { DataSource } from 'typeorm';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually, startTestApp, type TestApp } from '../helpers/test-app';

type Shipment = {
  id: string;
  status: string;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  events: Array<{ at: string; status: string; location: string | null; description: string | null }>;
};
type Order = {
  id: string;
  number: string;
  status: string;
  shipments: Shipment[];
  history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>;
  processInstanceId: string;
};
type Instance = { status: string; waitingAt: Array<{ elementId: string; messageName?: string }>; activity: Array<{ elementId: string; leftAt: string | null }> };

/** API.md "Warehouse and shipping" carrier events, G1.5 tracking and logistics alerts, G1.6 completion, on the real PostgreSQL. */
describe('tracking, delivery and completion', () => {
  let app: TestApp;
  let token: string;
  let auth: Record<string, string>;
  let db: DataSource;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
    db = app.running.app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
  });

  const getOrder = async (id: string): Promise<Order> => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
  const waitFor = (id: string, status: string) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === status ? order : undefined;
    }, { what: `order ${id} to be ${status}` });
  const instance = async (id: string): Promise<Instance> => (await app.http.get(`/api/process-instances/${id}`).set(auth).expect(200)).body;
  const waitingAt = (id: string, elementId: string) =>
    eventually(async () => {
      const body = await instance(id);
      return body.status === 'waiting' && body.waitingAt.some((wait) => wait.elementId === elementId) ? body : undefined;
    }, { what: `instance ${id} to wait at ${elementId}` });
  const completedInstance = (id: string) =>
    eventually(async () => {
      const body = await instance(id);
      return body.status === 'completed' ? body : undefined;
    }, { what: `instance ${id} to complete` });
  const postEvents = (carrier: string, body: unknown) => app.http.post(`/api/carriers/${carrier}/events`).set(auth).send(body as object);

  /** A paid order, shipped with the one-step confirmation under a fresh tracking number. */
  const shippedOrder = async (carrier = 'sf') => {
    const sku = unique('TRK');
    await stockedCatalogue(app, token, { [sku]: 10 });
    const created = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body as Order;
    await waitFor(created.id, 'awaiting_shipment');
    const trackingNumber = `${carrier.toUpperCase()}${Date.now()}${Math.floor(Math.random() * 1000)}`.slice(0, 30);
    const shipped = (await app.http.post(`/api/orders/${created.id}/shipments`).set(auth).send({ carrier, trackingNumber }).expect(200)).body as Order;
    expect(shipped.status).toBe('shipped');
    return { order: shipped, trackingNumber };
  };

  it('carrier events move the shipment, show on the order once each, deliver the order; confirm-receipt completes it and its process', async () => {
    const { order, trackingNumber } = await shippedOrder('sf');
    // after shipping, the process waits for the delivery, not at its end
    const afterShipping = await waitingAt(order.processInstanceId, 'Event_OrderDelivered');
    expect(afterShipping.waitingAt).toEqual([expect.objectContaining({ elementId: 'Event_OrderDelivered', messageName: 'OrderDelivered' })]);
    expect(order.shipments[0].trackingUrl).toContain(encodeURIComponent(trackingNumber));

    const first = { at: '2026-11-26T10:00:00+08:00', status: 'in_transit', location: '上海转运中心', description: '快件已揽收' };
    const second = { at: '2026-11-26T20:00:00+08:00', status: 'out_for_delivery', location: '杭州西湖区营业部' };
    // sent out of order: the view sorts by time
    expect((await postEvents('sf', { trackingNumber, events: [second, first] }).expect(200)).body).toEqual({ accepted: 2, duplicates: 0 });
    let view = await getOrder(order.id);
    expect(view.status).toBe('shipped');
    expect(view.shipments[0].status).toBe('in_transit');
    expect(view.shipments[0].events).toEqual([
      { at: '2026-11-26T02:00:00.000Z', status: 'in_transit', location: '上海转运中心', description: '快件已揽收' },
      { at: '2026-11-26T12:00:00.000Z', status: 'out_for_delivery', location: '杭州西湖区营业部', description: null },
    ]);

    // the same events again (one written with another offset for the same instant) are stored once
    const again = { ...first, at: '2026-11-26T02:00:00Z' };
    expect((await postEvents('sf', { trackingNumber, events: [again, second] }).expect(200)).body).toEqual({ accepted: 0, duplicates: 2 });
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM shipment_event WHERE shipment_id = $1`, [view.shipments[0].id]);
    expect(count).toBe(2);

    const delivered = { at: '2026-11-27T09:15:00+08:00', status: 'delivered', location: '杭州西湖区', description: '已签收' };
    expect((await postEvents('sf', { trackingNumber, events: [delivered] }).expect(200)).body).toEqual({ accepted: 1, duplicates: 0 });
    view = await getOrder(order.id);
    expect(view.status).toBe('delivered');
    expect(view.shipments[0]).toMatchObject({ status: 'delivered' });
    expect(view.shipments[0].events).toHaveLength(3);
    expect(view.history.at(-1)).toMatchObject({ from: 'shipped', to: 'delivered', by: ADMIN_EMAIL, note: expect.stringContaining(trackingNumber) });
    const awaitingReceipt = await waitingAt(order.processInstanceId, 'Task_AwaitReceipt');
    expect(awaitingReceipt.waitingAt.map((wait) => wait.elementId).sort()).toEqual(['Task_AwaitReceipt', 'Timer_DeemedReceived']);
    expect(awaitingReceipt.waitingAt.find((wait) => wait.elementId === 'Task_AwaitReceipt')).toMatchObject({ messageName: 'ReceiptConfirmed' });
    const [timer] = await db.query(`SELECT run_at FROM workflow_job WHERE instance_id = $1 AND kind = 'timer' AND status = 'pending'`, [order.processInstanceId]);
    const days = (new Date(timer.run_at).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    // delivered again changes nothing
    expect((await postEvents('sf', { trackingNumber, events: [delivered] }).expect(200)).body).toEqual({ accepted: 0, duplicates: 1 });

    const confirmed = (await app.http.post(`/api/orders/${order.id}/confirm-receipt`).set(auth).expect(200)).body as Order;
    expect(confirmed.status).toBe('completed');
    expect(confirmed.history.at(-1)).toMatchObject({ from: 'delivered', to: 'completed', by: ADMIN_EMAIL, note: 'receipt confirmed' });
    const done = await completedInstance(order.processInstanceId);
    const elements = done.activity.map((a) => a.elementId);
    // (the boundary timer is entered with the receive task and discarded with it)
    expect(elements.filter((id) => id !== 'Timer_DeemedReceived').slice(-4)).toEqual(['Event_OrderShipped', 'Event_OrderDelivered', 'Task_AwaitReceipt', 'End_Shipped']);
    expect(elements).not.toContain('Task_CompleteOrder');
    expect(elements).not.toContain('End_DeemedReceived');
    const [{ pending }] = await db.query(`SELECT count(*)::int AS pending FROM workflow_job WHERE instance_id = $1 AND status = 'pending'`, [order.processInstanceId]);
    expect(pending).toBe(0); // the 7-day timer went with the receive task

    const twice = await app.http.post(`/api/orders/${order.id}/confirm-receipt`).set(auth).expect(409);
    expect(twice.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('completed') });
  });

  it('delivered and not confirmed for 7 days: the timer completes the order as "deemed received"', async () => {
    const { order, trackingNumber } = await shippedOrder('zto');
    await postEvents('zto', { trackingNumber, events: [{ at: new Date().toISOString(), status: 'delivered', location: '杭州' }] }).expect(200);
    expect((await getOrder(order.id)).status).toBe('delivered');
    await waitingAt(order.processInstanceId, 'Task_AwaitReceipt');

    await db.query(`UPDATE workflow_job SET run_at = now() WHERE instance_id = $1 AND kind = 'timer' AND status = 'pending'`, [order.processInstanceId]); // 7 days pass
    const done = await completedInstance(order.processInstanceId);
    expect(done.activity.map((a) => a.elementId).slice(-4)).toEqual(['Task_AwaitReceipt', 'Timer_DeemedReceived', 'Task_CompleteOrder', 'End_DeemedReceived']);
    const completed = await getOrder(order.id);
    expect(completed.status).toBe('completed');
    expect(completed.history.at(-1)).toMatchObject({ from: 'delivered', to: 'completed', by: 'system', note: 'deemed received' });
    await app.http.post(`/api/orders/${order.id}/confirm-receipt`).set(auth).expect(409);
  });

  it('confirm-receipt of a shipped order (no delivery reported) completes the order and its process', async () => {
    const { order, trackingNumber } = await shippedOrder('yto');
    const confirmed = (await app.http.post(`/api/orders/${order.number}/confirm-receipt`).set(auth).expect(200)).body as Order;
    expect(confirmed).toMatchObject({ status: 'completed' });
    expect(confirmed.history.at(-1)).toMatchObject({ from: 'shipped', to: 'completed' });
    const done = await completedInstance(order.processInstanceId);
    expect(done.activity.map((a) => a.elementId).filter((id) => id !== 'Timer_DeemedReceived').slice(-3)).toEqual(['Event_OrderDelivered', 'Task_AwaitReceipt', 'End_Shipped']);
    // the carrier's late delivered event is stored, the order stays completed
    expect((await postEvents('yto', { trackingNumber, events: [{ at: new Date().toISOString(), status: 'delivered' }] }).expect(200)).body).toEqual({ accepted: 1, duplicates: 0 });
    expect((await getOrder(order.id)).status).toBe('completed');
  });

  it('confirm-receipt before shipment is 409 naming the status; an unknown order is 404', async () => {
    const sku = unique('TRK');
    await stockedCatalogue(app, token, { [sku]: 5 });
    const created = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body as Order;
    const ready = await waitFor(created.id, 'awaiting_shipment');
    const response = await app.http.post(`/api/orders/${ready.id}/confirm-receipt`).set(auth).expect(409);
    expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('awaiting_shipment') });
    expect((await getOrder(ready.id)).status).toBe('awaiting_shipment');
    expect((await app.http.post('/api/orders/SO000000000000/confirm-receipt').set(auth).expect(404)).body.error.code).toBe('not_found');
  });

  it('an unknown carrier is 422, an unknown tracking number 404, an unknown event status 422; nothing is stored', async () => {
    const { order, trackingNumber } = await shippedOrder('sf');
    const event = { at: '2026-11-26T10:00:00+08:00', status: 'in_transit' };
    const carrier = await postEvents('ups', { trackingNumber, events: [event] }).expect(422);
    expect(carrier.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'carrier' })] });
    expect((await postEvents('sf', { trackingNumber: 'SF000NOSUCH0001', events: [event] }).expect(404)).body.error.code).toBe('not_found');
    // the right number under another carrier is no parcel of that carrier
    expect((await postEvents('zto', { trackingNumber, events: [event] }).expect(404)).body.error.code).toBe('not_found');
    const status = await postEvents('sf', { trackingNumber, events: [event, { ...event, status: 'teleported' }] }).expect(422);
    expect(status.body.error.details).toEqual([expect.objectContaining({ path: 'events[1].status' })]);
    for (const body of [
      { trackingNumber, events: [] },
      { trackingNumber, events: [{ status: 'in_transit' }] },
      { trackingNumber, events: [{ ...event, at: 'yesterday' }] },
      { trackingNumber, events: [{ ...event, at: '2026-11-26T10:00:00' }] }, // no offset
      { trackingNumber, events: [event], extra: true },
      { events: [event] },
    ]) {
      expect((await postEvents('sf', body).expect(422)).body.error.code).toBe('validation_failed');
    }
    const view = await getOrder(order.id);
    expect(view.shipments[0]).toMatchObject({ status: 'shipped', events: [] });
    await app.http.post(`/api/carriers/sf/events`).send({ trackingNumber, events: [event] }).expect(401);
  });

  it('an exception about the address raises an address_problem alert, others a delivery_exception; delivery resolves them', async () => {
    const { order, trackingNumber } = await shippedOrder('sto');
    await postEvents('sto', {
      trackingNumber,
      events: [
        { at: '2026-11-26T10:00:00+08:00', status: 'in_transit', location: '上海' },
        { at: '2026-11-27T10:00:00+08:00', status: 'exception', location: '杭州', description: '收件地址不详，无法派送' },
      ],
    }).expect(200);
    const view = await getOrder(order.id);
    expect(view.shipments[0].status).toBe('exception');
    const open = (await app.http.get('/api/logistics-alerts?status=open&pageSize=200').set(auth).expect(200)).body;
    const mine = open.items.filter((alert: { orderId: string }) => alert.orderId === order.id);
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'address_problem', orderNumber: order.number, carrier: 'sto', trackingNumber, message: expect.stringContaining('地址'), resolvedAt: null }),
    ]);
    // the same problem again does not pile up; another kind of exception is its own alert
    await postEvents('sto', { trackingNumber, events: [{ at: '2026-11-27T11:00:00+08:00', status: 'exception', description: 'wrong address, customer unreachable' }] }).expect(200);
    await postEvents('sto', { trackingNumber, events: [{ at: '2026-11-27T12:00:00+08:00', status: 'exception', description: '包裹破损' }] }).expect(200);
    const after = (await app.http.get('/api/logistics-alerts').set(auth).expect(200)).body.items.filter((alert: { orderId: string }) => alert.orderId === order.id);
    expect(after.map((alert: { kind: string }) => alert.kind).sort()).toEqual(['address_problem', 'delivery_exception']);

    // in transit again, then delivered: the order is delivered and its alerts are resolved
    await postEvents('sto', { trackingNumber, events: [{ at: '2026-11-28T09:00:00+08:00', status: 'in_transit' }] }).expect(200);
    expect((await getOrder(order.id)).shipments[0].status).toBe('in_transit');
    await postEvents('sto', { trackingNumber, events: [{ at: '2026-11-28T15:00:00+08:00', status: 'delivered' }] }).expect(200);
    expect((await getOrder(order.id)).status).toBe('delivered');
    const stillOpen = (await app.http.get('/api/logistics-alerts?status=open').set(auth).expect(200)).body.items;
    expect(stillOpen.filter((alert: { orderId: string }) => alert.orderId === order.id)).toEqual([]);
    const resolved = (await app.http.get('/api/logistics-alerts?status=resolved').set(auth).expect(200)).body.items;
    expect(resolved.filter((alert: { orderId: string }) => alert.orderId === order.id)).toHaveLength(2);
    expect((await app.http.get('/api/logistics-alerts?status=closed').set(auth).expect(422)).body.error.code).toBe('validation_failed');
  });

  it('a shipment without a tracking update for 48 hours is listed as stale_tracking; a person resolves a stored alert', async () => {
    const { order, trackingNumber } = await shippedOrder('yunda');
    const stale = async () =>
      (await app.http.get('/api/logistics-alerts?status=open&pageSize=200').set(auth).expect(200)).body.items.filter(
        (alert: { orderId: string; kind: string }) => alert.orderId === order.id && alert.kind === 'stale_tracking',
      );
    expect(await stale()).toEqual([]);
    await db.query(`UPDATE shipment SET shipped_at = now() - interval '49 hours' WHERE order_id = $1`, [order.id]);
    expect(await stale()).toEqual([expect.objectContaining({ id: expect.stringMatching(/^stale:/), trackingNumber, message: expect.stringContaining('48 hours') })]);
    // an event 47 hours old is recent enough
    await postEvents('yunda', { trackingNumber, events: [{ at: new Date(Date.now() - 47 * 3_600_000).toISOString(), status: 'in_transit' }] }).expect(200);
    expect(await stale()).toEqual([]);

    await postEvents('yunda', { trackingNumber, events: [{ at: new Date().toISOString(), status: 'exception', description: '快递员联系不上收件人' }] }).expect(200);
    const [alert] = (await app.http.get('/api/logistics-alerts').set(auth).expect(200)).body.items.filter((a: { orderId: string }) => a.orderId === order.id);
    expect(alert).toMatchObject({ kind: 'delivery_exception' });
    const resolved = (await app.http.post(`/api/logistics-alerts/${alert.id}/resolve`).set(auth).expect(200)).body;
    expect(resolved).toMatchObject({ id: alert.id, resolvedAt: expect.any(String) });
    await app.http.post('/api/logistics-alerts/00000000-0000-0000-0000-000000000000/resolve').set(auth).expect(404);
  });

  it('the simulated carrier reports a parcel\'s journey through the same path, up to delivered', async () => {
    const { order, trackingNumber } = await shippedOrder('jd');
    expect((await app.http.post('/api/carriers/simulated/advance').set(auth).send({ trackingNumber }).expect(200)).body).toEqual({ accepted: 0, duplicates: 0 });
    expect((await app.http.post('/api/carriers/simulated/advance').set(auth).send({ trackingNumber, toDelivered: true }).expect(200)).body).toEqual({ accepted: 4, duplicates: 0 });
    const view = await getOrder(order.id);
    expect(view.status).toBe('delivered');
    expect(view.shipments[0].events.map((e) => e.status)).toEqual(['in_transit', 'in_transit', 'out_for_delivery', 'delivered']);
    expect((await app.http.post('/api/carriers/simulated/advance').set(auth).send({ trackingNumber, toDelivered: true }).expect(200)).body).toEqual({ accepted: 0, duplicates: 4 });
  });
});

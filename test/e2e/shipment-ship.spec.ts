import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

/** API.md "Warehouse and shipping": POST /api/shipments/{id}/ship {carrier, trackingNumber} → shipped. */
describe('shipping a packed shipment', () => {
  let app: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    const token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
  });
  afterAll(async () => app?.close());

  it('ships the shipment and its order, stock leaves the warehouse; repeats are 409, bad input 422, unknown 404', async () => {
    const sku = unique('SHIP');
    const { warehouse } = await stockedCatalogue(app, await app.login(), { [sku]: 10 });
    const created = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 3 }])).expect(201)).body;
    const order = await eventually(async () => {
      const body = (await app.http.get(`/api/orders/${created.id}`).set(auth).expect(200)).body;
      return body.status === 'awaiting_shipment' ? body : undefined;
    });
    const shipmentId = order.shipments[0].id;
    await app.http.post(`/api/shipments/${shipmentId}/pack`).set(auth).expect(200);

    expect((await app.http.post(`/api/shipments/${shipmentId}/ship`).set(auth).send({ carrier: 'ups', trackingNumber: 'UPS1234567' }).expect(422)).body.error.details[0].path).toBe('carrier');
    const shipped = (await app.http.post(`/api/shipments/${shipmentId}/ship`).set(auth).send({ carrier: 'zto', trackingNumber: 'ZTO7700112233' }).expect(200)).body;
    expect(shipped).toMatchObject({ id: shipmentId, status: 'shipped', carrier: 'zto', trackingNumber: 'ZTO7700112233', lines: [{ sku, quantity: 3 }] });
    expect((await app.http.get(`/api/orders/${created.id}`).set(auth).expect(200)).body).toMatchObject({ status: 'shipped', lines: [expect.objectContaining({ shipped: 3 })] });
    const level = (await app.http.get(`/api/inventory?sku=${sku}&warehouse=${warehouse}`).set(auth).expect(200)).body.items[0];
    expect(level).toMatchObject({ onHand: 7, reserved: 0, available: 7 });

    expect((await app.http.post(`/api/shipments/${shipmentId}/ship`).set(auth).send({ carrier: 'zto', trackingNumber: 'ZTO7700112233' }).expect(409)).body.error).toMatchObject({
      code: 'invalid_state',
      message: expect.stringContaining('shipped'),
    });
    await app.http.post('/api/shipments/00000000-0000-0000-0000-000000000000/ship').set(auth).send({ carrier: 'sf', trackingNumber: 'SF1234567890' }).expect(404);
  });
});

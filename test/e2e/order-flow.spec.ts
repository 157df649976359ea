import { parseMessage, startSmtpCapture } from '../helpers/smtp-capture';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

describe('an order through the order-fulfillment diagram (issue 3 acceptance)', () => {
  let app: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  let token: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    app = await startTestApp({ env: { SMTP_URL: smtp.url } });
    token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  const getOrder = async (id: string) => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
  const waitForStatus = (id: string, status: string) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === status ? order : undefined;
    }, { what: `order ${id} to be ${status}` });

  it('a paid order for stocked SKUs reaches awaiting_shipment, reserves stock, sends the confirmation and waits for shipment', async () => {
    const skuA = unique('SKU-A');
    const skuB = unique('SKU-B');
    const { warehouse } = await stockedCatalogue(app, token, { [skuA]: 10, [skuB]: 5 });

    const created = await app.http.post('/api/orders').set(auth).send(orderBody([{ sku: skuA, quantity: 3 }, { sku: skuB, quantity: 1, unitPrice: '100.00' }])).expect(201);
    expect(created.body).toMatchObject({ status: 'pending_review', totals: { items: '159.70', shipping: '0.00', grand: '159.70' } });
    expect(created.body.number).toMatch(/^SO\d{12}$/);

    const order = await waitForStatus(created.body.id, 'awaiting_shipment');
    expect(order.lines.map((line: { reserved: number; quantity: number }) => line.reserved)).toEqual(order.lines.map((line: { quantity: number }) => line.quantity));
    expect(order.shipments).toHaveLength(1);
    expect(order.shipments[0]).toMatchObject({ warehouse, status: 'allocated' });
    expect(order.history.map((entry: { to: string }) => entry.to)).toEqual(['pending_review', 'awaiting_shipment']);

    const levels = (await app.http.get(`/api/inventory?warehouse=${warehouse}`).set(auth).expect(200)).body.items;
    expect(levels.find((level: { sku: string }) => level.sku === skuA)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
    expect(levels.find((level: { sku: string }) => level.sku === skuB)).toMatchObject({ onHand: 5, reserved: 1, available: 4 });

    const [received] = await smtp.waitFor(1, 20_000);
    expect(received.to).toEqual(['zhangsan@example.com']);
    const mail = parseMessage(received.raw);
    expect(mail.subject).toContain(order.number);
    expect(mail.text).toContain(order.number);
    expect(mail.html).toContain(order.number);

    const instance = await eventually(async () => {
      const body = (await app.http.get(`/api/process-instances/${order.processInstanceId}`).set(auth).expect(200)).body;
      return body.status === 'waiting' ? body : undefined;
    });
    expect(instance).toMatchObject({ definitionKey: 'order-fulfillment', version: 1, status: 'waiting' });
    expect(instance.waitingAt).toEqual([expect.objectContaining({ elementId: 'Event_OrderShipped', messageName: 'OrderShipped' })]);
    // each element entered once, in order, and left except the one it waits at
    expect(instance.activity.map((a: { elementId: string; leftAt: string | null }) => [a.elementId, a.leftAt !== null])).toEqual([
      ['Start_OrderReceived', true],
      ['Task_Review', true],
      ['Gateway_ReviewOutcome', true],
      ['Task_ReserveStock', true],
      ['Gateway_StockReserved', true],
      ['Task_SendConfirmation', true],
      ['Event_OrderShipped', false],
    ]);
  });
});

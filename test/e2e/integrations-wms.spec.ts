import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { IntegrationPushesService } from '../../src/integrations/outbound/integration-pushes.service';
import { orderBody, stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { parseMessage, type SmtpCapture, startSmtpCapture } from '../helpers/smtp-capture';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

interface Received {
  event: string;
  idempotencyKey: string;
  body: Record<string, unknown> & { shipmentId: string };
}

/**
 * A WMS's endpoint as README "Connecting a WMS" tells a vendor to build it: the signature is `v1=` + hex HMAC-SHA256 of
 * `<X-OMS-Timestamp>.<raw body>` with the signing secret, compared in constant time; a timestamp more than 5 minutes from now
 * is a replay and refused. It records what it accepted, and fails as many times as told first.
 */
class FakeWms {
  readonly accepted: Received[] = [];
  readonly refusals: string[] = [];
  failNext = 0;
  private server?: Server;

  constructor(private readonly secret: string) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const refusal = this.check(request.headers, raw);
        if (refusal) {
          this.refusals.push(refusal);
          response.writeHead(401).end(refusal);
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          response.writeHead(503).end('busy');
          return;
        }
        this.accepted.push({ event: String(request.headers['x-oms-event']), idempotencyKey: String(request.headers['x-oms-idempotency-key']), body: JSON.parse(raw.toString('utf8')) });
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/oms/instructions`;
  }

  /** Why the request is refused, or undefined when it is genuine and fresh. */
  check(headers: IncomingHttpHeaders, raw: Buffer): string | undefined {
    const timestamp = String(headers['x-oms-timestamp'] ?? '');
    const signature = String(headers['x-oms-signature'] ?? '');
    if (!/^\d+$/.test(timestamp) || !signature.startsWith('v1=')) return 'signature missing';
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return 'timestamp stale';
    const expected = Buffer.from(createHmac('sha256', this.secret).update(Buffer.concat([Buffer.from(`${timestamp}.`), raw])).digest('hex'));
    const given = Buffer.from(signature.slice(3));
    return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature invalid';
  }

  about(shipmentId: string, event?: string): Received[] {
    return this.accepted.filter((item) => item.body.shipmentId === shipmentId && (event === undefined || item.event === event));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Issue 15 item 5, the WMS hand-off: a shipment allocated to a warehouse a WMS runs is sent to it as a signed instruction
 * (retried through the outbox), a cancel before it ships follows the same way, the WMS confirms pick, pack and ship with its
 * API key, and the staff's pick and pack step aside for that warehouse only.
 */
describe('WMS hand-off (issue 15 item 5)', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let smtp: SmtpCapture;
  const secret = `wms_${randomBytes(24).toString('hex')}`;
  const fake = new FakeWms(secret);
  let endpoint: string;
  let wmsWarehouse: string;
  let staffWarehouse: string;
  let connectorId: string;
  let wmsAuth: Record<string, string>;
  const db = () => app.running.app.get(DataSource);
  const pushes = () => app.running.app.get(IntegrationPushesService);
  const token = () => auth.Authorization.slice(7);

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    app = await startTestApp({
      env: { INTEGRATIONS_KEY: randomBytes(32).toString('base64'), SMTP_URL: smtp.url, INTEGRATION_PUSH_RETRY_MS: '100', INTEGRATION_PUSH_MAX_ATTEMPTS: '4', INTEGRATION_PUSH_POLL_MS: '100' },
    });
    auth = { Authorization: `Bearer ${await app.login()}` };
    endpoint = await fake.start();
    wmsWarehouse = (await stockedCatalogue(app, token(), {})).warehouse;
    staffWarehouse = (await stockedCatalogue(app, token(), {})).warehouse;
    const key = (await app.http.post('/api/api-keys').set(auth).send({ name: unique('wms-key'), roles: ['wms'] }).expect(201)).body;
    wmsAuth = { Authorization: `Bearer ${key.key}` };
    connectorId = (
      await app.http.post('/api/integrations').set(auth)
        .send({ kind: 'wms', name: unique('wms').slice(-40), settings: { endpoint, warehouses: [wmsWarehouse], apiKeyId: key.id }, secrets: { signingSecret: secret } })
        .expect(201)
    ).body.id;
  });
  afterAll(async () => {
    await app?.close();
    await fake.stop();
    await smtp?.stop();
  });
  beforeEach(() => {
    fake.failNext = 0;
  });

  /** A product stocked in `warehouse` only (bin A-01-02-03), so allocation has one choice. */
  async function productIn(warehouse: string, onHand = 10): Promise<string> {
    const sku = unique('WMS');
    await app.http.post('/api/products').set(auth).send({ sku, name: `商品 ${sku}`, price: '19.90' }).expect(201);
    await app.http.put(`/api/inventory/${warehouse}/${sku}`).set(auth).send({ onHand, bin: 'A-01-02-03' }).expect(200);
    return sku;
  }

  async function allocatedOrder(lines: Array<{ sku: string; quantity: number }>, overrides: Record<string, unknown> = {}) {
    const created = (await app.http.post('/api/orders').set(auth).send(orderBody(lines, overrides)).expect(201)).body;
    return eventually(async () => {
      const order = (await app.http.get(`/api/orders/${created.id}`).set(auth).expect(200)).body;
      return order.status === 'awaiting_shipment' ? order : undefined;
    }, { what: `order ${created.number} to be allocated` });
  }

  const instructionsOf = (shipmentId: string) => eventually(async () => (fake.about(shipmentId, 'wms-instruction').length ? fake.about(shipmentId, 'wms-instruction') : undefined), { what: 'the instruction at the fake WMS' });
  const pushRows = (shipmentId: string) =>
    db().query(`SELECT topic, status, attempts FROM integration_push WHERE integration_id = $1 AND push_key = $2 ORDER BY id`, [connectorId, `instruction:${shipmentId}`]);
  /** The pushes once none is in flight: the fake's 200 arrives before the sender records the push as sent. */
  const settledPushRows = (shipmentId: string) =>
    eventually(async () => {
      const rows: Array<{ status: string }> = await pushRows(shipmentId);
      return rows.every((row) => row.status === 'sent' || row.status === 'dead') ? rows : undefined;
    }, { what: 'the pushes to be recorded' });

  it('an order allocated to the WMS warehouse: the fake receives exactly one valid instruction with the lines, recipient and address', async () => {
    const [a, b] = [await productIn(wmsWarehouse), await productIn(wmsWarehouse)];
    const order = await allocatedOrder([{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }], { notes: '请用纸箱' });
    const shipment = order.shipments[0];
    expect(shipment.warehouse).toBe(wmsWarehouse);
    const [instruction] = await instructionsOf(shipment.id);
    await pushes().drain();
    expect(fake.about(shipment.id)).toHaveLength(1);
    expect(fake.refusals).toEqual([]);
    expect(instruction.idempotencyKey).toBe(`wms-instruction:${shipment.id}`);
    expect(instruction.body).toEqual({
      event: 'wms-instruction',
      shipmentId: shipment.id,
      shipmentNumber: `${order.number}-1`,
      orderNumber: order.number,
      warehouse: wmsWarehouse,
      lines: [a, b].sort().map((sku) => ({ sku, name: `商品 ${sku}`, quantity: sku === a ? 2 : 1, bin: 'A-01-02-03' })),
      recipient: { name: '张三', phone: '13800138000' },
      address: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号 3 单元 501', postalCode: null, country: 'CN' },
      carrier: expect.any(String),
      notes: '请用纸箱',
      allocatedAt: expect.any(String),
    });
    expect(await settledPushRows(shipment.id)).toEqual([{ topic: 'wms-instruction', status: 'sent', attempts: 1 }]);
  });

  it('the fake failing twice: the instruction is retried and delivered once', async () => {
    const sku = await productIn(wmsWarehouse);
    fake.failNext = 2;
    const order = await allocatedOrder([{ sku, quantity: 1 }]);
    const shipmentId = order.shipments[0].id;
    await instructionsOf(shipmentId);
    await pushes().drain();
    expect(fake.failNext).toBe(0);
    expect(fake.about(shipmentId)).toHaveLength(1);
    expect(await settledPushRows(shipmentId)).toEqual([{ topic: 'wms-instruction', status: 'sent', attempts: 3 }]);
  });

  it('the WMS confirms pick, pack and ship with tracking: the order ships and the customer hears as usual; each confirmation again is 200 and changes nothing', async () => {
    const sku = await productIn(wmsWarehouse);
    const email = `${unique('wms').toLowerCase()}@example.com`;
    const order = await allocatedOrder([{ sku, quantity: 3 }], { customer: { name: '李雷', phone: '13900139000', email } });
    const id = order.shipments[0].id;
    await instructionsOf(id);

    expect((await app.http.post(`/api/wms/shipments/${id}/pick`).set(wmsAuth).expect(200)).body).toMatchObject({ id, status: 'picking' });
    expect((await app.http.post(`/api/wms/shipments/${id}/pick`).set(wmsAuth).expect(200)).body).toMatchObject({ id, status: 'picking' });
    expect((await app.http.post(`/api/wms/shipments/${id}/pack`).set(wmsAuth).expect(200)).body).toMatchObject({ id, status: 'packed' });
    expect((await app.http.post(`/api/wms/shipments/${id}/pack`).set(wmsAuth).expect(200)).body).toMatchObject({ id, status: 'packed' });
    await app.http.post(`/api/wms/shipments/${id}/ship`).set(wmsAuth).send({ carrier: 'ups', trackingNumber: 'X' }).expect(422);
    const shipped = (await app.http.post(`/api/wms/shipments/${id}/ship`).set(wmsAuth).send({ carrier: 'sf', trackingNumber: 'SF8800001111' }).expect(200)).body;
    expect(shipped).toMatchObject({ id, status: 'shipped', carrier: 'sf', trackingNumber: 'SF8800001111' });
    await app.http.post(`/api/wms/shipments/${id}/ship`).set(wmsAuth).send({ carrier: 'sf', trackingNumber: 'SF8800001111' }).expect(200);
    expect((await app.http.post(`/api/wms/shipments/${id}/ship`).set(wmsAuth).send({ carrier: 'sf', trackingNumber: 'SF8800002222' }).expect(409)).body.error.code).toBe('invalid_state');
    await app.http.post(`/api/wms/shipments/${id}/pick`).set(wmsAuth).expect(200);

    const after = (await app.http.get(`/api/orders/${order.id}`).set(auth).expect(200)).body;
    expect(after).toMatchObject({ status: 'shipped', lines: [expect.objectContaining({ sku, shipped: 3 })] });
    const history = (await app.http.get(`/api/shipments/${id}`).set(auth).expect(200)).body.history;
    expect(history.map((entry: { to: string }) => entry.to)).toEqual(['allocated', 'picking', 'packed', 'shipped']);
    const level = (await app.http.get(`/api/inventory?sku=${sku}&warehouse=${wmsWarehouse}`).set(auth).expect(200)).body.items[0];
    expect(level).toMatchObject({ onHand: 7, reserved: 0 });
    const mail = await eventually(async () => smtp.messages.filter((message) => message.to.includes(email)).map((message) => parseMessage(message.raw)).find((message) => message.text?.includes('SF8800001111')), { what: 'the shipping mail' });
    expect(mail.text).toContain(order.number);
  });

  it('a confirmation for another warehouse is 403; staff, other keys and a wms key of no connector are refused; unknown shipment 404', async () => {
    const sku = await productIn(staffWarehouse);
    const order = await allocatedOrder([{ sku, quantity: 1 }]);
    const id = order.shipments[0].id;
    for (const step of ['pick', 'pack']) {
      const refused = (await app.http.post(`/api/wms/shipments/${id}/${step}`).set(wmsAuth).expect(403)).body.error;
      expect(refused).toMatchObject({ code: 'wms_not_its_warehouse', message: expect.stringContaining(staffWarehouse) });
    }
    expect((await app.http.post(`/api/wms/shipments/${id}/ship`).set(wmsAuth).send({ carrier: 'sf', trackingNumber: 'SF8800003333' }).expect(403)).body.error.code).toBe('wms_not_its_warehouse');
    expect((await app.http.get(`/api/shipments/${id}`).set(auth).expect(200)).body.status).toBe('allocated');

    // the admin (every permission) is not a WMS; a wms key named by no connector is not one either
    await app.http.post(`/api/wms/shipments/${id}/pick`).set(auth).expect(403);
    const stray = (await app.http.post('/api/api-keys').set(auth).send({ name: unique('stray'), roles: ['wms'] }).expect(201)).body.key;
    await app.http.post(`/api/wms/shipments/${id}/pick`).set({ Authorization: `Bearer ${stray}` }).expect(403);
    const warehouseStaff = await userWithRoles(app, 'warehouse');
    await app.http.post(`/api/wms/shipments/${id}/pick`).set(warehouseStaff.auth).expect(403);
    // the wms key reaches nothing else
    await app.http.post(`/api/shipments/${id}/pack`).set(wmsAuth).expect(403);
    await app.http.post('/api/pick-lists').set(wmsAuth).send({ warehouse: staffWarehouse }).expect(403);
    await app.http.get(`/api/orders/${order.id}`).set(wmsAuth).expect(403);
    await app.http.post('/api/wms/shipments/00000000-0000-0000-0000-000000000000/pick').set(wmsAuth).expect(404);
    await app.http.post('/api/wms/shipments/not-a-uuid/pick').set(wmsAuth).expect(404);
  });

  it('staff pick and pack are refused (409 wms_handled) for the WMS warehouse, while the other warehouse works as before and sends nothing', async () => {
    const wmsSku = await productIn(wmsWarehouse);
    const staffSku = await productIn(staffWarehouse);
    const handled = await allocatedOrder([{ sku: wmsSku, quantity: 1 }]);
    const own = await allocatedOrder([{ sku: staffSku, quantity: 1 }]);
    const handledId = handled.shipments[0].id;
    const ownId = own.shipments[0].id;
    await instructionsOf(handledId);
    const staff = await userWithRoles(app, 'warehouse');

    const wave = (await app.http.post('/api/pick-lists').set(staff.auth).send({ warehouse: wmsWarehouse }).expect(409)).body.error;
    expect(wave).toMatchObject({ code: 'wms_handled', message: expect.stringContaining(wmsWarehouse) });
    const pack = (await app.http.post(`/api/shipments/${handledId}/pack`).set(staff.auth).expect(409)).body.error;
    expect(pack).toMatchObject({ code: 'wms_handled', message: expect.stringContaining('WMS') });
    expect((await app.http.get(`/api/shipments/${handledId}`).set(auth).expect(200)).body.status).toBe('allocated');

    const pickList = (await app.http.post('/api/pick-lists').set(staff.auth).send({ warehouse: staffWarehouse, maxShipments: 200 }).expect(201)).body;
    expect(pickList.shipments.map((shipment: { id: string }) => shipment.id)).toContain(ownId);
    expect(pickList.shipments.map((shipment: { id: string }) => shipment.id)).not.toContain(handledId);
    expect((await app.http.post(`/api/shipments/${ownId}/pack`).set(staff.auth).expect(200)).body.status).toBe('packed');
    await app.http.post(`/api/shipments/${ownId}/ship`).set(staff.auth).send({ carrier: 'zto', trackingNumber: 'ZTO8800004444' }).expect(200);

    await pushes().drain();
    expect(fake.about(ownId)).toEqual([]);
    expect(await pushRows(ownId)).toEqual([]);
  });

  it('cancel before ship: the WMS gets a cancel instruction after the instruction', async () => {
    const sku = await productIn(wmsWarehouse);
    const order = await allocatedOrder([{ sku, quantity: 1 }]);
    const id = order.shipments[0].id;
    await app.http.post(`/api/orders/${order.id}/cancel`).set(auth).send({ reason: '客户取消' }).expect(200);
    const cancel = await eventually(async () => fake.about(id, 'wms-cancel')[0], { what: 'the cancel at the fake WMS' });
    expect(cancel.body).toEqual({ event: 'wms-cancel', shipmentId: id, shipmentNumber: `${order.number}-1`, orderNumber: order.number, warehouse: wmsWarehouse, reason: expect.any(String), cancelledAt: expect.any(String) });
    expect(cancel.idempotencyKey).toBe(`wms-cancel:${id}`);
    expect(fake.about(id).map((item) => item.event)).toEqual(['wms-instruction', 'wms-cancel']);
    await app.http.post(`/api/wms/shipments/${id}/pick`).set(wmsAuth).expect(409);
  });

  it('a cancel queued while the instruction is still failing waits for it: never before the instruction', async () => {
    const sku = await productIn(wmsWarehouse);
    // paused, the connector's pushes wait: both are queued before either is tried
    await app.http.patch(`/api/integrations/${connectorId}`).set(auth).send({ status: 'paused' }).expect(200);
    const order = await allocatedOrder([{ sku, quantity: 1 }]);
    const id = order.shipments[0].id;
    await app.http.post(`/api/orders/${order.id}/cancel`).set(auth).send({ reason: '客户取消' }).expect(200);
    expect((await pushRows(id)).map((row: { topic: string }) => row.topic)).toEqual(['wms-instruction', 'wms-cancel']);
    // the instruction fails twice (due again only after its backoff) while the cancel is due at once
    fake.failNext = 2;
    await app.http.patch(`/api/integrations/${connectorId}`).set(auth).send({ status: 'active' }).expect(200);
    await pushes().drain();
    await eventually(async () => fake.about(id, 'wms-cancel')[0], { what: 'the cancel at the fake WMS' });
    expect(fake.about(id).map((item) => item.event)).toEqual(['wms-instruction', 'wms-cancel']);
    expect(await settledPushRows(id)).toEqual([{ topic: 'wms-instruction', status: 'sent', attempts: 3 }, { topic: 'wms-cancel', status: 'sent', attempts: 1 }]);
  });

  it('allocated again by hand from the WMS warehouse to another: a cancel to the WMS; the new shipment is the staff\'s', async () => {
    const sku = unique('WMS');
    await app.http.post('/api/products').set(auth).send({ sku, name: `商品 ${sku}`, price: '19.90' }).expect(201);
    await app.http.put(`/api/inventory/${wmsWarehouse}/${sku}`).set(auth).send({ onHand: 5 }).expect(200);
    const order = await allocatedOrder([{ sku, quantity: 1 }]);
    const first = order.shipments[0];
    expect(first.warehouse).toBe(wmsWarehouse);
    await instructionsOf(first.id);
    await app.http.put(`/api/inventory/${staffWarehouse}/${sku}`).set(auth).send({ onHand: 5 }).expect(200);
    const moved = (await app.http.post(`/api/orders/${order.id}/allocation`).set(auth).send({ warehouse: staffWarehouse }).expect(200)).body;
    const second = moved.shipments.find((shipment: { status: string }) => shipment.status === 'allocated');
    expect(second.warehouse).toBe(staffWarehouse);
    await eventually(async () => fake.about(first.id, 'wms-cancel')[0], { what: 'the cancel of the first shipment' });
    await pushes().drain();
    expect(fake.about(second.id)).toEqual([]);
  });

  it('a warehouse added to the WMS later: its waiting shipments are handed over; removed, they return to the staff', async () => {
    const warehouse = (await stockedCatalogue(app, token(), {})).warehouse;
    const sku = await productIn(warehouse);
    const order = await allocatedOrder([{ sku, quantity: 1 }]);
    const id = order.shipments[0].id;
    await pushes().drain();
    expect(fake.about(id)).toEqual([]);
    const settings = (await app.http.get(`/api/integrations/${connectorId}`).set(auth).expect(200)).body.settings;
    await app.http.patch(`/api/integrations/${connectorId}`).set(auth).send({ settings: { warehouses: [wmsWarehouse, warehouse] } }).expect(200);
    await instructionsOf(id);
    const staff = await userWithRoles(app, 'warehouse');
    expect((await app.http.post(`/api/shipments/${id}/pack`).set(staff.auth).expect(409)).body.error.code).toBe('wms_handled');
    await app.http.patch(`/api/integrations/${connectorId}`).set(auth).send({ settings: { warehouses: settings.warehouses } }).expect(200);
    expect((await app.http.post(`/api/shipments/${id}/pack`).set(staff.auth).expect(200)).body.status).toBe('packed');
  });

  it('settings are checked field by field: endpoint, warehouses (existing, one WMS each), apiKeyId (an active key of the role wms, one WMS each)', async () => {
    const name = () => unique('wms').slice(-40);
    const create = (settings: Record<string, unknown>) => app.http.post('/api/integrations').set(auth).send({ kind: 'wms', name: name(), settings, secrets: { signingSecret: secret } });
    const paths = async (settings: Record<string, unknown>) => ((await create(settings).expect(422)).body.error.details as Array<{ path: string }>).map((detail) => detail.path);
    expect(await paths({ warehouses: [wmsWarehouse] })).toEqual(['settings.endpoint']);
    expect(await paths({ endpoint: 'ftp://wms.example.com', warehouses: 'WH' })).toEqual(['settings.endpoint', 'settings.warehouses']);
    expect(await paths({ endpoint, warehouses: ['ok', 'not a code', 'ok'] })).toEqual(['settings.warehouses[1]', 'settings.warehouses[2]']);
    expect(await paths({ endpoint, warehouses: ['NO-SUCH-WH', wmsWarehouse] })).toEqual(['settings.warehouses[0]', 'settings.warehouses[1]']);
    expect(await paths({ endpoint, apiKeyId: 'abc' })).toEqual(['settings.apiKeyId']);
    const integrationKey = (await app.http.post('/api/api-keys').set(auth).send({ name: unique('int-key'), roles: ['integration'] }).expect(201)).body.id;
    expect(await paths({ endpoint, apiKeyId: integrationKey })).toEqual(['settings.apiKeyId']);
    const ours = (await app.http.get(`/api/integrations/${connectorId}`).set(auth).expect(200)).body.settings.apiKeyId;
    expect(await paths({ endpoint, apiKeyId: ours })).toEqual(['settings.apiKeyId']);
    await app.http.patch(`/api/integrations/${connectorId}`).set(auth).send({ settings: { endpoint: 'not a url' } }).expect(422);
    // nothing changed by the refusals: the warehouse is still run by the first connector alone
    const links = await db().query(`SELECT i.id FROM wms_warehouse ww JOIN warehouse w ON w.id = ww.warehouse_id JOIN integration i ON i.id = ww.integration_id WHERE w.code = $1`, [wmsWarehouse]);
    expect(links).toEqual([{ id: connectorId }]);
    // the secret is never shown
    expect(JSON.stringify((await app.http.get(`/api/integrations/${connectorId}`).set(auth).expect(200)).body)).not.toContain(secret);
  });
});

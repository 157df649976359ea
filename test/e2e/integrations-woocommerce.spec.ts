import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

/** X-WC-Webhook-Signature as WC_Webhook::generate_signature() writes it: base64 of HMAC-SHA256 over the posted JSON. */
const sign = (body: string, secret: string) => createHmac('sha256', secret).update(body, 'utf8').digest('base64');
const connectorName = () => unique('woo').replace(/[^A-Za-z0-9_-]/g, '').slice(-40);
let nextId = Math.floor(Math.random() * 1e6) * 1000;

/**
 * A WooCommerce order (REST API v3 "order properties", abridged to the fields its webhooks carry and we read) from a store
 * selling in China: state CN12 is 浙江, the name in Chinese order, a fresh order id each time.
 */
function wooOrder(overrides: Record<string, unknown> = {}): { text: string; id: number } {
  const id = ++nextId;
  const order = {
    id,
    parent_id: 0,
    number: String(id),
    order_key: `wc_order_${randomBytes(6).toString('hex')}`,
    created_via: 'checkout',
    status: 'pending',
    currency: 'CNY',
    date_created: '2025-11-20T10:15:00',
    date_created_gmt: '2025-11-20T02:15:00',
    discount_total: '0.00',
    shipping_total: '10.00',
    total: '89.80',
    billing: { first_name: '三', last_name: '张', company: '', address_1: '文三路100号', address_2: '3单元501', city: '杭州市', state: 'CN12', postcode: '310000', country: 'CN', email: 'zhang.san@example.cn', phone: '13800138000' },
    shipping: { first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '' },
    payment_method: 'alipay',
    payment_method_title: '支付宝',
    customer_note: '请工作日送货',
    date_paid: null,
    date_paid_gmt: null,
    line_items: [{ id: 1, name: '龙井茶', product_id: 93, variation_id: 0, quantity: 2, subtotal: '79.80', total: '79.80', sku: 'TEA-NONE', price: 39.9 }],
    ...overrides,
  };
  return { text: JSON.stringify(order), id };
}

/**
 * Issue 15 item 2 (G5.2): WooCommerce's order.created / order.updated webhooks at POST /hooks/{id}, signed with
 * X-WC-Webhook-Signature, through the same flow as Shopify's (one order per WooCommerce order, whatever is sent again).
 */
describe('integrations: the WooCommerce webhook (G5.2)', () => {
  const test = useTestApp({ env: { INTEGRATIONS_KEY: randomBytes(32).toString('base64') } });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);

  async function createWoo() {
    const secrets = { webhookSecret: `wc_${randomBytes(18).toString('hex')}` };
    const name = connectorName();
    const response = await http().post('/api/integrations').set(test.auth).send({ kind: 'woocommerce', name, settings: { storeUrl: 'https://shop.example.com' }, secrets }).expect(201);
    return { id: response.body.id as string, name, secrets };
  }

  const deliver = (id: string, body: string, headers: Record<string, string>, contentType = 'application/json') =>
    http().post(`/hooks/${id}`).set({ 'Content-Type': contentType, ...headers }).send(body);
  /** The headers WC_Webhook::deliver() sends. */
  const wooHeaders = (body: string, secret: string, topic = 'order.created', deliveryId: string | null = randomUUID().replace(/-/g, '')) => ({
    'X-WC-Webhook-Source': 'https://shop.example.com/',
    'X-WC-Webhook-Topic': topic,
    'X-WC-Webhook-Resource': topic.split('.')[0],
    'X-WC-Webhook-Event': topic.split('.')[1],
    'X-WC-Webhook-Signature': sign(body, secret),
    'X-WC-Webhook-ID': '12',
    ...(deliveryId ? { 'X-WC-Webhook-Delivery-ID': deliveryId } : {}),
  });
  const ordersOf = async (channel: string) => (await http().get('/api/orders').query({ channel, pageSize: 200 }).set(test.auth).expect(200)).body;
  const deliveriesOf = async (id: string) => Number((await db().query(`SELECT count(*)::int AS n FROM integration_delivery WHERE integration_id = $1`, [id]))[0].n);
  const orderView = async (orderId: string) => (await http().get(`/api/orders/${orderId}`).set(test.auth).expect(200)).body;

  it('a connector needs its webhookSecret, and settings.storeUrl must be an http(s) address: 422 and nothing written', async () => {
    const before = (await http().get('/api/integrations').set(test.auth).expect(200)).body.total;
    for (const [body, path] of [
      [{ kind: 'woocommerce', name: connectorName(), secrets: {} }, 'secrets.webhookSecret'],
      [{ kind: 'woocommerce', name: connectorName(), settings: { storeUrl: 'shop.example.com' }, secrets: { webhookSecret: 'w' } }, 'settings.storeUrl'],
    ] as const) {
      const response = await http().post('/api/integrations').set(test.auth).send(body).expect(422);
      expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    }
    expect((await http().get('/api/integrations').set(test.auth).expect(200)).body.total).toBe(before);
  });

  it('a valid order.created: 200 and exactly one order, channel = the connector, externalId = the WooCommerce id, fields mapped', async () => {
    const { id, name, secrets } = await createWoo();
    const { text, id: wooId } = wooOrder();
    const response = await deliver(id, text, wooHeaders(text, secrets.webhookSecret)).expect(200);
    expect(response.body).toMatchObject({ received: true, outcome: 'created', orderId: expect.any(String) });
    expect((await ordersOf(name)).total).toBe(1);
    const order = await orderView(response.body.orderId);
    expect(order).toMatchObject({
      channel: name,
      externalId: String(wooId),
      status: 'pending_payment',
      customer: { name: '张三', phone: '13800138000', email: 'zhang.san@example.cn' },
      shippingAddress: { province: '浙江', city: '杭州市', line1: '文三路100号 3单元501', postalCode: '310000', country: 'CN' },
      lines: [{ sku: 'TEA-NONE', quantity: 2, unitPrice: '39.90' }],
      totals: { items: '79.80', shipping: '10.00', grand: '89.80' },
      payment: { method: 'alipay', status: 'pending' },
    });
    expect(order.notes).toContain('请工作日送货');
    expect(order.history[0].by).toBe(`integration:${name}`);
    const [row] = await db().query(`SELECT delivery_id, topic, outcome, external_id FROM integration_delivery WHERE integration_id = $1`, [id]);
    expect(row).toMatchObject({ delivery_id: expect.stringMatching(/^[0-9a-f]{32}$/), topic: 'order.created', outcome: 'created', external_id: String(wooId) });
  });

  it('a paid order with stocked SKUs reaches awaiting_shipment with no call to our API; the same delivery twice and order.updated make no second order', async () => {
    const { id, name, secrets } = await createWoo();
    const [skuA, skuB] = [unique('WOO'), unique('WOO')];
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [skuA]: 10, [skuB]: 10 });
    const { text, id: wooId } = wooOrder({
      status: 'processing',
      date_paid: '2025-11-20T10:16:00',
      date_paid_gmt: '2025-11-20T02:16:00',
      total: '128.80',
      line_items: [
        { id: 1, product_id: 93, variation_id: 0, quantity: 2, subtotal: '79.80', total: '79.80', sku: skuA, price: 39.9 },
        { id: 2, product_id: 94, variation_id: 0, quantity: 1, subtotal: '39.00', total: '39.00', sku: skuB, price: 39 },
      ],
    });
    const headers = wooHeaders(text, secrets.webhookSecret, 'order.created', 'a1b2c3d4');
    const first = await deliver(id, text, headers).expect(200);
    expect(first.body.outcome).toBe('created');
    const order = await eventually(async () => {
      const current = await orderView(first.body.orderId);
      return current.status === 'awaiting_shipment' ? current : undefined;
    }, { what: 'the WooCommerce order to await shipment' });
    expect(order).toMatchObject({
      externalId: String(wooId),
      flags: [],
      lines: [{ sku: skuA, quantity: 2, unitPrice: '39.90', reserved: 2 }, { sku: skuB, quantity: 1, unitPrice: '39.00', reserved: 1 }],
      payment: { status: 'paid', amount: '128.80' },
    });

    // WooCommerce retries the same delivery id: answered as seen before
    expect((await deliver(id, text, headers).expect(200)).body).toMatchObject({ outcome: 'created', repeated: true, orderId: order.id });
    // the order edited in the shop: order.updated under its own delivery id, the same order
    const edited = text.replace('请工作日送货', '请尽快发货');
    expect(edited).not.toBe(text);
    expect((await deliver(id, edited, wooHeaders(edited, secrets.webhookSecret, 'order.updated')).expect(200)).body).toMatchObject({ outcome: 'duplicate', orderId: order.id });
    expect((await ordersOf(name)).total).toBe(1);
    expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body).toMatchObject({
      status: 'active', lastError: null, lastSyncAt: expect.any(String), counts: { ordersCreated: 1, duplicates: 1, rejected: 0 },
    });
  });

  it('order.updated of an order taken unpaid that WooCommerce reports processing records the payment on the same order', async () => {
    const { id, name, secrets } = await createWoo();
    const sku = unique('WOO');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
    const lines = [{ id: 1, product_id: 7, variation_id: 0, quantity: 2, subtotal: '59.80', total: '59.80', sku, price: 29.9 }];
    const pending = wooOrder({ line_items: lines, total: '69.80' });
    const created = await deliver(id, pending.text, wooHeaders(pending.text, secrets.webhookSecret)).expect(200);
    expect((await orderView(created.body.orderId)).status).toBe('pending_payment');
    const paid = JSON.stringify({ ...JSON.parse(pending.text), status: 'processing', date_paid_gmt: '2025-11-20T03:00:00' });
    expect((await deliver(id, paid, wooHeaders(paid, secrets.webhookSecret, 'order.updated')).expect(200)).body).toMatchObject({ outcome: 'updated', orderId: created.body.orderId });
    await eventually(async () => ((await orderView(created.body.orderId)).status === 'awaiting_shipment' ? true : undefined), { what: 'the paid order to await shipment' });
    expect((await orderView(created.body.orderId)).payment).toMatchObject({ status: 'paid', amount: '69.80', reference: `woocommerce:${pending.id}` });
    expect((await ordersOf(name)).total).toBe(1);
  });

  it('without X-WC-Webhook-Delivery-ID the body identifies the delivery: sent twice, one order', async () => {
    const { id, name, secrets } = await createWoo();
    const { text } = wooOrder();
    const first = await deliver(id, text, wooHeaders(text, secrets.webhookSecret, 'order.created', null)).expect(200);
    expect(first.body.outcome).toBe('created');
    expect((await deliver(id, text, wooHeaders(text, secrets.webhookSecret, 'order.created', null)).expect(200)).body).toMatchObject({ repeated: true, orderId: first.body.orderId });
    expect((await ordersOf(name)).total).toBe(1);
    const [row] = await db().query(`SELECT delivery_id FROM integration_delivery WHERE integration_id = $1`, [id]);
    expect(row.delivery_id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a tampered body, a wrong signature or none: 401 and nothing written', async () => {
    const { id, name, secrets } = await createWoo();
    const { text } = wooOrder();
    const tampered = text.replace('"total":"89.80"', '"total":"0.01"');
    expect(tampered).not.toBe(text);
    const good = wooHeaders(text, secrets.webhookSecret);
    const { 'X-WC-Webhook-Signature': _omitted, ...unsigned } = good;
    const attempts: Array<[string, Record<string, string>]> = [
      [tampered, good],
      [text, wooHeaders(text, 'not-the-secret')],
      [text, { ...good, 'X-WC-Webhook-Signature': '' }],
      [text, unsigned],
      // the signature in hex instead of base64
      [text, { ...good, 'X-WC-Webhook-Signature': createHmac('sha256', secrets.webhookSecret).update(text).digest('hex') }],
      // one byte more than was signed
      [`${text}\n`, good],
    ];
    for (const [body, headers] of attempts) {
      const response = await deliver(id, body, headers);
      expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 401, code: 'unauthorized' });
    }
    expect((await ordersOf(name)).total).toBe(0);
    expect(await deliveriesOf(id)).toBe(0);
    expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body).toMatchObject({ status: 'active', lastError: null, lastSyncAt: null });
  });

  it('the unsigned ping WooCommerce sends when a webhook is saved: 200, nothing recorded, also while paused', async () => {
    const { id, name } = await createWoo();
    const ping = (await deliver(id, 'webhook_id=12', {}, 'application/x-www-form-urlencoded').expect(200)).body;
    expect(ping).toEqual({ received: true, outcome: 'ignored' });
    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
    await deliver(id, 'webhook_id=12', {}, 'application/x-www-form-urlencoded').expect(200);
    expect((await ordersOf(name)).total).toBe(0);
    expect(await deliveriesOf(id)).toBe(0);
    expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body).toMatchObject({ lastError: null, lastSyncAt: null });
  });

  it('a paused connector answers 503 with Retry-After and writes nothing; resumed, the same delivery is taken', async () => {
    const { id, name, secrets } = await createWoo();
    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
    const { text } = wooOrder();
    const headers = wooHeaders(text, secrets.webhookSecret);
    const paused = await deliver(id, text, headers).expect(503);
    expect(paused.body.error.code).toBe('service_unavailable');
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(0);
    await deliver(id, text, wooHeaders(text, 'wrong')).expect(401); // the signature is still checked first
    expect((await ordersOf(name)).total).toBe(0);
    expect(await deliveriesOf(id)).toBe(0);
    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'active' }).expect(200);
    expect((await deliver(id, text, headers).expect(200)).body.outcome).toBe('created');
    expect((await ordersOf(name)).total).toBe(1);
  });

  it('an order that cannot be read is 422 and counted as rejected; a signed body that is no JSON is 400; other topics are ignored', async () => {
    const { id, name, secrets } = await createWoo();
    const { text } = wooOrder({ line_items: [] });
    const refused = await deliver(id, text, wooHeaders(text, secrets.webhookSecret)).expect(422);
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'body', message: expect.stringContaining('line_items') }] });
    const notJson = '{"id": 1, ';
    expect((await deliver(id, notJson, wooHeaders(notJson, secrets.webhookSecret)).expect(400)).body.error.code).toBe('bad_request');
    const product = '{"id": 93, "name": "龙井茶", "sku": "TEA-001"}';
    expect((await deliver(id, product, wooHeaders(product, secrets.webhookSecret, 'product.updated')).expect(200)).body.outcome).toBe('ignored');
    expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body).toMatchObject({ counts: { ordersCreated: 0, rejected: 2, ignored: 1 } });
    expect((await ordersOf(name)).total).toBe(0);
  });
});

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { IntegrationPushesService } from '../../src/integrations/outbound/integration-pushes.service';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A provider's HTTP API, local: each request is authenticated the provider's way, then answered by the route, or failed first as often as told. */
abstract class FakePlatform {
  readonly refused: Received[] = [];
  failNext = 0;
  private server?: Server;
  base = '';

  protected abstract authenticate(request: Received): boolean;

  /** How the provider answers a request it cannot authenticate. */
  protected refusal(): { status: number; body: string } {
    return { status: 401, body: '{"errors":"[API] Invalid API key or access token"}' };
  }
  protected abstract route(request: Received, response: ServerResponse): void;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received = { method: request.method ?? '', url: new URL(request.url ?? '/', this.base), headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        if (!this.authenticate(received)) {
          this.refused.push(received);
          const refusal = this.refusal();
          response.writeHead(refusal.status, { 'Content-Type': 'application/json' }).end(refusal.body);
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          response.writeHead(503, { 'Content-Type': 'text/plain' }).end('service unavailable, try later');
          return;
        }
        this.route(received, response);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.base;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** 64-bit ids, as Shopify writes them (beyond 2^53: a JS number would change their last digits). */
const longId = () => `9${String(Date.now()).slice(-8)}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

/**
 * Shopify's Admin REST API for the calls a fulfilment needs: the order's line items, its fulfillment orders (one per order,
 * at one location), and POST fulfillments.json, which checks the ids and quantities against what is still fulfillable.
 * Every call needs the shop's access token in X-Shopify-Access-Token.
 */
class FakeShopify extends FakePlatform {
  readonly fulfilments: Array<{ orderId: string; tracking: Record<string, unknown>; notify: unknown; lines: Array<{ sku: string; quantity: number }> }> = [];
  refuseWith: number | null = null;
  private readonly orders = new Map<string, { lines: Array<{ id: string; sku: string; quantity: number }>; foId: string; foLines: Array<{ id: string; lineItemId: string; left: number }> }>();

  constructor(public accessToken: string, readonly version = '2025-07') {
    super();
  }

  /** A shop order with these lines: its line item ids and fulfillment order line item ids are fresh long ids. */
  addOrder(orderId: string, lines: Array<{ sku: string; quantity: number }>): Array<{ id: string; sku: string; quantity: number }> {
    const items = lines.map((line) => ({ id: longId(), ...line }));
    this.orders.set(orderId, { lines: items, foId: longId(), foLines: items.map((item) => ({ id: longId(), lineItemId: item.id, left: item.quantity })) });
    return items;
  }

  protected authenticate(request: Received): boolean {
    return request.headers['x-shopify-access-token'] === this.accessToken;
  }

  protected route(request: Received, response: ServerResponse): void {
    const prefix = `/admin/api/${this.version}/`;
    const path = request.url.pathname.startsWith(prefix) ? request.url.pathname.slice(prefix.length) : '';
    const json = (status: number, text: string): void => void response.writeHead(status, { 'Content-Type': 'application/json' }).end(text);
    let match = /^orders\/(\d+)\.json$/.exec(path);
    if (request.method === 'GET' && match && this.orders.has(match[1])) {
      const order = this.orders.get(match[1])!;
      // raw digits for ids, as Shopify sends them
      return json(200, `{"order":{"id":${match[1]},"line_items":[${order.lines.map((l) => `{"id":${l.id},"variant_id":${l.id.slice(0, 10)},"sku":${JSON.stringify(l.sku)},"quantity":${l.quantity}}`).join(',')}]}}`);
    }
    match = /^orders\/(\d+)\/fulfillment_orders\.json$/.exec(path);
    if (request.method === 'GET' && match && this.orders.has(match[1])) {
      const order = this.orders.get(match[1])!;
      const open = order.foLines.some((line) => line.left > 0);
      const items = order.foLines.map((l) => `{"id":${l.id},"fulfillment_order_id":${order.foId},"line_item_id":${l.lineItemId},"quantity":${l.left},"fulfillable_quantity":${l.left}}`);
      return json(200, `{"fulfillment_orders":[{"id":${order.foId},"order_id":${match[1]},"assigned_location_id":24826418,"status":"${open ? 'open' : 'closed'}",`
        + `"supported_actions":${open ? '["create_fulfillment","move"]' : '[]'},"line_items":[${items.join(',')}]}]}`);
    }
    if (request.method === 'POST' && path === 'fulfillments.json') {
      if (this.refuseWith) return json(this.refuseWith, '{"errors":{"base":["Fulfillment order is not fulfillable"]}}');
      // ids must arrive as the exact digits (a rounded id names no fulfillment order)
      const body = JSON.parse(request.body.replace(/"(id|fulfillment_order_id)":(\d{16,})/g, '"$1":"$2"'));
      const groups = body.fulfillment?.line_items_by_fulfillment_order ?? [];
      const entry = [...this.orders].find(([, order]) => groups.every((group: { fulfillment_order_id: string }) => group.fulfillment_order_id === order.foId));
      if (!entry || groups.length !== 1) return json(422, '{"errors":"unknown fulfillment order"}');
      const [orderId, order] = entry;
      const taken: Array<{ sku: string; quantity: number }> = [];
      for (const item of groups[0].fulfillment_order_line_items as Array<{ id: string; quantity: number }>) {
        const line = order.foLines.find((candidate) => candidate.id === item.id);
        if (!line || item.quantity < 1 || item.quantity > line.left) return json(422, '{"errors":"invalid quantity"}');
        line.left -= item.quantity;
        taken.push({ sku: order.lines.find((l) => l.id === line.lineItemId)!.sku, quantity: item.quantity });
      }
      this.fulfilments.push({ orderId, tracking: body.fulfillment.tracking_info, notify: body.fulfillment.notify_customer, lines: taken });
      return json(201, `{"fulfillment":{"id":${longId()},"order_id":${orderId},"status":"success"}}`);
    }
    json(404, '{"errors":"Not Found"}');
  }
}

/** RFC 3986 encoding, written here rather than taken from the code under test. */
const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * WooCommerce's REST API (wc/v3) over plain http: OAuth 1.0a one-legged as WC_REST_Authentication checks it (the consumer
 * key known, the signature over METHOD&URL&sorted parameters keyed with the consumer secret + "&", a nonce used once).
 */
class FakeWooCommerce extends FakePlatform {
  readonly notes: Array<{ orderId: string; note: string; customerNote: unknown }> = [];
  readonly statuses: Array<{ orderId: string; status: string }> = [];
  /** Notes taken whose answer is then lost (a 502 from a proxy after WooCommerce saved it). */
  loseNoteAnswers = 0;
  private readonly nonces = new Set<string>();

  constructor(readonly consumerKey: string, public consumerSecret: string) {
    super();
  }

  protected authenticate(request: Received): boolean {
    if (request.headers.authorization) return false; // Basic auth is not taken over http
    const params = Object.fromEntries(request.url.searchParams);
    const { oauth_signature: signature, ...signed } = params;
    if (params.oauth_consumer_key !== this.consumerKey || !signature || !['HMAC-SHA1', 'HMAC-SHA256'].includes(params.oauth_signature_method)) return false;
    if (Math.abs(Date.now() / 1000 - Number(params.oauth_timestamp)) > 15 * 60 || this.nonces.has(params.oauth_nonce)) return false;
    const normalized = Object.keys(signed).sort().map((key) => encode(`${encode(key)}=${encode(signed[key])}`)).join('%26');
    const base = `${request.method}&${encode(`${request.url.origin}${request.url.pathname}`)}&${normalized}`;
    const expected = createHmac(params.oauth_signature_method === 'HMAC-SHA1' ? 'sha1' : 'sha256', `${this.consumerSecret}&`).update(base).digest('base64');
    if (expected !== signature) return false;
    this.nonces.add(params.oauth_nonce);
    return true;
  }

  protected route(request: Received, response: ServerResponse): void {
    const json = (status: number, value: unknown): void => void response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
    const match = /^\/wp-json\/wc\/v3\/orders\/(\d+)(\/notes)?$/.exec(request.url.pathname);
    if (!match) return json(404, { code: 'rest_no_route' });
    const [, orderId, notes] = match;
    if (notes && request.method === 'GET') return json(200, this.notes.filter((note) => note.orderId === orderId).map((note, index) => ({ id: index + 1, note: note.note, customer_note: note.customerNote })));
    if (notes && request.method === 'POST') {
      const body = JSON.parse(request.body);
      this.notes.push({ orderId, note: body.note, customerNote: body.customer_note });
      if (this.loseNoteAnswers > 0 && this.loseNoteAnswers--) return json(502, { message: 'Bad Gateway' });
      return json(201, { id: this.notes.length, note: body.note });
    }
    if (!notes && request.method === 'PUT') {
      const body = JSON.parse(request.body);
      this.statuses.push({ orderId, status: body.status });
      return json(200, { id: Number(orderId), status: body.status });
    }
    json(404, { code: 'rest_no_route' });
  }
}

/**
 * Taobao's TOP gateway: the form's sign checked as TOP's 签名算法 says (parameters but sign sorted by name, name+value
 * joined, HMAC-SHA256 keyed with the app secret, upper-case hex), app_key and session known; taobao.logistics.offline.send
 * answered with `answers` in turn (then success).
 */
class FakeTop extends FakePlatform {
  readonly sends: Array<Record<string, string>> = [];
  readonly answers: string[] = [];

  constructor(readonly appKey: string, readonly appSecret: string, readonly sessionKey: string) {
    super();
  }

  protected authenticate(request: Received): boolean {
    const params = Object.fromEntries(new URLSearchParams(request.body));
    const joined = Object.keys(params).filter((key) => key !== 'sign').sort().map((key) => `${key}${params[key]}`).join('');
    const sign = createHmac('sha256', this.appSecret).update(joined, 'utf8').digest('hex').toUpperCase();
    return params.sign_method === 'hmac-sha256' && params.sign === sign && params.app_key === this.appKey && params.session === this.sessionKey;
  }

  /** TOP answers a bad signature with HTTP 200 and error 25 (Invalid Signature). */
  protected refusal(): { status: number; body: string } {
    return { status: 200, body: topError(25, 'Invalid signature', '', '') };
  }

  protected route(request: Received, response: ServerResponse): void {
    const params = Object.fromEntries(new URLSearchParams(request.body));
    const answer = this.answers.shift();
    if (!answer && params.method === 'taobao.logistics.offline.send') this.sends.push(params);
    response.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' }).end(answer ?? '{"logistics_offline_send_response":{"shipping":{"is_success":true},"request_id":"3mx5t1h0m8l6"}}');
  }
}

const topError = (code: number, msg: string, subCode: string, subMsg: string) =>
  JSON.stringify({ error_response: { code, msg, sub_code: subCode, sub_msg: subMsg, request_id: 'req1' } });

/**
 * Issue 15 item 2, the outbound side (G5.2): an order from a shop connector ships → the platform is told through the
 * connectors' outbox, queued in the ship's transaction once per shipment: Shopify a fulfilment with tracking, WooCommerce a
 * tracking note and status completed, Taobao the waybill (offline send); each fake checks the platform's own authentication.
 */
describe('shop platforms told what shipped (issue 15 item 2, outbound)', () => {
  const test = useTestApp({ env: { INTEGRATIONS_KEY: randomBytes(32).toString('base64'), INTEGRATION_PUSH_RETRY_MS: '100', INTEGRATION_PUSH_MAX_ATTEMPTS: '4', INTEGRATION_PUSH_POLL_MS: '100' } });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);
  const pushes = () => test.app.running.app.get(IntegrationPushesService);
  const token = () => test.auth.Authorization.slice(7);

  const shopify = new FakeShopify(`shpat_${randomBytes(16).toString('hex')}`);
  const woo = new FakeWooCommerce(`ck_${randomBytes(20).toString('hex')}`, `cs_${randomBytes(20).toString('hex')}`);
  const top = new FakeTop(String(20000000 + Math.floor(Math.random() * 1e7)), randomBytes(16).toString('hex'), `6100${randomBytes(20).toString('hex')}`);

  beforeAll(async () => {
    await Promise.all([shopify.start(), woo.start(), top.start()]);
  });
  afterAll(() => Promise.all([shopify.stop(), woo.stop(), top.stop()]));

  const connectorName = (prefix: string) => unique(prefix).replace(/[^A-Za-z0-9_-]/g, '').slice(-40);
  async function connector(kind: string, settings: Record<string, unknown>, secrets: Record<string, string>): Promise<{ id: string; name: string }> {
    const name = connectorName(kind.slice(0, 4));
    const created = await http().post('/api/integrations').set(test.auth).send({ kind, name, settings, secrets }).expect(201);
    return { id: created.body.id, name };
  }
  const shopifyConnector = () => connector('shopify', { shopDomain: 'oms-test.myshopify.com', apiBaseUrl: shopify.base }, { webhookSecret: `whsec_${randomBytes(12).toString('hex')}`, accessToken: shopify.accessToken });
  const wooConnector = () => connector('woocommerce', { storeUrl: woo.base }, { webhookSecret: `wc_${randomBytes(12).toString('hex')}`, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret });
  const topConnector = () => connector('taobao', { appKey: top.appKey, gateway: `${top.base}/router/rest` }, { appSecret: top.appSecret, sessionKey: top.sessionKey });

  const pushRows = (integrationId: string) =>
    db().query(`SELECT id::text, push_key AS key, status, attempts, payload, last_error AS "lastError" FROM integration_push WHERE integration_id = $1 ORDER BY id`, [integrationId]);
  const orderView = async (id: string) => (await http().get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const awaitingShipment = (id: string) => eventually(async () => {
    const order = await orderView(id);
    return order.status === 'awaiting_shipment' ? order : undefined;
  }, { what: `order ${id} to await shipment` });

  /** A paid order of `channel` for fresh, stocked SKUs, awaiting shipment. */
  async function channelOrder(channel: string, externalId: string, quantities: number[]) {
    const skus = quantities.map(() => unique('SF-SKU'));
    await stockedCatalogue(test.app, token(), Object.fromEntries(skus.map((sku) => [sku, 10])));
    const created = await http().post('/api/orders').set(test.auth).send(orderBody(skus.map((sku, i) => ({ sku, quantity: quantities[i] })), { channel, externalId })).expect(201);
    return { order: await awaitingShipment(created.body.id), skus };
  }
  const shipOrder = (orderId: string, trackingNumber: string, lines?: Array<{ sku: string; quantity: number }>, carrier = 'sf') =>
    http().post(`/api/orders/${orderId}/shipments`).set(test.auth).send({ carrier, trackingNumber, ...(lines ? { lines } : {}) });
  const tracking = () => `SF${Date.now()}${Math.floor(Math.random() * 1000)}`.slice(0, 20);

  describe('Shopify: a fulfilment with tracking through the Admin API', () => {
    /** A paid Shopify order brought in by its signed orders/create webhook; the fake shop holds the same order. */
    async function shopifyOrder(connectorId: string, webhookSecret: string, quantities: number[]) {
      const skus = quantities.map(() => unique('SHP'));
      const { warehouse } = await stockedCatalogue(test.app, token(), Object.fromEntries(skus.map((sku) => [sku, 10])));
      const shopifyId = longId();
      const items = shopify.addOrder(shopifyId, skus.map((sku, i) => ({ sku, quantity: quantities[i] })));
      const body = `{"id":${shopifyId},"name":"#${shopifyId.slice(-4)}","email":"zhang.san@example.cn","financial_status":"paid","currency":"CNY","created_at":"2025-11-20T10:15:00+08:00",`
        + `"total_price":"${(quantities.reduce((a, b) => a + b, 0) * 19.9).toFixed(2)}",`
        + `"shipping_address":{"name":"张三","phone":"13800138000","province":"浙江省","city":"杭州市","address1":"文三路 100 号","zip":"310000","country_code":"CN"},`
        + `"line_items":[${items.map((item) => `{"id":${item.id},"variant_id":${item.id.slice(0, 10)},"sku":"${item.sku}","quantity":${item.quantity},"price":"19.90"}`).join(',')}]}`;
      const delivered = await http().post(`/hooks/${connectorId}`).set({
        'Content-Type': 'application/json',
        'X-Shopify-Hmac-Sha256': createHmac('sha256', webhookSecret).update(body).digest('base64'),
        'X-Shopify-Topic': 'orders/create',
        'X-Shopify-Webhook-Id': randomUUID(),
        'X-Shopify-Shop-Domain': 'oms-test.myshopify.com',
      }).send(body).expect(200);
      expect(delivered.body.outcome).toBe('created');
      return { order: await awaitingShipment(delivered.body.orderId), skus, shopifyId, warehouse };
    }
    async function shopifySetup() {
      const secrets = { webhookSecret: `whsec_${randomBytes(12).toString('hex')}`, accessToken: shopify.accessToken };
      const { id, name } = await connector('shopify', { shopDomain: 'oms-test.myshopify.com', apiBaseUrl: shopify.base }, secrets);
      return { id, name, webhookSecret: secrets.webhookSecret };
    }
    const fulfilmentsOf = (shopifyId: string) => shopify.fulfilments.filter((f) => f.orderId === shopifyId);

    it('webhook order allocated, picked, packed and shipped → exactly one fulfilment of its lines with the tracking; the same ship again → no second push', async () => {
      const { id, webhookSecret } = await shopifySetup();
      const { order, skus, shopifyId, warehouse } = await shopifyOrder(id, webhookSecret, [2, 1]);
      const pickList = (await http().post('/api/pick-lists').set(test.auth).send({ warehouse }).expect(201)).body;
      await http().post(`/api/pick-lists/${pickList.id}/confirm`).set(test.auth).expect(200);
      const shipmentId = order.shipments[0].id;
      await http().post(`/api/shipments/${shipmentId}/pack`).set(test.auth).expect(200);
      const number = tracking();
      await http().post(`/api/shipments/${shipmentId}/ship`).set(test.auth).send({ carrier: 'sf', trackingNumber: number }).expect(200);

      await eventually(async () => (fulfilmentsOf(shopifyId).length === 1 ? true : undefined), { what: 'the fulfilment at the fake Shopify' });
      expect(fulfilmentsOf(shopifyId)).toEqual([{
        orderId: shopifyId,
        tracking: { number, company: 'SF Express', url: expect.stringContaining(number) },
        notify: false,
        lines: [{ sku: skus[0], quantity: 2 }, { sku: skus[1], quantity: 1 }].sort((a, b) => a.sku.localeCompare(b.sku)),
      }]);
      await eventually(async () => ((await pushRows(id))[0]?.status === 'sent' ? true : undefined));
      expect(await pushRows(id)).toMatchObject([{ key: `fulfilment:${shipmentId}`, status: 'sent', attempts: 1 }]);
      expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body).toMatchObject({ status: 'active', lastSyncAt: expect.any(String) });

      // shipping again (a retried request): refused, nothing more queued or sent
      await http().post(`/api/shipments/${shipmentId}/ship`).set(test.auth).send({ carrier: 'sf', trackingNumber: number }).expect(409);
      await shipOrder(order.id, number).expect(409);
      await pushes().drain();
      expect(await pushRows(id)).toHaveLength(1);
      expect(fulfilmentsOf(shopifyId)).toHaveLength(1);
    });

    it('a partial shipment fulfils only its lines; the rest, shipped later, is a second fulfilment with its own tracking', async () => {
      const { id, webhookSecret } = await shopifySetup();
      const { order, skus, shopifyId } = await shopifyOrder(id, webhookSecret, [3, 1]);
      const first = tracking();
      await shipOrder(order.id, first, [{ sku: skus[0], quantity: 2 }]).expect(200);
      await eventually(async () => (fulfilmentsOf(shopifyId).length === 1 ? true : undefined), { what: 'the first fulfilment' });
      expect(fulfilmentsOf(shopifyId)[0]).toMatchObject({ tracking: { number: first }, lines: [{ sku: skus[0], quantity: 2 }] });

      const second = `ZTO${Date.now()}`;
      await shipOrder(order.id, second, undefined, 'zto').expect(200);
      await eventually(async () => (fulfilmentsOf(shopifyId).length === 2 ? true : undefined), { what: 'the second fulfilment' });
      expect(fulfilmentsOf(shopifyId)[1]).toMatchObject({
        tracking: { number: second, company: 'ZTO Express' },
        lines: expect.arrayContaining([{ sku: skus[0], quantity: 1 }, { sku: skus[1], quantity: 1 }]),
      });
      expect(fulfilmentsOf(shopifyId)[1].lines).toHaveLength(2);
      // recorded sent just after Shopify answered
      await eventually(async () => ((await pushRows(id)).every((row: { status: string }) => row.status === 'sent') ? true : undefined), { what: 'both pushes recorded sent' });
      expect(await pushRows(id)).toHaveLength(2);
    });

    it('Shopify failing twice: retried with backoff, fulfilled once', async () => {
      const { id, webhookSecret } = await shopifySetup();
      const { order, shopifyId } = await shopifyOrder(id, webhookSecret, [1]);
      shopify.failNext = 2;
      await shipOrder(order.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(id))[0]?.status === 'sent' ? true : undefined), { what: 'the push sent after two failures' });
      expect(shopify.failNext).toBe(0);
      expect(await pushRows(id)).toMatchObject([{ status: 'sent', attempts: 3, lastError: null }]);
      expect(fulfilmentsOf(shopifyId)).toHaveLength(1);
    });

    it('a refusal (the access token no longer valid) is a dead letter: system alert, connector failing; retried on request once fixed', async () => {
      const { id, webhookSecret } = await shopifySetup();
      const { order, shopifyId } = await shopifyOrder(id, webhookSecret, [1]);
      const refusedBefore = shopify.refused.length;
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ secrets: { accessToken: `shpat_revoked_${randomBytes(8).toString('hex')}` } }).expect(200);
      await shipOrder(order.id, tracking()).expect(200);
      const [dead] = await eventually(async () => {
        const rows = await pushRows(id);
        return rows[0]?.status === 'dead' ? rows : undefined;
      }, { what: 'the dead letter' });
      expect(dead).toMatchObject({ attempts: 1, lastError: expect.stringContaining('401') });
      expect(shopify.refused.length).toBe(refusedBefore + 1);
      // the alert is written just after the push is marked dead
      const alerts = await eventually(async () => {
        const rows = await db().query(`SELECT message FROM system_alert WHERE kind = 'integration_push_dead' AND reference = $1`, [order.number]);
        return rows.length ? rows : undefined;
      }, { what: 'the dead letter alert' });
      expect(alerts).toHaveLength(1);
      expect(alerts[0].message).not.toContain(shopify.accessToken);
      const failing = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
      expect(failing).toMatchObject({ status: 'failing', lastError: expect.stringContaining('401') });
      // the error never carries the token
      expect(JSON.stringify(failing)).not.toContain(shopify.accessToken);

      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ secrets: { accessToken: shopify.accessToken } }).expect(200);
      await http().post(`/api/integrations/${id}/pushes/${dead.id}/retry`).set(test.auth).expect(200);
      await eventually(async () => (fulfilmentsOf(shopifyId).length === 1 ? true : undefined), { what: 'the fulfilment after the retry' });
      await eventually(async () => ((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body.status === 'active' ? true : undefined));
    });

    it('Shopify refusing the fulfilment itself (422) is dead at once; a SKU the Shopify order lacks is refused without sending a fulfilment', async () => {
      const { id, webhookSecret } = await shopifySetup();
      const { order } = await shopifyOrder(id, webhookSecret, [1]);
      shopify.refuseWith = 422;
      try {
        await shipOrder(order.id, tracking()).expect(200);
        await eventually(async () => ((await pushRows(id))[0]?.status === 'dead' ? true : undefined), { what: 'the refused push' });
      } finally {
        shopify.refuseWith = null;
      }
      expect((await pushRows(id))[0]).toMatchObject({ attempts: 1, lastError: expect.stringContaining('422') });

      // an order of the connector's channel that Shopify does not know those lines of (created through our API)
      const { id: otherId, name } = await shopifyConnector();
      const shopifyId = longId();
      shopify.addOrder(shopifyId, [{ sku: 'NOT-OURS', quantity: 1 }]);
      const { order: own } = await channelOrder(name, shopifyId, [1]);
      const before = shopify.fulfilments.length;
      await shipOrder(own.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(otherId))[0]?.status === 'dead' ? true : undefined), { what: 'the refused push' });
      expect((await pushRows(otherId))[0].lastError).toContain('has no line item with SKU');
      expect(shopify.fulfilments.length).toBe(before);

      // an externalId that is no Shopify order id never becomes part of a URL path
      const { order: typed } = await channelOrder(name, '../../shop', [1]);
      await shipOrder(typed.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(otherId))[1]?.status === 'dead' ? true : undefined), { what: 'the refused push' });
      expect((await pushRows(otherId))[1].lastError).toContain('Shopify order ids are numbers');
    });
  });

  describe('WooCommerce: a tracking note, and status completed once all shipped (OAuth 1.0a over http)', () => {
    const notesOf = (orderId: string) => woo.notes.filter((note) => note.orderId === orderId);
    const statusesOf = (orderId: string) => woo.statuses.filter((status) => status.orderId === orderId);

    it('a partial shipment adds a note naming what left; the rest completes the order with a second note; each signed and sent once', async () => {
      const { id, name } = await wooConnector();
      const wooId = String(Math.floor(Math.random() * 1e8));
      const { order, skus } = await channelOrder(name, wooId, [2, 1]);
      const first = tracking();
      await shipOrder(order.id, first, [{ sku: skus[0], quantity: 2 }]).expect(200);
      await eventually(async () => ((await pushRows(id))[0]?.status === 'sent' ? true : undefined), { what: 'the first push' });
      expect(notesOf(wooId)).toEqual([{ orderId: wooId, note: expect.stringContaining(`顺丰速运 SF Express ${first}`), customerNote: true }]);
      expect(notesOf(wooId)[0].note).toContain(`${skus[0]} × 2; the rest follows`);
      expect(statusesOf(wooId)).toEqual([]);

      const second = tracking();
      await shipOrder(order.id, second).expect(200);
      await eventually(async () => (statusesOf(wooId).length === 1 ? true : undefined), { what: 'the order completed' });
      expect(statusesOf(wooId)).toEqual([{ orderId: wooId, status: 'completed' }]);
      expect(notesOf(wooId)).toHaveLength(2);
      expect(notesOf(wooId)[1].note).toContain(second);
      expect(notesOf(wooId)[1].note).not.toContain('the rest follows');
    });

    it('failing twice: retried, one note, even when the store saved the note but its answer was lost', async () => {
      const { id, name } = await wooConnector();
      const wooId = String(Math.floor(Math.random() * 1e8));
      const { order } = await channelOrder(name, wooId, [1]);
      woo.failNext = 1;
      woo.loseNoteAnswers = 1;
      await shipOrder(order.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(id))[0]?.status === 'sent' ? true : undefined), { what: 'the push after two failures' });
      expect(woo.loseNoteAnswers).toBe(0);
      expect((await pushRows(id))[0].attempts).toBe(3);
      expect(notesOf(wooId)).toHaveLength(1);
      expect(statusesOf(wooId)).toEqual([{ orderId: wooId, status: 'completed' }]);
    });

    it('a wrong consumer secret is refused by the store (the signature does not verify): dead letter, nothing recorded at the store', async () => {
      const { id, name } = await wooConnector();
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ secrets: { consumerSecret: `cs_wrong_${randomBytes(8).toString('hex')}` } }).expect(200);
      const wooId = String(Math.floor(Math.random() * 1e8));
      const { order } = await channelOrder(name, wooId, [1]);
      await shipOrder(order.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(id))[0]?.status === 'dead' ? true : undefined), { what: 'the refused push' });
      expect(notesOf(wooId)).toEqual([]);
      // without REST API keys there is nothing to sign with: refused with a message saying what is missing
      const bare = await connector('woocommerce', { storeUrl: woo.base }, { webhookSecret: 'w' });
      const { order: other } = await channelOrder(bare.name, String(Math.floor(Math.random() * 1e8)), [1]);
      await shipOrder(other.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(bare.id))[0]?.status === 'dead' ? true : undefined));
      expect((await pushRows(bare.id))[0].lastError).toContain('secrets.consumerKey and secrets.consumerSecret');
    });
  });

  describe('Taobao TOP: the waybill sent back (taobao.logistics.offline.send), signed', () => {
    const sendsOf = (tid: string) => top.sends.filter((send) => send.tid === tid);
    const newTid = () => `4${String(Date.now()).slice(-9)}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

    it('the connector kind: appKey, appSecret and sessionKey required, gateway an http(s) URL (422, nothing written)', async () => {
      const name = connectorName('taob');
      await http().post('/api/integrations').set(test.auth).send({ kind: 'taobao', name, settings: {}, secrets: { appSecret: 'a' } }).expect(422);
      await http().post('/api/integrations').set(test.auth).send({ kind: 'taobao', name, settings: { appKey: '1', gateway: 'ftp://x' }, secrets: { appSecret: 'a', sessionKey: 's' } }).expect(422);
      await http().get(`/api/integrations`).set(test.auth).expect(200).then((r) => expect(r.body.items.map((i: { name: string }) => i.name)).not.toContain(name));
      const created = (await http().post('/api/integrations').set(test.auth).send({ kind: 'taobao', name, settings: { appKey: '1' }, secrets: { appSecret: 'a', sessionKey: 's' } }).expect(201)).body;
      expect(created).not.toHaveProperty('webhookUrl'); // TOP is polled, not a webhook
    });

    it('shipped → one signed send-back with tid, out_sid and TOP\'s company code; TOP\'s own failures retried', async () => {
      const { id, name } = await topConnector();
      const tid = newTid();
      const { order } = await channelOrder(name, tid, [1]);
      top.answers.push(topError(15, 'Remote service error', 'isp.logistics-service-unavailable', '服务暂不可用'), topError(7, 'App Call Limited', 'accesscontrol.limited-by-api-access-count', ''));
      const number = `YT${Date.now()}`;
      await shipOrder(order.id, number, undefined, 'yto').expect(200);
      await eventually(async () => ((await pushRows(id))[0]?.status === 'sent' ? true : undefined), { what: 'the send-back' });
      expect(sendsOf(tid)).toEqual([expect.objectContaining({ method: 'taobao.logistics.offline.send', tid, out_sid: number, company_code: 'YTO', app_key: top.appKey, format: 'json', v: '2.0' })]);
      expect((await pushRows(id))[0].attempts).toBe(3);
    });

    it('a trade TOP reports consigned already counts as sent; any other refusal is a dead letter', async () => {
      const { id, name } = await topConnector();
      const { order } = await channelOrder(name, newTid(), [1]);
      top.answers.push(topError(15, 'Remote service error', 'isv.logistics-offline-service-error:B04', '该订单已发货，不能重复发货'));
      await shipOrder(order.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(id))[0]?.status === 'sent' ? true : undefined), { what: 'the already-sent trade counted as done' });
      expect((await pushRows(id))[0].attempts).toBe(1);

      const { order: unknownTrade } = await channelOrder(name, newTid(), [1]);
      top.answers.push(topError(15, 'Remote service error', 'isv.invalid-parameter:tid', '交易不存在'));
      await shipOrder(unknownTrade.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(id))[1]?.status === 'dead' ? true : undefined), { what: 'the refused send-back' });
      expect((await pushRows(id))[1]).toMatchObject({ attempts: 1, lastError: expect.stringContaining('isv.invalid-parameter') });
    });

    it('a forged signature (the wrong app secret) is refused by the gateway: nothing recorded there', async () => {
      const { id, name } = await connector('taobao', { appKey: top.appKey, gateway: `${top.base}/router/rest` }, { appSecret: randomBytes(16).toString('hex'), sessionKey: top.sessionKey });
      const tid = newTid();
      const { order } = await channelOrder(name, tid, [1]);
      await shipOrder(order.id, tracking()).expect(200);
      await eventually(async () => ((await pushRows(id))[0]?.status === 'dead' ? true : undefined));
      expect(sendsOf(tid)).toEqual([]);
    });
  });

  describe('who is told', () => {
    it('an order of a channel with no connector sends nothing; a paused connector\'s push waits and is sent after resume', async () => {
      const before = Number((await db().query(`SELECT count(*)::int AS n FROM integration_push`))[0].n);
      const { order: plain } = await channelOrder('tmall', unique('EXT'), [1]);
      await shipOrder(plain.id, tracking()).expect(200);
      expect(Number((await db().query(`SELECT count(*)::int AS n FROM integration_push`))[0].n)).toBe(before);

      const { id, name } = await topConnector();
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
      const tid = `5${Date.now()}`;
      const { order } = await channelOrder(name, tid, [1]);
      await shipOrder(order.id, tracking()).expect(200);
      await pushes().drain();
      expect(await pushRows(id)).toMatchObject([{ status: 'pending', attempts: 0 }]);
      expect(top.sends.filter((send) => send.tid === tid)).toEqual([]);
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'active' }).expect(200);
      await eventually(async () => (top.sends.some((send) => send.tid === tid) ? true : undefined), { what: 'the push after resume' });
      expect(top.sends.filter((send) => send.tid === tid)).toHaveLength(1);
    });

  });
});

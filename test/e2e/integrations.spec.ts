import { createHmac, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SecretBox } from '../../src/integrations/secret-box';
import { loginClient, startAppProcess } from '../helpers/app-process';
import { eventually, useTestApp } from '../helpers/test-app';
import { stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { createTestDatabase } from '../helpers/test-database';

/** Shopify's documented orders/create sample payload (Order resource shape), unknown fields and all. */
const SAMPLE_TEXT = readFileSync(join(__dirname, '../fixtures/shopify-order-create.json'), 'utf8');
const SAMPLE = JSON.parse(SAMPLE_TEXT) as Record<string, unknown>;
/** The sample's id is beyond 2^53: JSON.parse reads it as ...500, our intake must keep ...508. */
const SAMPLE_ID = '820982911946154508';

const sign = (body: string | Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('base64');
/** A test's own secrets: random, so that finding one anywhere can only mean it leaked. */
const newSecrets = () => ({ webhookSecret: `whsec_${randomBytes(18).toString('hex')}`, accessToken: `shpat_${randomBytes(18).toString('hex')}` });
const connectorName = () => unique('shop').replace(/[^A-Za-z0-9_-]/g, '').slice(-40);

/** A Shopify order body: the sample with a fresh id (as digits beyond 2^53, the way Shopify writes it), overrides applied. */
function shopifyOrder(overrides: Record<string, unknown> = {}): { text: string; id: string } {
  const id = `8${String(Date.now()).slice(-9)}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const text = JSON.stringify({ ...SAMPLE, id: 'ID_PLACEHOLDER', ...overrides }).replace('"ID_PLACEHOLDER"', id);
  return { text, id };
}

/**
 * Issue 15 items 1-3 (G5.2): connectors with write-only secrets, and Shopify's orders/create and orders/updated webhooks
 * at POST /hooks/{id} signed with X-Shopify-Hmac-Sha256, through the same intake as POST /api/orders.
 */
describe('integrations: connectors and the Shopify webhook (G5.2)', () => {
  // a key generated here: what production sets as INTEGRATIONS_KEY
  const test = useTestApp({ env: { INTEGRATIONS_KEY: randomBytes(32).toString('base64') } });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);

  async function createShopify(overrides: Record<string, unknown> = {}) {
    const secrets = newSecrets();
    const name = connectorName();
    const response = await http().post('/api/integrations').set(test.auth).send({ kind: 'shopify', name, settings: { shopDomain: 'oms-test.myshopify.com' }, secrets, ...overrides }).expect(201);
    return { id: response.body.id as string, name, secrets, created: response.body };
  }

  const deliver = (id: string, body: string, headers: Record<string, string>) =>
    http().post(`/hooks/${id}`).set({ 'Content-Type': 'application/json', ...headers }).send(body);
  const signedHeaders = (body: string, secret: string, topic = 'orders/create', webhookId: string = randomUUID()) => ({
    'X-Shopify-Hmac-Sha256': sign(body, secret),
    'X-Shopify-Topic': topic,
    'X-Shopify-Webhook-Id': webhookId,
    'X-Shopify-Shop-Domain': 'oms-test.myshopify.com',
  });
  const ordersOf = async (channel: string) => (await http().get('/api/orders').query({ channel, pageSize: 200 }).set(test.auth).expect(200)).body;
  const deliveriesOf = async (id: string) => Number((await db().query(`SELECT count(*)::int AS n FROM integration_delivery WHERE integration_id = $1`, [id]))[0].n);

  describe('connector CRUD', () => {
    it('POST 201 {id, kind, name, status, webhookUrl}; GET one and the list show settings, counts and the secrets\' names, never their values', async () => {
      const { id, name, secrets, created } = await createShopify();
      expect(created).toMatchObject({ id: expect.any(String), kind: 'shopify', name, status: 'active', webhookUrl: expect.stringMatching(new RegExp(`/hooks/${id}$`)) });
      const one = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
      expect(one).toMatchObject({
        id, kind: 'shopify', name, status: 'active', lastSyncAt: null, lastError: null,
        counts: { ordersCreated: 0, duplicates: 0, rejected: 0 },
        settings: { shopDomain: 'oms-test.myshopify.com' },
        secretKeys: ['accessToken', 'webhookSecret'],
      });
      const list = (await http().get('/api/integrations').set(test.auth).expect(200)).body;
      expect(list).toMatchObject({ page: 1, pageSize: 50, total: expect.any(Number) });
      expect(list.items.map((item: { id: string }) => item.id)).toContain(id);
      for (const answer of [created, one, list]) {
        expect(answer).not.toHaveProperty('secrets');
        for (const value of Object.values(secrets)) expect(JSON.stringify(answer)).not.toContain(value);
      }
    });

    it('stores the secrets sealed (AES-256-GCM), not readable in the table', async () => {
      const { id, secrets } = await createShopify();
      const [row] = await db().query(`SELECT * FROM integration WHERE id = $1`, [id]);
      expect(row.secrets_sealed).toMatch(/^v1\.[0-9a-f]{16}\./);
      for (const value of Object.values(secrets)) expect(JSON.stringify(row)).not.toContain(value);
    });

    it('secrets sealed with another INTEGRATIONS_KEY: 409 naming the key id, never a 500', async () => {
      const { id, secrets } = await createShopify();
      const other = new SecretBox(randomBytes(32));
      await db().query(`UPDATE integration SET secrets_sealed = $2 WHERE id = $1`, [id, other.seal(secrets, id)]);
      const patched = await http().patch(`/api/integrations/${id}`).set(test.auth).send({ secrets: { accessToken: 'shpat_new' } }).expect(409);
      expect(patched.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining(other.keyId) });
      await http().post(`/api/integrations/${id}/test`).set(test.auth).expect(409);
      const { text } = shopifyOrder();
      await deliver(id, text, signedHeaders(text, secrets.webhookSecret)).expect(409);
      // the other fields can still be changed, and the connector deleted
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
      await http().delete(`/api/integrations/${id}`).set(test.auth).expect(204);
    });

    it('PATCH renames, merges settings and secrets (null removes), pauses and resumes; DELETE 204, then 404', async () => {
      const { id } = await createShopify();
      const renamed = connectorName();
      const rotated = `whsec_${randomBytes(18).toString('hex')}`;
      const patched = (await http().patch(`/api/integrations/${id}`).set(test.auth)
        .send({ name: renamed, settings: { apiVersion: '2025-04', shopDomain: null }, secrets: { webhookSecret: rotated, accessToken: null }, status: 'paused' }).expect(200)).body;
      expect(patched).toMatchObject({ name: renamed, status: 'paused', settings: { apiVersion: '2025-04' }, secretKeys: ['webhookSecret'] });
      expect(patched.settings).not.toHaveProperty('shopDomain');
      expect(JSON.stringify(patched)).not.toContain(rotated);
      expect((await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'active' }).expect(200)).body.status).toBe('active');
      // the required secret cannot be removed
      const refused = await http().patch(`/api/integrations/${id}`).set(test.auth).send({ secrets: { webhookSecret: null } }).expect(422);
      expect(refused.body.error.details).toEqual([{ path: 'secrets.webhookSecret', message: expect.stringContaining('required') }]);
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'failing' }).expect(422);
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ kind: 'woocommerce' }).expect(422);
      await http().delete(`/api/integrations/${id}`).set(test.auth).expect(204);
      expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(404)).body.error.code).toBe('not_found');
      await http().delete(`/api/integrations/${id}`).set(test.auth).expect(404);
      await http().patch(`/api/integrations/${randomUUID()}`).set(test.auth).send({ status: 'paused' }).expect(404);
      await http().get('/api/integrations/not-a-uuid').set(test.auth).expect(404);
    });

    it('409 conflict for a name taken (also by a rename); 422 for an unknown kind, a name that is no channel, missing secrets; nothing written', async () => {
      const { id, name } = await createShopify();
      const other = await createShopify();
      const before = (await http().get('/api/integrations').set(test.auth).expect(200)).body.total;
      const duplicate = await http().post('/api/integrations').set(test.auth).send({ kind: 'woocommerce', name, secrets: { webhookSecret: 'x' } }).expect(409);
      expect(duplicate.body.error.code).toBe('conflict');
      expect((await http().patch(`/api/integrations/${other.id}`).set(test.auth).send({ name }).expect(409)).body.error.code).toBe('conflict');

      const refusals: Array<[Record<string, unknown>, string]> = [
        [{ kind: 'ebay', name: connectorName(), secrets: { webhookSecret: 'x' } }, 'kind'],
        [{ name: connectorName(), secrets: { webhookSecret: 'x' } }, 'kind'],
        [{ kind: 'shopify', name: 'my shop', secrets: { webhookSecret: 'x' } }, 'name'],
        [{ kind: 'shopify', name: '天猫旗舰店', secrets: { webhookSecret: 'x' } }, 'name'],
        [{ kind: 'shopify', name: 'x'.repeat(41), secrets: { webhookSecret: 'x' } }, 'name'],
        [{ kind: 'shopify', name: '-leading', secrets: { webhookSecret: 'x' } }, 'name'],
        [{ kind: 'shopify', name: connectorName() }, 'secrets'],
        [{ kind: 'shopify', name: connectorName(), secrets: {} }, 'secrets.webhookSecret'],
        [{ kind: 'shopify', name: connectorName(), secrets: { webhookSecret: '' } }, 'secrets.webhookSecret'],
        [{ kind: 'shopify', name: connectorName(), secrets: { webhookSecret: 42 } }, 'secrets.webhookSecret'],
        [{ kind: 'shopify', name: connectorName(), secrets: 'whsec' }, 'secrets'],
        [{ kind: 'shopify', name: connectorName(), settings: { apiBaseUrl: 'ftp://x' }, secrets: { webhookSecret: 'x' } }, 'settings.apiBaseUrl'],
        [{ kind: 'shopify', name: connectorName(), secrets: { webhookSecret: 'x' }, channel: 'extra' }, 'channel'],
      ];
      for (const [body, path] of refusals) {
        const response = await http().post('/api/integrations').set(test.auth).send(body);
        expect({ body, status: response.status, code: response.body.error?.code }).toEqual({ body, status: 422, code: 'validation_failed' });
        expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
      }
      expect((await http().get('/api/integrations').set(test.auth).expect(200)).body.total).toBe(before);
      await http().get(`/api/integrations/${id}`).set(test.auth).expect(200);
    });

    it('every kind of the contract is accepted, with webhookUrl for those the provider calls', async () => {
      const publicKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const kinds: Record<string, { secrets: Record<string, string>; settings?: Record<string, string> }> = {
        woocommerce: { secrets: { webhookSecret: 'w' } },
        alipay: { secrets: { alipayPublicKey: 'k' }, settings: { appId: '2015102700040153' } },
        wechatpay: { secrets: { apiV3Key: randomBytes(16).toString('hex') }, settings: { platformCertificate: publicKeyPem, mchid: '1230000109' } },
        kuaidi100: { secrets: { key: 'k' } }, wms: { secrets: { signingSecret: 's' } },
      };
      for (const [kind, { secrets, settings }] of Object.entries(kinds)) {
        const created = (await http().post('/api/integrations').set(test.auth).send({ kind, name: connectorName(), secrets, settings }).expect(201)).body;
        expect(created).toMatchObject({ kind, status: 'active' });
        if (kind === 'wms') expect(created).not.toHaveProperty('webhookUrl');
        else expect(created.webhookUrl).toMatch(/\/hooks\/[0-9a-f-]{36}$/);
      }
    });

    it('integrations.manage: 403 for a role without it (operator, integration), 401 without a token', async () => {
      const { id } = await createShopify();
      const operator = await userWithRoles(test.app, 'operator');
      const integration = await userWithRoles(test.app, 'integration');
      const calls = [
        () => http().get('/api/integrations'),
        () => http().post('/api/integrations').send({ kind: 'shopify', name: connectorName(), secrets: { webhookSecret: 'x' } }),
        () => http().get(`/api/integrations/${id}`),
        () => http().patch(`/api/integrations/${id}`).send({ status: 'paused' }),
        () => http().delete(`/api/integrations/${id}`),
        () => http().post(`/api/integrations/${id}/test`),
      ];
      for (const call of calls) {
        for (const user of [operator, integration]) expect((await call().set(user.auth).expect(403)).body.error.code).toBe('forbidden');
        expect((await call().expect(401)).body.error.code).toBe('unauthorized');
      }
      expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body.status).toBe('active');
    });

    it('the audit log records create, update and delete with the secrets\' names only', async () => {
      const { id, secrets } = await createShopify();
      const rotated = `shpat_${randomBytes(18).toString('hex')}`;
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ secrets: { accessToken: rotated } }).expect(200);
      await http().delete(`/api/integrations/${id}`).set(test.auth).expect(204);
      const entries = (await http().get('/api/audit-log').query({ action: 'integration', pageSize: 200 }).set(test.auth).expect(200)).body.items
        .filter((entry: { target: string }) => entry.target === `integration:${id}`);
      expect(entries.map((entry: { action: string }) => entry.action).sort()).toEqual(['integration.create', 'integration.delete', 'integration.update']);
      expect(entries.find((entry: { action: string }) => entry.action === 'integration.update').details).toMatchObject({ secretsSet: ['accessToken'] });
      const stored = JSON.stringify(await db().query(`SELECT * FROM audit_log WHERE target = $1`, [`integration:${id}`]));
      for (const value of [...Object.values(secrets), rotated]) expect(stored).not.toContain(value);
    });
  });

  describe('POST /api/integrations/{id}/test against a local fake of the Shopify Admin API', () => {
    let fake: Server;
    let base: string;
    const seen: Array<{ url?: string; token?: string | string[] }> = [];
    const goodToken = `shpat_${randomBytes(18).toString('hex')}`;

    beforeAll(async () => {
      fake = createServer((request: IncomingMessage, response) => {
        seen.push({ url: request.url, token: request.headers['x-shopify-access-token'] });
        const ok = request.url === '/admin/api/2025-07/shop.json' && request.headers['x-shopify-access-token'] === goodToken;
        response.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(ok ? { shop: { name: '测试小店', myshopify_domain: 'oms-test.myshopify.com' } } : { errors: '[API] Invalid API key or access token' }));
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    });
    afterAll(async () => new Promise<void>((resolve) => fake.close(() => resolve())));

    it('ok with the right access token; not ok (and the connector failing with lastError) with a wrong one, ok again after the fix', async () => {
      const { id } = await createShopify({ settings: { shopDomain: 'oms-test.myshopify.com', apiBaseUrl: base }, secrets: { webhookSecret: 'w', accessToken: goodToken } });
      expect((await http().post(`/api/integrations/${id}/test`).set(test.auth).expect(200)).body).toEqual({ ok: true, message: expect.stringContaining('测试小店') });
      expect(seen.at(-1)).toEqual({ url: '/admin/api/2025-07/shop.json', token: goodToken });

      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ secrets: { accessToken: 'shpat_wrong' } }).expect(200);
      const refused = (await http().post(`/api/integrations/${id}/test`).set(test.auth).expect(200)).body;
      expect(refused).toEqual({ ok: false, message: expect.stringContaining('401') });
      expect(refused.message).not.toContain('shpat_wrong');
      const failing = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
      expect(failing).toMatchObject({ status: 'failing', lastError: expect.stringContaining('401') });

      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ secrets: { accessToken: goodToken } }).expect(200);
      expect((await http().post(`/api/integrations/${id}/test`).set(test.auth).expect(200)).body.ok).toBe(true);
      expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body.status).toBe('active');
    });

    it('not ok without a shop domain or access token, or when the shop is out of reach', async () => {
      const noDomain = await createShopify({ settings: {}, secrets: { webhookSecret: 'w', accessToken: goodToken } });
      expect((await http().post(`/api/integrations/${noDomain.id}/test`).set(test.auth).expect(200)).body).toEqual({ ok: false, message: expect.stringContaining('shopDomain') });
      const noToken = await createShopify({ settings: { apiBaseUrl: base }, secrets: { webhookSecret: 'w' } });
      expect((await http().post(`/api/integrations/${noToken.id}/test`).set(test.auth).expect(200)).body).toEqual({ ok: false, message: expect.stringContaining('accessToken') });
      const away = await createShopify({ settings: { apiBaseUrl: 'http://127.0.0.1:9' }, secrets: { webhookSecret: 'w', accessToken: goodToken } });
      expect((await http().post(`/api/integrations/${away.id}/test`).set(test.auth).expect(200)).body).toEqual({ ok: false, message: expect.stringContaining('could not be reached') });
      await http().post(`/api/integrations/${randomUUID()}/test`).set(test.auth).expect(404);
    });
  });

  describe('POST /hooks/{id} (Shopify)', () => {
    it('the documented sample order: 200 and exactly one order, channel = the connector, externalId = the 64-bit id, fields mapped, problems flagged', async () => {
      const { id, name, secrets } = await createShopify();
      const response = await deliver(id, SAMPLE_TEXT, signedHeaders(SAMPLE_TEXT, secrets.webhookSecret)).expect(200);
      expect(response.body).toMatchObject({ received: true, outcome: 'created', orderId: expect.any(String) });
      const orders = await ordersOf(name);
      expect(orders.total).toBe(1);
      const order = (await http().get(`/api/orders/${response.body.orderId}`).set(test.auth).expect(200)).body;
      expect(order).toMatchObject({
        channel: name,
        externalId: SAMPLE_ID,
        status: 'pending_payment',
        customer: { name: 'Steve Shipper', phone: '555-555-SHIP', email: 'jon@example.com' },
        shippingAddress: { province: 'Kentucky', city: 'Shippington', line1: '123 Shipping Street', postalCode: '40003', country: 'US' },
        lines: [
          { sku: 'IPOD2008PINK', quantity: 1, unitPrice: '199.00' },
          { sku: 'IPOD2008BLACK', quantity: 1, unitPrice: '199.00' },
        ],
        totals: { items: '398.00', shipping: '10.00', grand: '408.00' },
        payment: { method: 'shopify', status: 'pending' },
      });
      // business problems are flagged by the workflow's review, not refused (G1.2)
      const flags = await eventually(async () => {
        const codes = (await http().get(`/api/orders/${order.id}`).set(test.auth).expect(200)).body.flags.map((flag: { code: string }) => flag.code);
        return codes.length ? codes : undefined;
      }, { what: 'the review to flag the sample order' });
      expect(flags).toEqual(expect.arrayContaining(['unknown_sku', 'phone_invalid', 'outside_delivery_area']));
      expect(order.history[0].by).toBe(`integration:${name}`);
    });

    it('a paid order with stocked SKUs reaches awaiting_shipment through the workflow with no call to our API; repeats and orders/updated make no second order', async () => {
      const { id, name, secrets } = await createShopify();
      const [skuA, skuB] = [unique('SHP'), unique('SHP')];
      await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [skuA]: 10, [skuB]: 10 });
      const { text, id: shopifyId } = shopifyOrder({
        email: 'zhang.san@example.cn',
        phone: '+8613800138000',
        financial_status: 'paid',
        total_price: '128.80',
        line_items: [
          { ...(SAMPLE.line_items as object[])[0], sku: skuA, quantity: 2, price: '39.9' },
          { ...(SAMPLE.line_items as object[])[1], sku: skuB, quantity: 1, price: '39' },
        ],
        shipping_lines: [{ price: '10.00', title: '顺丰速运' }],
        shipping_address: { name: '张三', phone: '13800138000', province: 'Zhejiang', city: '杭州市', address1: '文三路 100 号', address2: '3 单元 501', zip: '310000', country: 'China', country_code: 'CN' },
      });
      const first = await deliver(id, text, signedHeaders(text, secrets.webhookSecret, 'orders/create', 'delivery-1')).expect(200);
      expect(first.body.outcome).toBe('created');
      const order = await eventually(async () => {
        const current = (await http().get(`/api/orders/${first.body.orderId}`).set(test.auth).expect(200)).body;
        return current.status === 'awaiting_shipment' ? current : undefined;
      }, { what: 'the Shopify order to await shipment' });
      expect(order).toMatchObject({
        externalId: shopifyId,
        flags: [],
        customer: { name: '张三', phone: '13800138000', email: 'zhang.san@example.cn' },
        shippingAddress: { province: 'Zhejiang', city: '杭州市', line1: '文三路 100 号 3 单元 501', postalCode: '310000', country: 'CN' },
        lines: [{ sku: skuA, quantity: 2, unitPrice: '39.90', reserved: 2 }, { sku: skuB, quantity: 1, unitPrice: '39.00', reserved: 1 }],
        payment: { status: 'paid', amount: '128.80' },
      });

      // the same delivery again, and the same order again under another webhook id (orders/updated): one order
      expect((await deliver(id, text, signedHeaders(text, secrets.webhookSecret, 'orders/create', 'delivery-1')).expect(200)).body).toMatchObject({ outcome: 'created', repeated: true });
      expect((await deliver(id, text, signedHeaders(text, secrets.webhookSecret, 'orders/updated', 'delivery-2')).expect(200)).body).toMatchObject({ outcome: 'duplicate', orderId: order.id });
      const again = text.replace('"note":null', '"note":"请尽快发货"');
      expect(again).not.toBe(text);
      expect((await deliver(id, again, signedHeaders(again, secrets.webhookSecret, 'orders/updated', 'delivery-3')).expect(200)).body.outcome).toBe('duplicate');
      expect((await ordersOf(name)).total).toBe(1);
      const view = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
      expect(view).toMatchObject({ status: 'active', lastError: null, lastSyncAt: expect.any(String), counts: { ordersCreated: 1, duplicates: 2, rejected: 0 } });
    });

    it('a discounted paid order (a code on one line, an order discount, free shipping) matches its payment and reaches awaiting_shipment unheld', async () => {
      const { id, secrets } = await createShopify();
      const [skuA, skuB] = [unique('SHP'), unique('SHP')];
      await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [skuA]: 10, [skuB]: 10 });
      const { text } = shopifyOrder({
        financial_status: 'paid', total_price: '104.90', total_discounts: '15.00', taxes_included: true,
        line_items: [
          { ...(SAMPLE.line_items as object[])[0], sku: skuA, quantity: 3, price: '33.30', discount_allocations: [{ amount: '10.00', discount_application_index: 0 }] },
          { ...(SAMPLE.line_items as object[])[1], sku: skuB, quantity: 1, price: '20.00', discount_allocations: [{ amount: '5.00', discount_application_index: 1 }] },
        ],
        shipping_lines: [{ price: '10.00', discounted_price: '0.00', title: '包邮' }],
        shipping_address: { name: '王五', phone: '13700137000', province: '浙江省', city: '杭州市', address1: '文三路 100 号', zip: '310000', country_code: 'CN' },
      });
      const created = await deliver(id, text, signedHeaders(text, secrets.webhookSecret)).expect(200);
      const order = await eventually(async () => {
        const current = (await http().get(`/api/orders/${created.body.orderId}`).set(test.auth).expect(200)).body;
        return current.status === 'awaiting_shipment' ? current : undefined;
      }, { what: 'the discounted order to await shipment' });
      expect(order).toMatchObject({ flags: [], totals: { grand: '104.90' }, payment: { status: 'paid', amount: '104.90' } });
      // 89.90 for three does not divide: two lines of the SKU a cent apart, reserved and allocated like any other
      expect(order.lines).toMatchObject([
        { sku: skuA, quantity: 1, unitPrice: '29.96', reserved: 1 }, { sku: skuA, quantity: 2, unitPrice: '29.97', reserved: 2 },
        { sku: skuB, quantity: 1, unitPrice: '15.00', reserved: 1 },
      ]);
    });

    it('orders/updated of an order taken unpaid that Shopify reports paid records the payment on the same order', async () => {
      const { id, name, secrets } = await createShopify();
      const sku = unique('SHP');
      await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
      const fields = {
        financial_status: 'pending', total_price: '59.80', shipping_lines: [],
        line_items: [{ ...(SAMPLE.line_items as object[])[0], sku, quantity: 2, price: '29.90' }],
        shipping_address: { name: '李四', phone: '13900139000', province: '上海市', city: '上海市', address1: '南京西路 1 号', zip: '200000', country_code: 'CN' },
      };
      const pending = shopifyOrder(fields);
      const created = await deliver(id, pending.text, signedHeaders(pending.text, secrets.webhookSecret)).expect(200);
      expect((await http().get(`/api/orders/${created.body.orderId}`).set(test.auth).expect(200)).body.status).toBe('pending_payment');
      const paid = JSON.stringify({ ...JSON.parse(pending.text), id: 0, financial_status: 'paid' }).replace('"id":0', `"id":${pending.id}`);
      expect((await deliver(id, paid, signedHeaders(paid, secrets.webhookSecret, 'orders/updated')).expect(200)).body).toMatchObject({ outcome: 'updated', orderId: created.body.orderId });
      await eventually(async () => ((await http().get(`/api/orders/${created.body.orderId}`).set(test.auth).expect(200)).body.status === 'awaiting_shipment' ? true : undefined), { what: 'the paid order to await shipment' });
      const order = (await http().get(`/api/orders/${created.body.orderId}`).set(test.auth).expect(200)).body;
      expect(order.payment).toMatchObject({ status: 'paid', amount: '59.80', reference: `shopify:${pending.id}` });
      expect((await ordersOf(name)).total).toBe(1);
    });

    it('a tampered body, a wrong signature or none: 401 and nothing written', async () => {
      const { id, name, secrets } = await createShopify();
      const { text } = shopifyOrder();
      const tampered = text.replace('"total_price":"408.00"', '"total_price":"0.01"');
      expect(tampered).not.toBe(text);
      const attempts: Array<[string, Record<string, string>]> = [
        [tampered, signedHeaders(text, secrets.webhookSecret)],
        [text, signedHeaders(text, 'not-the-secret')],
        [text, { ...signedHeaders(text, secrets.webhookSecret), 'X-Shopify-Hmac-Sha256': '' }],
        [text, { ...signedHeaders(text, secrets.webhookSecret), 'X-Shopify-Hmac-Sha256': 'bm90IGJhc2U2NA==' }],
        [text, { 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Webhook-Id': randomUUID() }],
        // the signature of the body in hex instead of base64
        [text, { ...signedHeaders(text, secrets.webhookSecret), 'X-Shopify-Hmac-Sha256': createHmac('sha256', secrets.webhookSecret).update(text).digest('hex') }],
      ];
      for (const [body, headers] of attempts) {
        const response = await deliver(id, body, headers);
        expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 401, code: 'unauthorized' });
      }
      expect((await ordersOf(name)).total).toBe(0);
      expect(await deliveriesOf(id)).toBe(0);
      expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body).toMatchObject({ status: 'active', lastError: null, lastSyncAt: null });
    });

    it('404 for an unknown connector; 404 for a connector of a kind whose webhooks are not handled here', async () => {
      const { text } = shopifyOrder();
      expect((await deliver(randomUUID(), text, signedHeaders(text, 'x')).expect(404)).body.error.code).toBe('not_found');
      await deliver('not-a-connector', text, signedHeaders(text, 'x')).expect(404);
      const wms = (await http().post('/api/integrations').set(test.auth).send({ kind: 'wms', name: connectorName(), secrets: { signingSecret: 's' } }).expect(201)).body;
      await deliver(wms.id, text, signedHeaders(text, 's')).expect(404);
    });

    it('a paused connector answers 503 with Retry-After (the provider sends it again) and writes nothing; resumed, the same delivery is taken', async () => {
      const { id, name, secrets } = await createShopify();
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
      const { text } = shopifyOrder();
      const headers = signedHeaders(text, secrets.webhookSecret);
      const paused = await deliver(id, text, headers).expect(503);
      expect(paused.body.error.code).toBe('service_unavailable');
      expect(Number(paused.headers['retry-after'])).toBeGreaterThan(0);
      // the signature is still checked first
      await deliver(id, text, signedHeaders(text, 'wrong')).expect(401);
      expect((await ordersOf(name)).total).toBe(0);
      expect(await deliveriesOf(id)).toBe(0);
      await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'active' }).expect(200);
      expect((await deliver(id, text, headers).expect(200)).body.outcome).toBe('created');
      expect((await ordersOf(name)).total).toBe(1);
    });

    it('an order our intake cannot take is 422, counted as rejected and shown as lastError (failing); other topics are acknowledged and ignored', async () => {
      const { id, name, secrets } = await createShopify();
      const { text } = shopifyOrder({ line_items: [] });
      const refused = await deliver(id, text, signedHeaders(text, secrets.webhookSecret)).expect(422);
      expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'lines', message: expect.any(String) }] });
      const notJson = '{"id": 1, ';
      expect((await deliver(id, notJson, signedHeaders(notJson, secrets.webhookSecret)).expect(400)).body.error.code).toBe('bad_request');
      let view = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
      expect(view).toMatchObject({ status: 'failing', lastError: expect.stringContaining('not valid JSON'), counts: { ordersCreated: 0, rejected: 2 } });
      const [{ error }] = await db().query(`SELECT error FROM integration_delivery WHERE integration_id = $1 AND error LIKE '%lines%'`, [id]);
      expect(error).toContain('at least one line');

      const product = '{"id": 632910392, "title": "IPod Nano - 8GB"}';
      expect((await deliver(id, product, signedHeaders(product, secrets.webhookSecret, 'products/create')).expect(200)).body.outcome).toBe('ignored');
      const { text: good } = shopifyOrder();
      await deliver(id, good, signedHeaders(good, secrets.webhookSecret)).expect(200);
      view = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
      expect(view).toMatchObject({ status: 'active', counts: { ordersCreated: 1, rejected: 2, ignored: 1 } });
      expect((await ordersOf(name)).total).toBe(1);
    });

    it('the body is verified as the bytes sent, whatever the content type (no re-serialised JSON)', async () => {
      const { id, secrets } = await createShopify();
      const { text } = shopifyOrder();
      const spaced = text.replace(/,"/g, ', "'); // same JSON, other bytes
      expect((await deliver(id, spaced, signedHeaders(spaced, secrets.webhookSecret)).set('Content-Type', 'application/json; charset=utf-8').expect(200)).body.outcome).toBe('created');
      await deliver(id, spaced, signedHeaders(text, secrets.webhookSecret)).expect(401);
    });
  });

  it('the other routes keep their JSON body parsing (POST /api/orders still 422s on unknown fields)', async () => {
    const response = await http().post('/api/orders').set(test.auth).send({ channel: 'x', unknownField: 1 }).expect(422);
    expect(response.body.error.code).toBe('validation_failed');
  });
});

/** The real service's log output (everything, at trace level) never holds a connector's secret. */
describe('integrations: secrets never reach the log (child process)', () => {
  it('create, test, rotate, deliveries good and bad, on a generated key: no secret value in the output', async () => {
    const database = await createTestDatabase();
    const secrets = newSecrets();
    const rotated = `whsec_${randomBytes(18).toString('hex')}`;
    // without INTEGRATIONS_KEY (production): a key is generated and kept in the database, with a warning to set one
    const app = await startAppProcess({ ...database.env, ADMIN_EMAIL: 'admin@test.local', ADMIN_PASSWORD: 'admin-password-1', LOG_LEVEL: 'trace', INTEGRATIONS_KEY: '' });
    try {
      const api = await loginClient(app, 'admin@test.local', 'admin-password-1');
      const created = await api('POST', '/api/integrations', { kind: 'shopify', name: 'log-check', settings: { apiBaseUrl: 'http://127.0.0.1:9' }, secrets });
      expect(created.status).toBe(201);
      expect((await api('POST', '/api/integrations', { kind: 'shopify', name: 'log check', secrets })).status).toBe(422);
      expect((await api('POST', `/api/integrations/${created.body.id}/test`)).body.ok).toBe(false);
      const { text } = shopifyOrder();
      const post = (body: string, secret: string) => fetch(`${app.url}/hooks/${created.body.id}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...signedHeaders(body, secret) }, body });
      expect((await post(text, secrets.webhookSecret)).status).toBe(200);
      expect((await post(text, 'wrong')).status).toBe(401);
      const empty = shopifyOrder({ line_items: [] }).text;
      expect((await post(empty, secrets.webhookSecret)).status).toBe(422);
      expect((await api('PATCH', `/api/integrations/${created.body.id}`, { secrets: { webhookSecret: rotated } })).status).toBe(200);
      expect((await api('PATCH', `/api/integrations/${created.body.id}`, { secrets: { webhookSecret: 7 } })).status).toBe(422);
      const output = app.output();
      expect(output).toMatch(/rejected/); // the log did record the deliveries' problems
      expect(output).toContain('INTEGRATIONS_KEY is not set');
      for (const value of [...Object.values(secrets), rotated]) expect(output).not.toContain(value);
    } finally {
      await app.kill('SIGTERM');
      await database.drop();
    }
  }, 120_000);

  function signedHeaders(body: string, secret: string) {
    return { 'X-Shopify-Hmac-Sha256': sign(body, secret), 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Webhook-Id': randomUUID() };
  }
});

import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IntegrationPushesService } from '../../src/integrations/outbound/integration-pushes.service';
import { FakeShopify, FakeTaobao, FakeWooCommerce } from '../helpers/fake-shop-stock';
import { orderBody, stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp, useTestApp } from '../helpers/test-app';

const PUSH_ENV = { INTEGRATION_PUSH_RETRY_MS: '100', INTEGRATION_PUSH_MAX_ATTEMPTS: '4', INTEGRATION_PUSH_POLL_MS: '100' };

/**
 * Issue 15 item 2, stock sync (库存同步): every change of a SKU's available quantity reaches each shop connector that syncs
 * stock, less its buffer, coalesced, through the connectors' outbox; a resync queues every SKU. Against local fakes of
 * Shopify (GraphQL Admin API, access token), WooCommerce (REST v3, Basic auth) and Taobao TOP (signed form calls).
 */
describe('stock sync to the shop platforms (issue 15 item 2)', () => {
  const test = useTestApp({ env: { INTEGRATIONS_KEY: randomBytes(32).toString('base64'), ...PUSH_ENV } });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);
  const token = () => test.auth.Authorization.slice(7);
  // each test its own platforms and connectors (removed after it), so that what a fake was told comes from one connector
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function started<Fake extends { start(): Promise<Fake>; stop(): Promise<void> }>(fake: Fake): Promise<Fake> {
    await fake.start();
    cleanups.push(() => fake.stop());
    return fake;
  }

  const name = (prefix: string) => unique(prefix).replace(/[^A-Za-z0-9_-]/g, '').slice(-40);
  const bodies = {
    shopify: (fake: FakeShopify, settings: Record<string, unknown>) => ({
      kind: 'shopify', name: name('shopify'),
      settings: { apiBaseUrl: fake.url, locationId: fake.locationId, ...settings },
      secrets: { webhookSecret: randomBytes(16).toString('hex'), accessToken: fake.accessToken },
    }),
    woocommerce: (fake: FakeWooCommerce, settings: Record<string, unknown>) => ({
      kind: 'woocommerce', name: name('woo'),
      settings: { storeUrl: fake.url, ...settings },
      secrets: { webhookSecret: randomBytes(16).toString('hex'), consumerKey: fake.consumerKey, consumerSecret: fake.consumerSecret },
    }),
    taobao: (fake: FakeTaobao, settings: Record<string, unknown>) => ({
      kind: 'taobao', name: name('taobao'),
      settings: { appKey: fake.appKey, gateway: `${fake.url}/router/rest`, ...settings },
      secrets: { appSecret: fake.appSecret, sessionKey: fake.sessionKey },
    }),
  };
  const connect = async (body: Record<string, unknown>): Promise<string> => {
    const { id } = (await http().post('/api/integrations').set(test.auth).send(body).expect(201)).body;
    cleanups.push(() => http().delete(`/api/integrations/${id}`).set(test.auth).expect(204));
    return id;
  };
  const pushesOf = (id: string, sku?: string): Promise<Array<{ id: string; push_key: string; status: string; attempts: number; last_error: string | null }>> =>
    db().query(`SELECT id::text, push_key, status, attempts, last_error FROM integration_push WHERE integration_id = $1 AND ($2::text IS NULL OR push_key = 'stock:' || $2) ORDER BY id`, [id, sku ?? null]);
  /** Nothing of the connector waiting or being sent (its initial resync done). */
  const settled = (id: string) => eventually(async () => ((await pushesOf(id)).every((push) => push.status === 'sent' || push.status === 'dead') ? true : undefined), { what: 'the connector\'s pushes to settle' });
  const adjust = (app: TestApp, warehouse: string, sku: string, delta: number) =>
    app.http.post('/api/inventory/adjustments').set(test.auth).send({ warehouse, sku, delta, reason: 'stock sync test' }).expect((response) => {
      if (response.status >= 300) throw new Error(`adjustment answered ${response.status}: ${JSON.stringify(response.body)}`);
    });
  const orderStatus = async (id: string) => (await http().get(`/api/orders/${id}`).set(test.auth).expect(200)).body.status;
  const lastSetIs = (fake: { setsOf(sku: string): number[] }, sku: string, quantity: number, after: number) =>
    eventually(async () => (fake.setsOf(sku).length > after && fake.setsOf(sku).at(-1) === quantity ? true : undefined), { what: `${sku} at ${quantity} on the platform (seen ${fake.setsOf(sku).join(',')})` });

  describe.each([
    ['shopify', () => new FakeShopify(), (fake: FakeShopify, sku: string) => fake.list(sku)],
    ['woocommerce (a variation)', () => new FakeWooCommerce(), (fake: FakeWooCommerce, sku: string) => { fake.list(sku); fake.variations.add(sku); }],
    ['woocommerce (a simple product)', () => new FakeWooCommerce(), (fake: FakeWooCommerce, sku: string) => fake.list(sku)],
    ['taobao (a SKU of an item)', () => new FakeTaobao(), (fake: FakeTaobao, sku: string) => fake.list(sku)],
    ['taobao (an item without SKUs)', () => new FakeTaobao(), (fake: FakeTaobao, sku: string) => { fake.list(sku); fake.plainItems.add(sku); }],
  ] as const)('%s', (label, makeFake, listOnPlatform) => {
    it('an order\'s reservation, a cancel\'s release and a receipt each reach the platform, less the buffer', async () => {
      const fake = await started(makeFake());
      const kind = label.split(' ')[0] as keyof typeof bodies;
      const sku = unique('SS');
      (listOnPlatform as (fake: unknown, sku: string) => void)(fake, sku);
      await connect((bodies[kind] as (fake: unknown, settings: Record<string, unknown>) => Record<string, unknown>)(fake, { stockSync: true, stockBuffer: 2 }));
      const refusedBefore = fake.refused;

      const { warehouse } = await stockedCatalogue(test.app, token(), { [sku]: 10 });
      await lastSetIs(fake, sku, 8, 0);

      // reserved by an order: 10 − 3 = 7 available, 5 offered
      const order = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 3 }])).expect(201)).body;
      await eventually(async () => ((await orderStatus(order.id)) === 'awaiting_shipment' ? true : undefined), { what: 'the order reserved' });
      await lastSetIs(fake, sku, 5, 1);

      // released by its cancel: 10 available again
      const seen = fake.setsOf(sku).length;
      await http().post(`/api/orders/${order.id}/cancel`).set(test.auth).send({ reason: 'customer changed their mind' }).expect(200);
      await lastSetIs(fake, sku, 8, seen);

      // a receipt of 5: 15 available
      await adjust(test.app, warehouse, sku, 5);
      await lastSetIs(fake, sku, 13, fake.setsOf(sku).length);
      expect(fake.refused).toBe(refusedBefore);
    });
  });

  it('ten changes while the connector is paused make one push, with the last level, after it resumes', async () => {
    const shopify = await started(new FakeShopify());
    const id = await connect(bodies.shopify(shopify, { stockSync: true, stockBuffer: 1 }));
    await settled(id);
    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
    const sku = unique('PAUSE');
    shopify.list(sku);
    const { warehouse } = await stockedCatalogue(test.app, token(), { [sku]: 20 });
    for (let i = 1; i <= 10; i++) await adjust(test.app, warehouse, sku, i % 2 ? -1 : 3); // ends at 20 − 5 + 15 = 30
    await test.app.running.app.get(IntegrationPushesService).drain();
    expect(shopify.setsOf(sku)).toEqual([]);
    expect(await pushesOf(id, sku)).toMatchObject([{ status: 'pending', attempts: 0 }]);

    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'active' }).expect(200);
    await lastSetIs(shopify, sku, 29, 0);
    await settled(id);
    expect(shopify.setsOf(sku)).toEqual([29]);
    expect(await pushesOf(id, sku)).toMatchObject([{ status: 'sent', attempts: 1 }]);
  });

  it('the platform failing twice: retried, and delivered once', async () => {
    const fake = await started(new FakeWooCommerce());
    const id = await connect(bodies.woocommerce(fake, { stockSync: true }));
    await settled(id);
    const sku = unique('RETRY');
    fake.list(sku);
    fake.failNext = 2;
    await stockedCatalogue(test.app, token(), { [sku]: 4 });
    await lastSetIs(fake, sku, 4, 0);
    await settled(id);
    expect(fake.failNext).toBe(0);
    expect(fake.setsOf(sku)).toEqual([4]);
    expect(await pushesOf(id, sku)).toMatchObject([{ status: 'sent', attempts: 3, last_error: null }]);
  });

  it('a SKU the platform does not have: not retried, visible, no alert, not queued again until a resync finds it listed', async () => {
    const fake = await started(new FakeShopify());
    const id = await connect(bodies.shopify(fake, { stockSync: true }));
    await settled(id);
    const sku = unique('UNLISTED');
    const { warehouse } = await stockedCatalogue(test.app, token(), { [sku]: 6 });
    const [dead] = await eventually(async () => {
      const rows = await pushesOf(id, sku);
      return rows[0]?.status === 'dead' ? rows : undefined;
    }, { what: 'the push given up' });
    expect(dead).toMatchObject({ attempts: 1, last_error: expect.stringContaining(`SKU ${sku} is not on shopify`) });
    const listed = (await http().get(`/api/integrations/${id}/pushes`).query({ status: 'dead' }).set(test.auth).expect(200)).body;
    expect(listed.items).toEqual(expect.arrayContaining([expect.objectContaining({ key: `stock:${sku}`, status: 'dead', lastError: expect.stringContaining('is not on shopify') })]));

    // more changes of it queue nothing more for this connector: no pile of dead pushes, no alert per change
    await adjust(test.app, warehouse, sku, 2);
    await adjust(test.app, warehouse, sku, -1);
    expect(await pushesOf(id, sku)).toHaveLength(1);
    // a shop lists part of the catalogue: no alert per SKU, the connector not failing for it, the SKU listed as unlisted
    expect(await db().query(`SELECT 1 FROM system_alert WHERE kind = 'integration_push_dead' AND reference = $1`, [sku])).toEqual([]);
    expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body).toMatchObject({ status: 'active', lastError: null });
    const unlisted = (await http().get(`/api/integrations/${id}/stock-sync/unlisted`).set(test.auth).expect(200)).body;
    expect(unlisted.items).toEqual(expect.arrayContaining([{ sku, reason: expect.stringContaining('is not on shopify'), notedAt: expect.any(String) }]));

    // listed on the platform, a resync finds it
    fake.list(sku);
    await http().post(`/api/integrations/${id}/stock-sync`).set(test.auth).expect(202);
    await lastSetIs(fake, sku, 7, 0);
    await adjust(test.app, warehouse, sku, 1);
    await lastSetIs(fake, sku, 8, 1);
  });

  it('a resync queues every SKU to the connector (202 with how many); other roles and other kinds cannot', async () => {
    const fake = await started(new FakeTaobao());
    const id = await connect(bodies.taobao(fake, { stockSync: true }));
    await settled(id);
    const sku = unique('RESYNC');
    fake.list(sku);
    await stockedCatalogue(test.app, token(), { [sku]: 3 });
    await lastSetIs(fake, sku, 3, 0);
    // the platform's stock changed behind our back: the resync puts it right
    fake.sets.push({ sku, quantity: 999 });
    const answer = await http().post(`/api/integrations/${id}/stock-sync`).set(test.auth).expect(202);
    const [{ skus }] = await db().query(`SELECT count(*)::int AS skus FROM (SELECT sku FROM product UNION SELECT sku FROM stock_level) s`);
    expect(answer.body).toEqual({ queued: skus });
    const keys = new Set((await pushesOf(id)).map((push) => push.push_key));
    const all: Array<{ sku: string }> = await db().query(`SELECT sku FROM product UNION SELECT sku FROM stock_level`);
    expect(all.filter(({ sku: each }) => !keys.has(`stock:${each}`))).toEqual([]);
    await lastSetIs(fake, sku, 3, 2);

    const operator = await userWithRoles(test.app, 'operator');
    await http().post(`/api/integrations/${id}/stock-sync`).set(operator.auth).expect(403);
    await http().post(`/api/integrations/00000000-0000-4000-8000-000000000000/stock-sync`).set(test.auth).expect(404);
    await http().post(`/api/integrations/not-a-uuid/stock-sync`).set(test.auth).expect(404);
    const off = await connect(bodies.taobao(fake, {}));
    expect((await http().post(`/api/integrations/${off}/stock-sync`).set(test.auth).expect(409)).body.error.message).toContain('settings.stockSync');
    const wms = await connect({ kind: 'wms', name: name('wms'), settings: {}, secrets: { signingSecret: 'x'.repeat(32) } });
    await http().post(`/api/integrations/${wms}/stock-sync`).set(test.auth).expect(409);
  });

  it('a connector without stockSync is told nothing', async () => {
    const shopify = await started(new FakeShopify());
    const id = await connect(bodies.shopify(shopify, { stockBuffer: 1 }));
    const sku = unique('NOSYNC');
    shopify.list(sku);
    const { warehouse } = await stockedCatalogue(test.app, token(), { [sku]: 5 });
    await adjust(test.app, warehouse, sku, 2);
    // a syncing connector next to it gets the change (so the trigger ran), this one nothing
    const syncing = await connect(bodies.shopify(shopify, { stockSync: true }));
    await lastSetIs(shopify, sku, 7, 0);
    await adjust(test.app, warehouse, sku, 1);
    await lastSetIs(shopify, sku, 8, 1);
    expect(await pushesOf(id)).toEqual([]);
    expect((await pushesOf(syncing, sku)).length).toBeGreaterThan(0);
  });

  it('only the warehouses the connector counts, and only active ones', async () => {
    const shopify = await started(new FakeShopify());
    const sku = unique('WHS');
    shopify.list(sku);
    const { warehouse: counted } = await stockedCatalogue(test.app, token(), { [sku]: 5 });
    const other = unique('WH').slice(0, 30);
    await http().post('/api/warehouses').set(test.auth).send({ code: other, name: 'other', province: '上海市', city: '上海市', priority: 20 }).expect(201);
    await http().put(`/api/inventory/${other}/${sku}`).set(test.auth).send({ onHand: 50 }).expect(200);
    const id = await connect(bodies.shopify(shopify, { stockSync: true, stockWarehouses: [counted] }));
    await lastSetIs(shopify, sku, 5, 0);
    await settled(id);
    const before = (await pushesOf(id, sku)).length;
    await adjust(test.app, other, sku, 7);
    expect(await pushesOf(id, sku)).toHaveLength(before);
    await adjust(test.app, counted, sku, 1);
    await lastSetIs(shopify, sku, 6, 1);
    // the counted warehouse switched off: nothing of it is offered any more
    await db().query(`UPDATE warehouse SET active = false WHERE code = $1`, [counted]);
    await lastSetIs(shopify, sku, 0, 2);
    await db().query(`UPDATE warehouse SET active = true WHERE code = $1`, [counted]);
  });

  it('settings are checked field by field (422) and the secrets stock sync needs are required', async () => {
    // not started: nothing is sent while the settings are refused
    const shopify = Object.assign(new FakeShopify(), { url: 'http://127.0.0.1:9' });
    const woo = Object.assign(new FakeWooCommerce(), { url: 'http://127.0.0.1:9' });
    const expectProblems = async (body: Record<string, unknown>, paths: string[]) => {
      const answer = await http().post('/api/integrations').set(test.auth).send(body).expect(422);
      expect(answer.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual([...paths].sort());
    };
    await expectProblems(bodies.shopify(shopify, { stockSync: 'yes', stockBuffer: -1, stockWarehouses: ['no such/code'] }), ['settings.stockSync', 'settings.stockBuffer', 'settings.stockWarehouses']);
    await expectProblems(bodies.shopify(shopify, { stockSync: true, stockBuffer: 1.5, locationId: 'somewhere' }), ['settings.stockBuffer', 'settings.locationId']);
    await expectProblems({ ...bodies.shopify(shopify, { stockSync: true }), secrets: { webhookSecret: 'w' } }, ['secrets.accessToken']);
    await expectProblems({ ...bodies.woocommerce(woo, {}), settings: { stockSync: true } }, ['settings.storeUrl']);
    await expectProblems({ ...bodies.woocommerce(woo, { stockSync: true }), secrets: { webhookSecret: 'w', consumerKey: 'ck' } }, ['secrets.consumerSecret']);
    await expectProblems({ kind: 'wms', name: name('wms'), settings: { stockSync: true }, secrets: { signingSecret: 's' } }, ['settings.stockSync']);
    const unknown = await http().post('/api/integrations').set(test.auth).send(bodies.shopify(shopify, { stockSync: true, stockWarehouses: ['NO-SUCH-WH'] })).expect(422);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ path: 'settings.stockWarehouses', message: expect.stringContaining('NO-SUCH-WH') })]);

    // turned on later without the secrets it needs: 422, nothing changed
    const id = await connect({ ...bodies.shopify(shopify, {}), secrets: { webhookSecret: 'w' } });
    const patched = await http().patch(`/api/integrations/${id}`).set(test.auth).send({ settings: { stockSync: true } }).expect(422);
    expect(patched.body.error.details).toEqual([expect.objectContaining({ path: 'secrets.accessToken' })]);
    expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body.settings.stockSync).toBeUndefined();
    expect(await pushesOf(id)).toEqual([]);
  });

  it('a forged Taobao signature is refused by the gateway: the push is not accepted as sent', async () => {
    const fake = await started(new FakeTaobao());
    const id = await connect({ ...bodies.taobao(fake, { stockSync: true }), secrets: { appSecret: 'not-the-secret', sessionKey: fake.sessionKey } });
    const sku = unique('FORGED');
    fake.list(sku);
    await stockedCatalogue(test.app, token(), { [sku]: 2 });
    await eventually(async () => ((await pushesOf(id, sku))[0]?.status === 'dead' ? true : undefined), { what: 'the refused push' });
    expect(fake.setsOf(sku)).toEqual([]);
    expect(fake.refused).toBeGreaterThan(0);
    expect((await pushesOf(id, sku))[0].last_error).toContain('Invalid signature');
  });

  it('two app processes changing stock at once: the platform ends at the true final level', async () => {
    const other = await startTestApp({ database: test.app.database, env: { INTEGRATIONS_KEY: test.app.config.INTEGRATIONS_KEY!, ...PUSH_ENV } });
    try {
      const fake = await started(new FakeShopify());
      const id = await connect(bodies.shopify(fake, { stockSync: true, stockBuffer: 3 }));
      await settled(id);
      const sku = unique('TWO');
      fake.list(sku);
      const { warehouse: first } = await stockedCatalogue(test.app, token(), { [sku]: 100 });
      const second = unique('WH').slice(0, 30);
      await http().post('/api/warehouses').set(test.auth).send({ code: second, name: 'second', province: '上海市', city: '上海市', priority: 20 }).expect(201);
      await http().put(`/api/inventory/${second}/${sku}`).set(test.auth).send({ onHand: 100 }).expect(200);
      const changes = (app: TestApp, warehouse: string, seed: number) => (async () => {
        for (let i = 0; i < 25; i++) await adjust(app, warehouse, sku, ((i * 7 + seed) % 5) - 2 || 1);
      })();
      await Promise.all([changes(test.app, first, 1), changes(other, second, 2), changes(other, first, 3), changes(test.app, second, 4)]);
      const levels = (await http().get('/api/inventory').query({ sku }).set(test.auth).expect(200)).body.items as Array<{ available: number }>;
      const truth = levels.reduce((sum, level) => sum + level.available, 0);
      await lastSetIs(fake, sku, truth - 3, 0);
      await settled(id);
      expect(fake.level(sku)).toBe(truth - 3);
      // coalesced: far fewer pushes than the 100 changes is typical, but never more than one per change
      expect(fake.setsOf(sku).length).toBeLessThanOrEqual(102);
    } finally {
      await other.close();
    }
  });
});

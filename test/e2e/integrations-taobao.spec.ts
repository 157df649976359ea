import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { type AppProcess, loginClient, startAppProcess } from '../helpers/app-process';
import { beijingTime, FakeTopGateway, type FakeTopShop, topTrade } from '../helpers/fake-top-gateway';
import { stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestApp, type TestApp, useTestApp } from '../helpers/test-app';
import { createTestDatabase, TEST_DATABASE_URL } from '../helpers/test-database';

const connectorName = () => unique('tb').replace(/[^A-Za-z0-9_-]/g, '').slice(-40);
const integrationsKey = () => randomBytes(32).toString('base64');
/** The connector of a fake shop: polled every second (the minimum) at the fake gateway. */
const connectorBody = (fake: FakeTopGateway, shop: FakeTopShop, overrides: { settings?: Record<string, unknown>; secrets?: Record<string, string> } = {}) => ({
  kind: 'taobao',
  name: connectorName(),
  settings: { appKey: shop.appKey, gateway: fake.url, pollIntervalSeconds: 1, ...overrides.settings },
  secrets: { appSecret: shop.appSecret, sessionKey: shop.sessionKey, ...overrides.secrets },
});
/** Polls (page 1 of a window) the fake answered with trades for this shop. */
const answeredPolls = (fake: FakeTopGateway, shop: FakeTopShop) => fake.requestsOf(shop).filter((request) => request.pageNo === 1 && request.error === undefined);

/**
 * Issue 15 items 1-2 (G5.2): Taobao / Tmall orders polled from TOP (taobao.trades.sold.increment.get by modified time)
 * against a local gateway that checks TOP's signature with an app secret made here, each trade one order through the
 * same intake as POST /api/orders, whatever the overlap, re-reads and later modifications.
 */
describe('integrations: Taobao TOP polling (issue 15 items 1-2)', () => {
  const test = useTestApp({ env: { INTEGRATIONS_KEY: integrationsKey() } });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);
  const fake = new FakeTopGateway();
  beforeAll(async () => fake.start());
  afterAll(async () => fake.stop());

  const create = async (body: ReturnType<typeof connectorBody>) => (await http().post('/api/integrations').set(test.auth).send(body).expect(201)).body;
  const connector = async (id: string) => (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
  const ordersOf = async (channel: string) => (await http().get('/api/orders').query({ channel, pageSize: 200 }).set(test.auth).expect(200)).body;
  const orderView = async (orderId: string) => (await http().get(`/api/orders/${orderId}`).set(test.auth).expect(200)).body;
  const deliveries = async (id: string) => db().query(`SELECT delivery_id, topic, outcome, external_id FROM integration_delivery WHERE integration_id = $1 ORDER BY id`, [id]);

  it('a taobao connector needs appKey, appSecret and sessionKey, and its optional settings of the right form: 422 and nothing written', async () => {
    const shop = fake.addShop();
    const before = (await http().get('/api/integrations').set(test.auth).expect(200)).body.total;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...connectorBody(fake, shop), settings: { gateway: fake.url } }, 'settings.appKey'],
      [{ ...connectorBody(fake, shop), secrets: { appSecret: shop.appSecret } }, 'secrets.sessionKey'],
      [{ ...connectorBody(fake, shop), secrets: { sessionKey: shop.sessionKey } }, 'secrets.appSecret'],
      [connectorBody(fake, shop, { settings: { gateway: 'ftp://eco.taobao.com/router/rest' } }), 'settings.gateway'],
      [connectorBody(fake, shop, { settings: { signMethod: 'sha1' } }), 'settings.signMethod'],
      [connectorBody(fake, shop, { settings: { pollIntervalSeconds: 0 } }), 'settings.pollIntervalSeconds'],
      [connectorBody(fake, shop, { settings: { pollOverlapSeconds: '300' } }), 'settings.pollOverlapSeconds'],
      [connectorBody(fake, shop, { settings: { initialSyncHours: 10_000 } }), 'settings.initialSyncHours'],
    ];
    for (const [body, path] of cases) {
      const response = await http().post('/api/integrations').set(test.auth).send(body).expect(422);
      expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    }
    expect((await http().get('/api/integrations').set(test.auth).expect(200)).body.total).toBe(before);

    // saved: the secrets are not readable back, and a polled kind has no webhook
    const created = await create(connectorBody(fake, shop));
    expect(created).not.toHaveProperty('webhookUrl');
    const view = await connector(created.id);
    expect(view.secretKeys).toEqual(['appSecret', 'sessionKey']);
    expect(JSON.stringify(view)).not.toContain(shop.appSecret);
    expect(JSON.stringify(view)).not.toContain(shop.sessionKey);
    await http().post(`/hooks/${created.id}`).send({}).expect(404);
  });

  it('POST /api/integrations/{id}/test makes a signed call with the stored credentials: the shop\'s nick, or TOP\'s refusal', async () => {
    const shop = fake.addShop();
    const good = await create(connectorBody(fake, shop, { settings: { signMethod: 'md5' } }));
    expect((await http().post(`/api/integrations/${good.id}/test`).set(test.auth).expect(200)).body).toEqual({ ok: true, message: `Connected to the Taobao shop ${shop.nick}` });
    const forged = randomBytes(16).toString('hex');
    await http().patch(`/api/integrations/${good.id}`).set(test.auth).send({ status: 'paused' }).expect(200);
    const bad = await create(connectorBody(fake, shop, { secrets: { appSecret: forged } }));
    const answer = (await http().post(`/api/integrations/${bad.id}/test`).set(test.auth).expect(200)).body;
    expect(answer).toMatchObject({ ok: false, message: expect.stringContaining('TOP error 25 Invalid signature') });
    expect(answer.message).not.toContain(forged);
    expect(fake.requestsOf(shop).filter((request) => request.method === 'taobao.user.seller.get').map((request) => request.error)).toEqual([undefined, 25]);
    await http().patch(`/api/integrations/${bad.id}`).set(test.auth).send({ status: 'paused' }).expect(200);
  });

  it('polled trades make exactly one order each (paged), reach the workflow like API orders; overlap and re-reads make no second order; a later payment is recorded on the same order', async () => {
    const shop = fake.addShop();
    const [skuA, skuB] = [unique('TEA'), unique('TEA')];
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [skuA]: 20, [skuB]: 20 });
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const paid = topTrade({ sku: skuA, quantity: 2, price: '129.00', modified: minutesAgo(3) });
    const unpaid = topTrade({ sku: skuB, quantity: 1, price: '59.90', status: 'WAIT_BUYER_PAY', modified: minutesAgo(2) });
    const another = topTrade({ sku: skuB, quantity: 3, price: '10.00', modified: minutesAgo(1) });
    // closed unpaid (关闭): nothing to ship, not an order
    const closed = topTrade({ sku: skuA, quantity: 1, status: 'TRADE_CLOSED_BY_TAOBAO', modified: minutesAgo(4) });
    for (const trade of [closed, paid, unpaid, another]) fake.putTrade(shop, trade);
    const { id, name } = await create(connectorBody(fake, shop));

    const orders = await eventually(async () => {
      const list = await ordersOf(name);
      return list.total === 3 ? list.items : undefined;
    }, { what: 'the three polled trades as orders' });
    expect(orders.map((order: { externalId: string }) => order.externalId).sort()).toEqual([paid.tid, unpaid.tid, another.tid].sort());
    // four trades at two a page: the window was read to its second page
    expect(fake.requestsOf(shop).some((request) => request.pageNo === 2 && request.tids.length === 2)).toBe(true);

    const paidOrder = orders.find((order: { externalId: string }) => order.externalId === paid.tid);
    const reached = await eventually(async () => {
      const current = await orderView(paidOrder.id);
      return current.status === 'awaiting_shipment' ? current : undefined;
    }, { what: 'the paid trade to await shipment' });
    expect(reached).toMatchObject({
      channel: name,
      externalId: paid.tid,
      customer: { name: '张三', phone: '13800138000' },
      shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文新街道 文三路100号3单元501', postalCode: '310000', country: 'CN' },
      lines: [{ sku: skuA, quantity: 2, unitPrice: '129.00', reserved: 2 }],
      payment: { method: 'alipay', status: 'paid', amount: '258.00' },
      flags: [],
    });
    expect(reached.history[0].by).toBe(`integration:${name}`);
    const unpaidOrder = orders.find((order: { externalId: string }) => order.externalId === unpaid.tid);
    expect((await orderView(unpaidOrder.id)).status).toBe('pending_payment');

    // two more polls whose overlap covers every trade again: seen before, nothing new
    const polled = answeredPolls(fake, shop).length;
    const asked = fake.requestsOf(shop).length;
    await eventually(async () => (answeredPolls(fake, shop).length >= polled + 2 ? true : undefined), { what: 'two more polls' });
    const servedAgain = fake.requestsOf(shop).slice(asked).flatMap((request) => request.tids);
    for (const trade of [paid, unpaid, another]) expect(servedAgain).toContain(trade.tid);
    expect((await ordersOf(name)).total).toBe(3);
    expect((await deliveries(id)).map((row: { outcome: string; external_id: string }) => [row.outcome, row.external_id]))
      .toEqual([['ignored', closed.tid], ['created', paid.tid], ['created', unpaid.tid], ['created', another.tid]]);

    // the buyer pays: TOP reports the trade modified, the same order records the payment and moves on
    fake.putTrade(shop, { ...unpaid, status: 'WAIT_SELLER_SEND_GOODS', pay_time: beijingTime(new Date()), modified: beijingTime(new Date()) });
    const nowPaid = await eventually(async () => {
      const current = await orderView(unpaidOrder.id);
      return current.status === 'awaiting_shipment' ? current : undefined;
    }, { what: 'the order paid later to await shipment' });
    expect(nowPaid.payment).toMatchObject({ status: 'paid', amount: '59.90', reference: `taobao:${unpaid.tid}` });
    expect((await ordersOf(name)).total).toBe(3);
    const rows = await deliveries(id);
    expect(rows.filter((row: { external_id: string }) => row.external_id === unpaid.tid).map((row: { outcome: string; topic: string }) => [row.outcome, row.topic]))
      .toEqual([['created', 'WAIT_BUYER_PAY'], ['updated', 'WAIT_SELLER_SEND_GOODS']]);
    expect(await connector(id)).toMatchObject({ status: 'active', lastError: null, lastSyncAt: expect.any(String), counts: { ordersCreated: 3, ordersUpdated: 1, duplicates: 0, rejected: 0, ignored: 1 } });
  });

  it('a wrong signature or an expired session: TOP\'s error is the connector\'s lastError, no order is written, an alert is raised when it keeps failing, and new credentials poll at once', async () => {
    const shop = fake.addShop();
    const sku = unique('TEA');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
    const trade = topTrade({ sku, quantity: 1, modified: new Date(Date.now() - 60_000) });
    fake.putTrade(shop, trade);
    const forged = await create(connectorBody(fake, shop, { secrets: { appSecret: randomBytes(16).toString('hex') } }));
    const expired = await create(connectorBody(fake, shop, { secrets: { sessionKey: `6100${randomBytes(20).toString('hex')}` } }));

    for (const [{ id }, error] of [[forged, 'TOP error 25 Invalid signature'], [expired, 'TOP error 27 Invalid session invalid-sessionkey']] as const) {
      const failing = await eventually(async () => {
        const view = await connector(id);
        return view.status === 'failing' ? view : undefined;
      }, { what: `${error} as lastError` });
      expect(failing.lastError).toContain(error);
    }
    // the fake refused every poll, and no order and no delivery exist for either connector
    expect(fake.requestsOf(shop).every((request) => request.error === 25 || request.error === 27)).toBe(true);
    for (const { id, name } of [forged, expired]) {
      expect((await ordersOf(name)).total).toBe(0);
      expect(await deliveries(id)).toEqual([]);
    }
    // polling keeps failing: one alert for the run of failures (a backoff of 1 s, 2 s, ... between them)
    const alerts = await eventually(async () => {
      const rows = await db().query(`SELECT kind, message FROM system_alert WHERE reference = $1`, [`integration:${forged.id}`]);
      return rows.length ? rows : undefined;
    }, { what: 'the polling alert', timeoutMs: 30_000 });
    expect(alerts).toEqual([{ kind: 'integration_poll_failing', message: expect.stringContaining(`Connector ${forged.name} could not poll its orders 3 times in a row`) }]);

    // the right secret saved: polled at once (not after the backoff), the order comes, the connector is healthy again
    await http().patch(`/api/integrations/${forged.id}`).set(test.auth).send({ secrets: { appSecret: shop.appSecret } }).expect(200);
    await eventually(async () => ((await ordersOf(forged.name)).total === 1 ? true : undefined), { what: 'the order after the secret was fixed' });
    expect(await connector(forged.id)).toMatchObject({ status: 'active', lastSyncAt: expect.any(String) });
    await http().patch(`/api/integrations/${expired.id}`).set(test.auth).send({ status: 'paused' }).expect(200);
  });

  it('an error_response from TOP mid-window (page 2) leaves the cursor where it was: the window is read again, and each trade is one order', async () => {
    const shop = fake.addShop();
    const sku = unique('TEA');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 20 });
    const trades = [3, 2, 1].map((minutes) => topTrade({ sku, quantity: 1, modified: new Date(Date.now() - minutes * 60_000) }));
    for (const trade of trades) fake.putTrade(shop, trade);
    fake.refusePageOnce.set(shop.appKey, 2);
    // polled every 5 s: the retry after the refusal waits that long, time to look at the cursor in between
    const { id, name } = await create(connectorBody(fake, shop, { settings: { pollIntervalSeconds: 5 } }));
    const cursor = await eventually(async () => {
      const [row] = await db().query(`SELECT modified_through, failures FROM integration_poll_cursor WHERE integration_id = $1`, [id]);
      return row?.failures ? row : undefined;
    }, { what: 'the refused page noted' });
    expect(fake.requestsOf(shop).some((request) => request.error === 7)).toBe(true);
    expect(cursor).toEqual({ modified_through: null, failures: 1 });
    expect((await connector(id)).lastError).toContain('TOP error 7 App Call Limited');

    await eventually(async () => {
      const [row] = await db().query(`SELECT modified_through FROM integration_poll_cursor WHERE integration_id = $1`, [id]);
      return row.modified_through ? true : undefined;
    }, { what: 'the cursor to move after the window was read again' });
    const pages = fake.requestsOf(shop).map((request) => [request.pageNo, request.error ?? request.tids.length]);
    expect(pages.slice(0, 4)).toEqual([[1, 2], [2, 7], [1, 2], [2, 1]]);
    expect((await ordersOf(name)).total).toBe(3);
    expect((await deliveries(id)).map((row: { outcome: string }) => row.outcome)).toEqual(['created', 'created', 'created']);
    expect((await connector(id)).status).toBe('active');
    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
  });

  it('a trade TOP sends that we cannot read is recorded as rejected (the connector\'s lastError); the other trades of the page are taken', async () => {
    const shop = fake.addShop();
    const sku = unique('TEA');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
    const good = topTrade({ sku, quantity: 1, modified: new Date(Date.now() - 120_000) });
    const broken = { ...topTrade({ sku, quantity: 1, modified: new Date(Date.now() - 60_000) }), orders: { order: [] } };
    const hostile = topTrade({ sku: `${sku}<script>`.padEnd(500, 'x'), quantity: 1, modified: new Date(Date.now() - 30_000) });
    for (const trade of [good, broken, hostile]) fake.putTrade(shop, trade);
    const { id, name } = await create(connectorBody(fake, shop));
    const rows = await eventually(async () => {
      const current = await deliveries(id);
      return current.length === 3 ? current : undefined;
    }, { what: 'three trades recorded' });
    expect(rows.map((row: { outcome: string; external_id: string }) => [row.outcome, row.external_id])).toEqual([['created', good.tid], ['rejected', broken.tid], ['rejected', hostile.tid]]);
    expect((await ordersOf(name)).total).toBe(1);
    const view = await connector(id);
    expect(view).toMatchObject({ status: 'failing', counts: { ordersCreated: 1, rejected: 2 } });
    expect(view.lastError).toMatch(new RegExp(`${broken.tid}|${hostile.tid}`));
    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
  });

  it('a paused connector is not polled; resumed, it polls again and takes what came meanwhile', async () => {
    const paused = fake.addShop();
    const active = fake.addShop();
    const sku = unique('TEA');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
    const pausedConnector = await create(connectorBody(fake, paused));
    await eventually(async () => (answeredPolls(fake, paused).length ? true : undefined), { what: 'the first poll' });
    await http().patch(`/api/integrations/${pausedConnector.id}`).set(test.auth).send({ status: 'paused' }).expect(200);
    const trade = topTrade({ sku, quantity: 1, modified: new Date() });
    fake.putTrade(paused, trade);
    // another connector, polled by the same loop at the same interval, is polled three times meanwhile
    await create(connectorBody(fake, active));
    await eventually(async () => (answeredPolls(fake, active).length >= 1 ? true : undefined), { what: 'the other connector polled' });
    const pollsWhenPaused = fake.requestsOf(paused).length;
    await eventually(async () => (answeredPolls(fake, active).length >= 4 ? true : undefined), { what: 'the other connector polled three times more' });
    expect(fake.requestsOf(paused).length).toBe(pollsWhenPaused);
    expect((await ordersOf(pausedConnector.name)).total).toBe(0);

    await http().patch(`/api/integrations/${pausedConnector.id}`).set(test.auth).send({ status: 'active' }).expect(200);
    await eventually(async () => ((await ordersOf(pausedConnector.name)).total === 1 ? true : undefined), { what: 'the trade taken after resuming' });
  });
});

// a restart and a second process share one database: PostgreSQL only (the embedded database belongs to one process)
(TEST_DATABASE_URL ? describe : describe.skip)('integrations: Taobao polling across restarts and processes (issue 15 item 1)', () => {
  const fake = new FakeTopGateway();
  beforeAll(async () => fake.start());
  afterAll(async () => fake.stop());

  it('a restart (a new app on the same database) resumes from the stored cursor, with no second order', async () => {
    const database = await createTestDatabase();
    const env = { INTEGRATIONS_KEY: integrationsKey() };
    let app: TestApp | undefined = await startTestApp({ database, env });
    try {
      const auth = { Authorization: `Bearer ${await app.login()}` };
      const shop = fake.addShop();
      const sku = unique('TEA');
      await stockedCatalogue(app, auth.Authorization.slice(7), { [sku]: 5 });
      fake.putTrade(shop, topTrade({ sku, quantity: 1, modified: new Date(Date.now() - 60_000) }));
      const body = connectorBody(fake, shop, { settings: { pollOverlapSeconds: 120 } });
      const { id } = (await app.http.post('/api/integrations').set(auth).send(body).expect(201)).body;
      const ordersOf = async (current: TestApp, token: string) => (await current.http.get('/api/orders').query({ channel: body.name }).set({ Authorization: `Bearer ${token}` }).expect(200)).body.total;
      await eventually(async () => ((await ordersOf(app!, auth.Authorization.slice(7))) === 1 ? true : undefined), { what: 'the first order' });
      await eventually(async () => (answeredPolls(fake, shop).length >= 2 ? true : undefined), { what: 'a second poll' });
      await app.close();
      app = undefined;

      const client = new Client({ connectionString: database.env.DATABASE_URL });
      await client.connect();
      const { rows: [cursor] } = await client.query(`SELECT modified_through, overlap_seconds FROM integration_poll_cursor WHERE integration_id = $1`, [id]);
      await client.end();
      expect(cursor.overlap_seconds).toBe(120);
      const before = fake.requestsOf(shop).length;

      app = await startTestApp({ database, env });
      const resumed = await eventually(async () => fake.requestsOf(shop)[before], { what: 'the first poll after the restart' });
      // the fake sees the stored cursor, less the overlap, as the start of the window (not a fresh initial sync)
      expect(resumed.startModified).toBe(beijingTime(new Date(new Date(cursor.modified_through).getTime() - 120_000)));
      await eventually(async () => (answeredPolls(fake, shop).length >= 4 ? true : undefined), { what: 'two polls after the restart' });
      expect(await ordersOf(app, await app.login())).toBe(1);
    } finally {
      await app?.close();
      await database.drop();
    }
  }, 120_000);

  // DESIGN "Scale": two processes on one PostgreSQL; needs `npm run build` (the processes run dist/)
  it('two app processes polling at once: one poll of a connector at a time, one order per trade', async () => {
    const database = await createTestDatabase();
    const env = { ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, INTEGRATIONS_KEY: integrationsKey(), WORKER_POLL_MS: '20' };
    const apps: AppProcess[] = [];
    const shop = fake.addShop();
    fake.delayMs = 100; // each answer takes a while: two polls at once would meet at the fake
    try {
      apps.push(await startAppProcess(env), await startAppProcess(env));
      const clients = await Promise.all(apps.map((app) => loginClient(app, ADMIN_EMAIL, ADMIN_PASSWORD)));
      const sku = unique('TWO');
      expect((await clients[0]('POST', '/api/warehouses', { code: 'TB-WH', name: 'Taobao', province: '浙江省', city: '杭州市', priority: 1 })).status).toBe(201);
      expect((await clients[0]('POST', '/api/products', { sku, name: '龙井', price: '129.00' })).status).toBe(201);
      expect((await clients[1]('PUT', `/api/inventory/TB-WH/${sku}`, { onHand: 100 })).status).toBe(200);
      const trades = Array.from({ length: 7 }, (_, i) => topTrade({ sku, quantity: 1, modified: new Date(Date.now() - (10 - i) * 60_000) }));
      for (const trade of trades) fake.putTrade(shop, trade);
      const body = connectorBody(fake, shop);
      expect((await clients[1]('POST', '/api/integrations', body)).status).toBe(201);

      const orders = await eventually(async () => {
        const { body: list } = await clients[0]('GET', `/api/orders?channel=${body.name}&pageSize=200`);
        return list.total === trades.length ? list.items : undefined;
      }, { timeoutMs: 60_000, what: 'an order per trade' });
      // several full polls (7 trades, 2 a page) while both processes look for due connectors every 20 ms
      const polled = answeredPolls(fake, shop).length;
      await eventually(async () => (answeredPolls(fake, shop).length >= polled + 3 ? true : undefined), { timeoutMs: 60_000, what: 'three more polls' });
      expect(fake.maxInFlight.get(shop.appKey)).toBe(1);
      expect(new Set(orders.map((order: { externalId: string }) => order.externalId))).toEqual(new Set(trades.map((trade) => trade.tid)));
      expect((await clients[0]('GET', `/api/orders?channel=${body.name}&pageSize=200`)).body.total).toBe(trades.length);
      const client = new Client({ connectionString: database.env.DATABASE_URL });
      await client.connect();
      const { rows } = await client.query(`SELECT outcome, count(*)::int AS n FROM integration_delivery GROUP BY outcome`);
      await client.end();
      expect(rows).toEqual([{ outcome: 'created', n: trades.length }]);
    } finally {
      fake.delayMs = 0;
      await Promise.all(apps.map((app) => app.kill('SIGTERM')));
      await database.drop();
    }
  }, 180_000);
});

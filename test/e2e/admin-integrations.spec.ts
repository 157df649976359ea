import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ADMIN_TRANSLATIONS } from '../../src/admin/locale';
import { adminSignIn, adminSignInWithRole, useAdminApp } from '../helpers/admin-session';
import { unique, userWithRoles } from '../helpers/fixtures';
import { refuseOrdersOf, shopifyHeaders, shopifyOrder, startFakeShopifyAdmin } from '../helpers/integration-fakes';

/**
 * Issue 15 item 6 over AdminJS's API: the 对接管理 page adds, edits, tests, pauses and deletes connectors and replays a
 * failed delivery through the services of /api/integrations, for holders of integrations.manage only; a secret typed in
 * never comes back in any of its answers; refusals are said at the field, in the user's language.
 */
describe('the admin Integrations page (AdminJS API)', () => {
  const admin = useAdminApp();
  const page = '/admin/api/pages/integrations';
  const http = () => admin.app.http;
  const db = () => admin.app.running.app.get(DataSource);
  const goodToken = `shpat_${randomBytes(18).toString('hex')}`;
  let shopify: Awaited<ReturnType<typeof startFakeShopifyAdmin>>;
  beforeAll(async () => {
    shopify = await startFakeShopifyAdmin(goodToken);
  });
  afterAll(() => shopify?.close());

  const post = (cookie: string, fields: Record<string, string>) => http().post(page).type('form').send(fields).set('Cookie', cookie).expect(200);
  const connectorName = () => unique('page').replace(/[^A-Za-z0-9_-]/g, '').slice(-40);
  /** Every answer of this file, to search for the secrets typed in. */
  const answers: string[] = [];
  const remember = <T extends { text: string; body: unknown }>(response: T): T => {
    answers.push(response.text);
    return response;
  };

  it('adds a Shopify connector (secrets write-only), tests it against the fake Admin API, pauses, resumes, rotates a secret and deletes it', async () => {
    const secrets = { webhookSecret: `whsec_${randomBytes(18).toString('hex')}`, accessToken: goodToken };
    const name = connectorName();
    const created = remember(await post(admin.adminCookie, {
      op: 'create', kind: 'shopify', name, settings: JSON.stringify({ shopDomain: 'oms-test.myshopify.com', apiVersion: '', apiBaseUrl: shopify.base }), secrets: JSON.stringify(secrets),
    })).body;
    expect(created).toMatchObject({ allowed: true, notice: { type: 'success', key: 'created', vars: { name } } });
    const row = created.items.find((item: { name: string }) => item.name === name);
    expect(row).toMatchObject({ kind: 'shopify', status: 'active', secretKeys: ['accessToken', 'webhookSecret'], settings: { shopDomain: 'oms-test.myshopify.com', apiBaseUrl: shopify.base } });
    expect(row.settings).not.toHaveProperty('apiVersion'); // a field left empty is not given
    expect(row.webhookUrl).toMatch(new RegExp(`/hooks/${row.id}$`));
    expect((await http().get(page).query({ connector: row.id }).set('Cookie', admin.adminCookie).expect(200)).body.deliveries).toEqual({ connectorId: row.id, items: [], total: 0 });
    expect(created.kinds.find((kind: { kind: string }) => kind.kind === 'shopify')).toMatchObject({
      inbound: true, replayable: true, secrets: [{ name: 'webhookSecret', required: true }, { name: 'accessToken', required: false }],
    });
    // the same connector through the API: one connector, the same secrets
    expect((await http().get(`/api/integrations/${row.id}`).set(admin.auth).expect(200)).body).toMatchObject({ name, secretKeys: ['accessToken', 'webhookSecret'] });

    const tested = remember(await post(admin.adminCookie, { op: 'test', id: row.id })).body;
    expect(tested.test).toEqual({ connectorId: row.id, ok: true, message: 'Connected to 测试小店' });

    const paused = remember(await post(admin.adminCookie, { op: 'pause', id: row.id })).body;
    expect(paused.notice).toMatchObject({ type: 'success', key: 'paused' });
    expect(paused.items.find((item: { id: string }) => item.id === row.id).status).toBe('paused');
    const text = shopifyOrder().text;
    await http().post(`/hooks/${row.id}`).set(shopifyHeaders(text, secrets.webhookSecret)).send(text).expect(503);
    remember(await post(admin.adminCookie, { op: 'resume', id: row.id }));
    expect((await http().get(`/api/integrations/${row.id}`).set(admin.auth).expect(200)).body.status).toBe('active');

    // edit: an empty secret keeps the stored one; a typed one replaces it; the settings are saved as shown
    const rotated = `shpat_${randomBytes(18).toString('hex')}`;
    remember(await post(admin.adminCookie, { op: 'update', id: row.id, settings: JSON.stringify({ shopDomain: 'oms-test.myshopify.com', apiVersion: '', apiBaseUrl: shopify.base }), secrets: JSON.stringify({ webhookSecret: '', accessToken: rotated }) }));
    const failedTest = remember(await post(admin.adminCookie, { op: 'test', id: row.id })).body;
    expect(failedTest.test).toMatchObject({ ok: false, message: 'Shopify refused the access token (HTTP 401)' });
    expect(failedTest.items.find((item: { id: string }) => item.id === row.id)).toMatchObject({ status: 'failing', lastError: expect.stringContaining('HTTP 401') });
    // the webhook secret was kept: a delivery signed with it is taken
    const order = shopifyOrder();
    expect((await http().post(`/hooks/${row.id}`).set(shopifyHeaders(order.text, secrets.webhookSecret)).send(order.text).expect(200)).body.outcome).toBe('created');

    const audit = (await http().get('/api/audit-log').query({ action: 'integration', pageSize: 200 }).set(admin.auth).expect(200)).body.items
      .filter((entry: { target: string }) => entry.target === `integration:${row.id}`);
    expect(audit.find((entry: { action: string; details: { secretsSet?: string[] } }) => entry.action === 'integration.update' && entry.details.secretsSet)?.details.secretsSet).toEqual(['accessToken']);

    const deleted = remember(await post(admin.adminCookie, { op: 'delete', id: row.id })).body;
    expect(deleted.notice).toMatchObject({ type: 'success', key: 'deleted', vars: { name } });
    expect(deleted.items.some((item: { id: string }) => item.id === row.id)).toBe(false);
    expect(deleted.deliveries).toBeUndefined();

    for (const answer of answers) for (const value of [...Object.values(secrets), rotated]) expect(answer).not.toContain(value);
  });

  it('refusals at their field, in Chinese for a zh-CN user; nothing written', async () => {
    const zh = await userWithRoles(admin.app, 'admin');
    await http().patch(`/api/users/${zh.id}`).set(admin.auth).send({ locale: 'zh-CN' }).expect(200);
    const cookie = await adminSignIn(admin.app, zh.email, 'role-password-1');
    const before = (await http().get('/api/integrations').set(admin.auth).expect(200)).body.total;

    const empty = (await post(cookie, { op: 'create', kind: 'shopify', name: '', settings: '{}', secrets: JSON.stringify({ webhookSecret: '' }) })).body;
    expect(empty.notice.type).toBe('error');
    expect(empty.fieldErrors).toMatchObject({ name: expect.stringContaining('英文字母') });

    const bad = (await post(cookie, { op: 'create', kind: 'shopify', name: connectorName(), settings: JSON.stringify({ shopDomain: 'not a domain' }), secrets: JSON.stringify({ webhookSecret: '' }) })).body;
    expect(bad.fieldErrors).toEqual({ 'settings.shopDomain': '须为店铺域名，如 my-shop.myshopify.com', 'secrets.webhookSecret': '必填' });
    expect(bad.notice.message).toMatch(/[\u4e00-\u9fff]/);

    const wechat = (await post(cookie, { op: 'create', kind: 'wechatpay', name: connectorName(), settings: JSON.stringify({ mchid: '1230000109', platformCertificate: 'nope' }), secrets: JSON.stringify({ apiV3Key: 'short' }) })).body;
    expect(wechat.fieldErrors).toEqual({ 'settings.platformCertificate': '须为微信支付平台证书或微信支付公钥（PEM 格式）', 'secrets.apiV3Key': '须为 32 位的 APIv3 密钥' });

    const name = connectorName();
    await post(cookie, { op: 'create', kind: 'woocommerce', name, settings: '{}', secrets: JSON.stringify({ webhookSecret: 'x' }) });
    const taken = (await post(cookie, { op: 'create', kind: 'woocommerce', name, settings: '{}', secrets: JSON.stringify({ webhookSecret: 'x' }) })).body;
    expect(taken.fieldErrors.name).toBe(`已有名为 ${name} 的对接（名称即订单渠道，不能重复）`);
    expect((await http().get('/api/integrations').set(admin.auth).expect(200)).body.total).toBe(before + 1);
    // every word the page shows for a done notice exists in Chinese
    expect(Object.keys(ADMIN_TRANSLATIONS['zh-CN'].ui.integrations.done)).toEqual(expect.arrayContaining(['created', 'paused', 'replayed_created', 'replayed_failed']));
  });

  it('replays a failed delivery from the page: one order, audited; a rejected one is refused', async () => {
    const secrets = { webhookSecret: `whsec_${randomBytes(18).toString('hex')}` };
    const name = connectorName();
    const { items } = (await post(admin.adminCookie, { op: 'create', kind: 'shopify', name, settings: '{}', secrets: JSON.stringify(secrets) })).body;
    const id = items.find((item: { name: string }) => item.name === name).id;
    const lift = await refuseOrdersOf(db(), name);
    const order = shopifyOrder();
    expect((await http().post(`/hooks/${id}`).set(shopifyHeaders(order.text, secrets.webhookSecret, 'page-1')).send(order.text)).status).toBeGreaterThanOrEqual(500);
    const bad = shopifyOrder({ line_items: [] });
    await http().post(`/hooks/${id}`).set(shopifyHeaders(bad.text, secrets.webhookSecret, 'page-2')).send(bad.text).expect(422);
    const shown = (await http().get(page).query({ connector: id }).set('Cookie', admin.adminCookie).expect(200)).body.deliveries;
    const failed = shown.items.find((row: { deliveryId: string }) => row.deliveryId === 'page-1');
    const rejected = shown.items.find((row: { deliveryId: string }) => row.deliveryId === 'page-2');
    expect([failed.outcome, failed.replayable, rejected.outcome, rejected.replayable]).toEqual(['failed', true, 'rejected', false]);
    expect(JSON.stringify(shown)).not.toContain('line_items');

    await lift();
    const replayed = (await post(admin.adminCookie, { op: 'replay', id, connector: id, delivery: failed.id })).body;
    expect(replayed.notice).toMatchObject({ type: 'success', key: 'replayed_created', vars: { delivery: 'page-1', order: expect.stringMatching(/^SO/) } });
    expect(replayed.deliveries.items.find((row: { id: string }) => row.id === failed.id)).toMatchObject({ outcome: 'created', replayable: false, replays: 1 });
    const again = (await post(admin.adminCookie, { op: 'replay', id, connector: id, delivery: failed.id })).body;
    expect(again.notice).toMatchObject({ type: 'error', message: 'Delivery page-1 is created already; only a failed delivery can be replayed' });
    const refused = (await post(admin.adminCookie, { op: 'replay', id, connector: id, delivery: rejected.id })).body;
    expect(refused.notice).toMatchObject({ type: 'error', message: expect.stringContaining('rejected') });
    expect((await http().get('/api/orders').query({ channel: name }).set(admin.auth).expect(200)).body.total).toBe(1);
    const audit = (await http().get('/api/audit-log').query({ action: 'integration.replay', pageSize: 50 }).set(admin.auth).expect(200)).body.items;
    expect(audit.filter((entry: { target: string }) => entry.target === `integration:${id}`).map((entry: { details: { outcome: string } }) => entry.details.outcome)).toEqual(['created']);
  });

  it('a role without integrations.manage sees nothing and changes nothing', async () => {
    const name = connectorName();
    const { body } = await http().post('/api/integrations').set(admin.auth).send({ kind: 'shopify', name, secrets: { webhookSecret: 'x' } }).expect(201);
    for (const role of ['operator', 'integration', 'warehouse']) {
      const cookie = await adminSignInWithRole(admin.app, role);
      const seen = (await http().get(page).query({ connector: body.id }).set('Cookie', cookie).expect(200)).body;
      expect(seen).toMatchObject({ allowed: false, items: [] });
      expect(seen).not.toHaveProperty('deliveries');
      for (const op of ['pause', 'delete', 'test']) expect((await post(cookie, { op, id: body.id })).body.allowed).toBe(false);
      expect((await post(cookie, { op: 'create', kind: 'shopify', name: connectorName(), settings: '{}', secrets: JSON.stringify({ webhookSecret: 'x' }) })).body.allowed).toBe(false);
    }
    expect((await http().get(`/api/integrations/${body.id}`).set(admin.auth).expect(200)).body).toMatchObject({ name, status: 'active' });
  });
});

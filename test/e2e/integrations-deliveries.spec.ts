import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IntegrationDeliveriesService, REPLAY_RETENTION_DAYS } from '../../src/integrations/deliveries.service';
import { unique, userWithRoles } from '../helpers/fixtures';
import { refuseOrdersOf as refuse, shopifyHeaders, shopifyOrder } from '../helpers/integration-fakes';
import { useTestApp } from '../helpers/test-app';

const connectorName = () => unique('replay').replace(/[^A-Za-z0-9_-]/g, '').slice(-40);

/**
 * Issue 15 item 6: a connector's deliveries, and the replay of one that failed on our side (its verified body kept for a
 * while), through the same processing: one order however often it succeeds; a rejected one is never kept nor replayed.
 */
describe('integrations: deliveries and replay of a failed one (issue 15 item 6)', () => {
  const test = useTestApp({ env: { INTEGRATIONS_KEY: randomBytes(32).toString('base64') } });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);

  async function createShopify() {
    const secrets = { webhookSecret: `whsec_${randomBytes(18).toString('hex')}`, accessToken: `shpat_${randomBytes(18).toString('hex')}` };
    const name = connectorName();
    const { body } = await http().post('/api/integrations').set(test.auth).send({ kind: 'shopify', name, settings: { shopDomain: 'oms-test.myshopify.com' }, secrets }).expect(201);
    return { id: body.id as string, name, secrets };
  }
  const deliver = (id: string, body: string, secret: string, webhookId: string = randomUUID()) => http().post(`/hooks/${id}`).set(shopifyHeaders(body, secret, webhookId)).send(body);
  const ordersOf = async (channel: string) => (await http().get('/api/orders').query({ channel, pageSize: 200 }).set(test.auth).expect(200)).body.items as Array<{ id: string; externalId: string }>;
  const deliveries = async (id: string, query: Record<string, string> = {}) =>
    (await http().get(`/api/integrations/${id}/deliveries`).query(query).set(test.auth).expect(200)).body;
  const replay = (id: string, rowId: string) => http().post(`/api/integrations/${id}/deliveries/${rowId}/replay`).set(test.auth);

  const refuseOrdersOf = (channel: string) => refuse(db(), channel);

  it('failed on our side: kept and listed as replayable; a replay while still failing says so; fixed, the replay makes exactly one order and forgets the body', async () => {
    const { id, name, secrets } = await createShopify();
    const fix = await refuseOrdersOf(name);
    const { text, id: shopifyId } = shopifyOrder();
    const failed = await deliver(id, text, secrets.webhookSecret, 'webhook-1');
    expect(failed.status).toBeGreaterThanOrEqual(500); // Shopify retries a non-2xx answer
    expect(await ordersOf(name)).toHaveLength(0);

    const listed = await deliveries(id);
    expect(listed).toMatchObject({ total: 1, page: 1, items: [{ deliveryId: 'webhook-1', topic: 'orders/create', outcome: 'failed', externalId: shopifyId, orderId: null, replayable: true, replays: 0 }] });
    expect(listed.items[0].error).toContain('the database refuses this order');
    expect(JSON.stringify(listed)).not.toContain('line_items'); // never the body
    const rowId = listed.items[0].id as string;
    const [kept] = await db().query(`SELECT replay_body FROM integration_delivery WHERE id = $1`, [rowId]);
    expect(Buffer.from(kept.replay_body).toString('utf8')).toBe(text); // the bytes the signature covered
    expect((await deliveries(id, { outcome: 'failed' })).total).toBe(1);
    expect((await deliveries(id, { outcome: 'created' })).total).toBe(0);

    const again = (await replay(id, rowId).expect(200)).body;
    expect(again).toMatchObject({ id: rowId, outcome: 'failed', replayable: true, replays: 1, replayedAt: expect.any(String) });
    expect(await ordersOf(name)).toHaveLength(0);

    await fix();
    const replayed = (await replay(id, rowId).expect(200)).body;
    expect(replayed).toMatchObject({ id: rowId, outcome: 'created', externalId: shopifyId, orderId: expect.any(String), orderNumber: expect.stringMatching(/^SO/), error: null, replayable: false, replays: 2 });
    const orders = await ordersOf(name);
    expect(orders.map((order) => [order.id, order.externalId])).toEqual([[replayed.orderId, shopifyId]]);
    const [forgotten] = await db().query(`SELECT replay_body FROM integration_delivery WHERE id = $1`, [rowId]);
    expect(forgotten.replay_body).toBeNull();

    // replayed again, and Shopify's own retry of the same delivery: nothing new
    expect((await replay(id, rowId).expect(409)).body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('created already') });
    expect((await deliver(id, text, secrets.webhookSecret, 'webhook-1').expect(200)).body).toMatchObject({ outcome: 'created', repeated: true });
    expect(await ordersOf(name)).toHaveLength(1);
    expect((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body).toMatchObject({ status: 'active', counts: { ordersCreated: 1 } });

    const audit = (await http().get('/api/audit-log').query({ action: 'integration.replay', pageSize: 200 }).set(test.auth).expect(200)).body.items
      .filter((entry: { target: string }) => entry.target === `integration:${id}`);
    expect(audit.map((entry: { details: { outcome: string } }) => entry.details.outcome).sort()).toEqual(['created', 'failed']);
    expect(audit[0]).toMatchObject({ actor: expect.any(String), details: { kind: 'shopify', name, delivery: 'webhook-1' } });
  });

  it('two replays at once after the fix, and the provider sending it again meanwhile: still exactly one order', async () => {
    const { id, name, secrets } = await createShopify();
    const fix = await refuseOrdersOf(name);
    const { text } = shopifyOrder();
    expect((await deliver(id, text, secrets.webhookSecret, 'webhook-2')).status).toBeGreaterThanOrEqual(500);
    const [{ id: rowId }] = (await deliveries(id)).items;
    await fix();
    const answers = await Promise.all([replay(id, rowId), replay(id, rowId), deliver(id, text, secrets.webhookSecret, 'webhook-2')]);
    for (const answer of answers) expect([200, 409]).toContain(answer.status);
    expect(await ordersOf(name)).toHaveLength(1);
    const [row] = (await deliveries(id)).items;
    expect(row).toMatchObject({ outcome: expect.stringMatching(/^(created|duplicate)$/), replayable: false });
  });

  it('a rejected delivery (its content refused) is never kept, and cannot be replayed; a forged one is not even recorded', async () => {
    const { id, name, secrets } = await createShopify();
    const { text } = shopifyOrder({ line_items: [] });
    expect((await deliver(id, text, secrets.webhookSecret, 'webhook-3').expect(422)).body.error.code).toBe('validation_failed');
    const [rejected] = (await deliveries(id)).items;
    expect(rejected).toMatchObject({ deliveryId: 'webhook-3', outcome: 'rejected', replayable: false });
    const [row] = await db().query(`SELECT replay_body FROM integration_delivery WHERE id = $1`, [rejected.id]);
    expect(row.replay_body).toBeNull();
    expect((await replay(id, rejected.id).expect(409)).body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('rejected') });

    const forged = shopifyOrder();
    await deliver(id, forged.text, 'not-the-secret', 'webhook-4').expect(401);
    expect((await deliveries(id)).total).toBe(1);
    expect(await ordersOf(name)).toHaveLength(0);
  });

  it('404 for an unknown connector or delivery, a delivery of another connector, a row id that is no number; 422 for an unknown outcome', async () => {
    const first = await createShopify();
    const other = await createShopify();
    const fix = await refuseOrdersOf(first.name);
    const { text } = shopifyOrder();
    await deliver(first.id, text, first.secrets.webhookSecret);
    await fix();
    const [{ id: rowId }] = (await deliveries(first.id)).items;
    await http().get(`/api/integrations/${randomUUID()}/deliveries`).set(test.auth).expect(404);
    await replay(randomUUID(), rowId).expect(404);
    await replay(other.id, rowId).expect(404);
    for (const bad of ['abc', '0', '-1', '1e3', '99999999999999999999', "1' OR '1'='1"]) await replay(first.id, encodeURIComponent(bad)).expect(404);
    expect((await http().get(`/api/integrations/${first.id}/deliveries`).query({ outcome: 'everything' }).set(test.auth).expect(422)).body.error.code).toBe('validation_failed');
    expect((await replay(first.id, rowId).expect(200)).body.outcome).toBe('created');
  });

  it('a paused connector replays nothing (409) until resumed', async () => {
    const { id, name, secrets } = await createShopify();
    const fix = await refuseOrdersOf(name);
    const { text } = shopifyOrder();
    await deliver(id, text, secrets.webhookSecret);
    await fix();
    const [{ id: rowId }] = (await deliveries(id)).items;
    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'paused' }).expect(200);
    expect((await replay(id, rowId).expect(409)).body.error.message).toContain('paused');
    expect(await ordersOf(name)).toHaveLength(0);
    await http().patch(`/api/integrations/${id}`).set(test.auth).send({ status: 'active' }).expect(200);
    expect((await replay(id, rowId).expect(200)).body.outcome).toBe('created');
  });

  it(`the kept body is forgotten after ${REPLAY_RETENTION_DAYS} days: not replayable, and the sweep clears it`, async () => {
    const { id, name, secrets } = await createShopify();
    const fix = await refuseOrdersOf(name);
    await deliver(id, shopifyOrder().text, secrets.webhookSecret);
    await deliver(id, shopifyOrder().text, secrets.webhookSecret);
    await fix();
    const [newer, older] = (await deliveries(id)).items;
    await db().query(`UPDATE integration_delivery SET received_at = now() - make_interval(days => $2) WHERE id = $1`, [older.id, REPLAY_RETENTION_DAYS + 1]);
    const listed = (await deliveries(id)).items;
    expect(listed.map((row: { id: string; replayable: boolean }) => [row.id, row.replayable])).toEqual([[newer.id, true], [older.id, false]]);
    expect((await replay(id, older.id).expect(409)).body.error.message).toContain('no longer kept');
    expect(await test.app.running.app.get(IntegrationDeliveriesService).forgetExpired()).toBeGreaterThanOrEqual(1);
    const kept = await db().query(`SELECT id::text, replay_body IS NOT NULL AS kept FROM integration_delivery WHERE integration_id = $1 ORDER BY id`, [id]);
    expect(kept).toEqual(expect.arrayContaining([{ id: older.id, kept: false }, { id: newer.id, kept: true }]));
    expect(await ordersOf(name)).toHaveLength(0);
  });

  it('integrations.manage: 403 for other roles (operator, integration, warehouse), 401 without a token; nothing replayed', async () => {
    const { id, name, secrets } = await createShopify();
    const fix = await refuseOrdersOf(name);
    await deliver(id, shopifyOrder().text, secrets.webhookSecret);
    await fix();
    const [{ id: rowId }] = (await deliveries(id)).items;
    const users = await Promise.all(['operator', 'integration', 'warehouse'].map((role) => userWithRoles(test.app, role)));
    const calls = [() => http().get(`/api/integrations/${id}/deliveries`), () => http().post(`/api/integrations/${id}/deliveries/${rowId}/replay`)];
    for (const call of calls) {
      for (const user of users) expect((await call().set(user.auth).expect(403)).body.error.code).toBe('forbidden');
      expect((await call().expect(401)).body.error.code).toBe('unauthorized');
    }
    expect((await deliveries(id)).items[0]).toMatchObject({ outcome: 'failed', replays: 0 });
    expect(await ordersOf(name)).toHaveLength(0);
  });
});

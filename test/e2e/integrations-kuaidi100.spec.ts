import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FakeKuaidi100, type FakeSubscription } from '../helpers/fake-kuaidi100';
import { orderBody, shippedOrder, stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

const PUBLIC_URL = 'https://oms.example.test';
const connectorName = (prefix: string) => unique(prefix).replace(/[^A-Za-z0-9_-]/g, '').slice(-40);

/** The text of a PDF (pdftotext, poppler-utils), as the other document tests read it. */
function pdfText(pdf: Buffer): string {
  const result = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(`pdftotext failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout;
}

/**
 * Issue 15 item 4 (G1.4, G1.5): Kuaidi100 against a local fake that implements its documented signatures: subscriptions
 * when a parcel ships (retried, dead-lettered), pushes at /hooks/{id} into tracking events, polling for carriers without
 * push, and e-waybills at packing, including the label service being down.
 */
describe('integrations: Kuaidi100 tracking and e-waybills (G1.4, G1.5)', () => {
  const test = useTestApp({
    env: {
      INTEGRATIONS_KEY: randomBytes(32).toString('base64'), PUBLIC_URL,
      CARRIER_POLL_MS: '100', CARRIER_RETRY_BASE_SECONDS: '1', CARRIER_MAX_ATTEMPTS: '3', CARRIER_TRACKING_POLL_SECONDS: '1',
    },
  });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);
  let fake: FakeKuaidi100;
  let fakeUrl: string;

  beforeEach(async () => {
    fake = new FakeKuaidi100();
    fakeUrl = await fake.start();
  });
  afterEach(async () => {
    // each test's connector goes: every active kuaidi100 connector watches every parcel shipped
    for (const row of await db().query(`SELECT id FROM integration WHERE kind = 'kuaidi100'`)) await http().delete(`/api/integrations/${row.id}`).set(test.auth).expect(204);
    await fake.stop();
  });

  async function connector(settings: Record<string, unknown> = {}, secrets: Record<string, string> = {}) {
    const salt = randomBytes(12).toString('hex');
    const body = {
      kind: 'kuaidi100', name: connectorName('kd100'),
      settings: { apiBaseUrl: fakeUrl, ...settings },
      secrets: { key: fake.key, salt, customer: fake.customer, secret: fake.secret, ...secrets },
    };
    const created = (await http().post('/api/integrations').set(test.auth).send(body).expect(201)).body;
    expect(created.webhookUrl).toBe(`${PUBLIC_URL}/hooks/${created.id}`);
    return { id: created.id as string, salt };
  }

  const shipmentOf = async (id: string) => (await http().get(`/api/shipments/${id}`).set(test.auth).expect(200)).body;
  const orderOf = async (id: string) => (await http().get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const eventCount = async (shipmentId: string) => Number((await db().query(`SELECT count(*) AS n FROM shipment_event WHERE shipment_id = $1`, [shipmentId]))[0].n);
  const watchOf = async (shipmentId: string) => (await db().query(`SELECT mode, status, attempts, last_error FROM carrier_tracking_watch WHERE shipment_id = $1`, [shipmentId]))[0];
  const subscriptionOf = (number: string) => eventually(async () => fake.subscriptions.find((entry) => entry.number === number), { what: `the subscription of ${number} at the fake` });
  const sendPush = (push: { path: string; body: string }) => http().post(push.path).set('Content-Type', 'application/x-www-form-urlencoded').send(push.body);

  /** The fake's track of an SF parcel: collected, out for delivery, delivered (newest first, Beijing time). */
  const journey = (delivered: boolean) => [
    ...(delivered ? [{ context: '[杭州市]快件已签收,签收人:本人', ftime: '2026-12-02 10:12:00', areaName: '浙江,杭州市,西湖区', statusCode: '301' }] : []),
    { context: '[杭州市]快件交给张师傅,正在派送途中', ftime: '2026-12-02 08:05:00', areaName: '浙江,杭州市,西湖区', statusCode: '5' },
    { context: '[上海市]顺丰速运已收取快件', ftime: '2026-12-01 17:02:00', areaName: '上海', statusCode: '103' },
  ];

  it('a shipped parcel is subscribed with our callback and salt; a genuine push moves its tracking and delivered reaches the order; the same push again writes nothing', async () => {
    const kd = await connector();
    const { order } = await shippedOrder(test.app, test.auth, [1]);
    const shipment = order.shipments[0];
    const subscription = await subscriptionOf(shipment.trackingNumber);
    expect(subscription).toMatchObject({ company: 'shunfeng', key: fake.key, callbackurl: `${PUBLIC_URL}/hooks/${kd.id}`, salt: kd.salt, phone: '13800138000' });
    expect(fake.calls.filter((call) => call.path === '/poll')).toEqual([{ path: '/poll', validSignature: true, status: 200 }]);
    expect(await eventually(async () => ((await watchOf(shipment.id))?.status === 'subscribed' ? watchOf(shipment.id) : undefined))).toMatchObject({ mode: 'push', attempts: 1 });

    const inTransit = await sendPush(fake.push(subscription, '5', journey(false))).expect(200);
    expect(inTransit.body).toEqual({ result: true, returnCode: '200', message: '成功' });
    expect(await shipmentOf(shipment.id)).toMatchObject({ status: 'in_transit', events: [expect.objectContaining({ status: 'in_transit', location: '上海' }), expect.objectContaining({ status: 'out_for_delivery' })] });

    const delivered = fake.push(subscription, '3', journey(true));
    expect((await sendPush(delivered).expect(200)).body.result).toBe(true);
    expect((await shipmentOf(shipment.id)).status).toBe('delivered');
    await eventually(async () => ((await orderOf(order.id)).status === 'delivered' ? true : undefined), { what: 'the order to be delivered' });

    const events = await eventCount(shipment.id);
    const deliveries = await db().query(`SELECT outcome FROM integration_delivery WHERE integration_id = $1 ORDER BY id`, [kd.id]);
    expect((await sendPush(delivered).expect(200)).body).toEqual({ result: true, returnCode: '200', message: '成功' });
    expect(await eventCount(shipment.id)).toBe(events);
    expect(await db().query(`SELECT outcome FROM integration_delivery WHERE integration_id = $1 ORDER BY id`, [kd.id])).toEqual(deliveries);
    expect(deliveries.map((row: { outcome: string }) => row.outcome)).toEqual(['updated', 'updated']);
    // the same track in a new push (Kuaidi100 re-sends with another monitor status): answered, no new events
    expect((await sendPush(fake.push(subscription, '3', journey(true), 'polling')).expect(200)).body.result).toBe(true);
    expect(await eventCount(shipment.id)).toBe(events);
  });

  it('a tampered body, a wrong sign, a push with another salt, or no sign is refused with nothing written', async () => {
    const kd = await connector();
    const { order } = await shippedOrder(test.app, test.auth, [1]);
    const shipment = order.shipments[0];
    const subscription = await subscriptionOf(shipment.trackingNumber);
    const genuine = fake.push(subscription, '3', journey(true));
    const form = new URLSearchParams(genuine.body);
    const tampered = new URLSearchParams({ param: genuine.param.replace('"state":"3"', '"state":"4"'), sign: form.get('sign')! }).toString();
    const wrongSign = new URLSearchParams({ param: genuine.param, sign: form.get('sign')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }).toString();
    const otherSalt = fake.push({ ...subscription, salt: 'not-our-salt' } as FakeSubscription, '3', journey(true)).body;
    const unsigned = new URLSearchParams({ param: genuine.param }).toString();
    for (const body of [tampered, wrongSign, otherSalt, unsigned]) {
      const answer = await sendPush({ path: genuine.path, body });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ result: false, returnCode: '500', message: 'signature verification failed' });
    }
    expect(await eventCount(shipment.id)).toBe(0);
    expect((await shipmentOf(shipment.id)).status).toBe('shipped');
    expect(await db().query(`SELECT 1 FROM integration_delivery WHERE integration_id = $1`, [kd.id])).toEqual([]);
    // the genuine one still goes through afterwards
    expect((await sendPush(genuine).expect(200)).body.result).toBe(true);
    expect((await shipmentOf(shipment.id)).status).toBe('delivered');
  });

  it('the subscription is retried after the fake fails twice; after the last retry it is a dead letter with an alert and the connector\'s lastError', async () => {
    const kd = await connector();
    fake.failNext['/poll'] = 2;
    const first = (await shippedOrder(test.app, test.auth, [1])).order.shipments[0];
    await subscriptionOf(first.trackingNumber);
    expect(fake.calls.filter((call) => call.path === '/poll').map((call) => call.status)).toEqual([500, 500, 200]);
    expect(await eventually(async () => ((await watchOf(first.id))?.status === 'subscribed' ? watchOf(first.id) : undefined))).toMatchObject({ attempts: 3 });

    fake.down.add('/poll');
    const second = (await shippedOrder(test.app, test.auth, [1])).order.shipments[0];
    const dead = await eventually(async () => ((await watchOf(second.id))?.status === 'dead' ? watchOf(second.id) : undefined), { what: 'the dead letter' });
    expect(dead).toMatchObject({ attempts: 3, last_error: expect.stringContaining('HTTP 503') });
    expect(fake.calls.filter((call) => call.path === '/poll' && call.status === 503)).toHaveLength(3);
    const alerts = await db().query(`SELECT message, status FROM system_alert WHERE kind = 'carrier_tracking_dead' AND reference = $1`, [`shipment:${second.id}`]);
    expect(alerts).toEqual([{ message: expect.stringContaining(second.trackingNumber), status: 'open' }]);
    const view = (await http().get(`/api/integrations/${kd.id}`).set(test.auth).expect(200)).body;
    expect(view).toMatchObject({ status: 'failing', lastError: expect.stringContaining('given up after 3 attempt(s)') });
    expect(JSON.stringify(view)).not.toContain(fake.key);
    expect(JSON.stringify(view)).not.toContain(kd.salt);
  });

  it('a carrier without push is polled with the signed real-time query until delivered: from the connector\'s pollCarriers, and when Kuaidi100 answers 701', async () => {
    const kd = await connector({ pollCarriers: ['sf'] });
    const { order } = await shippedOrder(test.app, test.auth, [1]);
    const shipment = order.shipments[0];
    fake.tracks.set(shipment.trackingNumber, { com: 'shunfeng', state: '5', data: journey(false) });
    await eventually(async () => ((await shipmentOf(shipment.id)).status === 'in_transit' ? true : undefined), { what: 'the polled track in transit' });
    expect(fake.subscriptions).toEqual([]);
    fake.tracks.set(shipment.trackingNumber, { com: 'shunfeng', state: '3', data: journey(true) });
    await eventually(async () => ((await orderOf(order.id)).status === 'delivered' ? true : undefined), { what: 'the polled parcel delivered' });
    expect(await watchOf(shipment.id)).toMatchObject({ mode: 'poll', status: 'delivered' });
    expect(fake.calls.filter((call) => call.path === '/poll/query.do').every((call) => call.validSignature)).toBe(true);
    const polls = fake.queries.length;
    expect(await eventCount(shipment.id)).toBe(3);

    // Kuaidi100 refuses push for a carrier (701): the same watch goes to polling
    fake.noPush.add('shunfeng');
    await http().patch(`/api/integrations/${kd.id}`).set(test.auth).send({ settings: { pollCarriers: null } }).expect(200);
    const next = (await shippedOrder(test.app, test.auth, [1])).order.shipments[0];
    fake.tracks.set(next.trackingNumber, { com: 'shunfeng', state: '3', data: journey(true) });
    await eventually(async () => ((await shipmentOf(next.id)).status === 'delivered' ? true : undefined), { what: 'the second parcel delivered by polling' });
    expect(await watchOf(next.id)).toMatchObject({ mode: 'poll', status: 'delivered', last_error: null });
    expect(fake.calls.filter((call) => call.path === '/poll')).toEqual([{ path: '/poll', validSignature: true, status: 200 }]);
    expect(fake.subscriptions).toEqual([]);
    expect(fake.queries.length).toBeGreaterThan(polls);
  });

  it('as an outsider: no salt configured, a paused connector, bad settings, and the waybill retry without the permission or for no shipment', async () => {
    // a connector without a salt cannot tell a genuine push from anyone's MD5(param): refused
    const unsalted = (await http().post('/api/integrations').set(test.auth).send({ kind: 'kuaidi100', name: connectorName('kdnosalt'), secrets: { key: fake.key } }).expect(201)).body;
    const kd = await connector();
    const { order } = await shippedOrder(test.app, test.auth, [1]);
    const shipment = order.shipments[0];
    const subscription = await subscriptionOf(shipment.trackingNumber);
    const push = fake.push({ ...subscription, salt: '' }, '3', journey(true));
    expect((await sendPush({ ...push, path: `/hooks/${unsalted.id}` })).status).toBe(401);
    // paused: 503 and Retry-After, Kuaidi100 sends it again later; nothing written
    await http().patch(`/api/integrations/${kd.id}`).set(test.auth).send({ status: 'paused' }).expect(200);
    const paused = await sendPush(fake.push(subscription, '3', journey(true)));
    expect(paused.status).toBe(503);
    expect(paused.headers['retry-after']).toBeDefined();
    expect(await eventCount(shipment.id)).toBe(0);
    expect(await db().query(`SELECT 1 FROM integration_delivery WHERE integration_id IN ($1, $2)`, [kd.id, unsalted.id])).toEqual([]);
    // settings the carrier work could not use are refused when saved
    const bad = await http().patch(`/api/integrations/${kd.id}`).set(test.auth)
      .send({ settings: { pollCarriers: ['dhl'], apiBaseUrl: 'file:///etc/passwd', eWaybills: { zto: { partnerId: 'x' } }, sender: { mobile: 'call me' } } }).expect(422);
    expect(bad.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(['settings.apiBaseUrl', 'settings.eWaybills.zto.tempId', 'settings.pollCarriers', 'settings.sender']);
    // the waybill retry: shipments.write only; a shipment that does not exist or has no e-waybill
    const analyst = await userWithRoles(test.app, 'analyst');
    await http().post(`/api/shipments/${shipment.id}/waybill`).set(analyst.auth).expect(403);
    await http().post('/api/shipments/00000000-0000-4000-8000-000000000000/waybill').set(test.auth).expect(404);
    await http().post('/api/shipments/not-a-uuid/waybill').set(test.auth).expect(404);
    expect((await http().post(`/api/shipments/${shipment.id}/waybill`).set(test.auth).expect(409)).body.error.code).toBe('invalid_state');
  });

  describe('e-waybill at packing', () => {
    const eWaybillSettings = {
      eWaybills: { zto: { tempId: '60f6c17c7c223700131d8bc3', partnerId: 'ZTO-MONTHLY-01' } },
      sender: { name: '测试仓', mobile: '13900139000' },
    };

    async function allocatedShipment() {
      const sku = unique('EW').slice(-30);
      await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
      const created = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
      const order = await eventually(async () => {
        const current = await orderOf(created.id);
        return current.status === 'awaiting_shipment' ? current : undefined;
      }, { what: 'the order to await shipment' });
      return { order, shipment: order.shipments[0] as { id: string } };
    }
    const labelText = async (id: string) => pdfText((await http().get(`/api/shipments/${id}/label.pdf`).set(test.auth).responseType('blob').expect(200)).body as Buffer);

    it('packing puts the fake\'s waybill number and carrier on the shipment and on the label PDF', async () => {
      await connector(eWaybillSettings);
      const { order, shipment } = await allocatedShipment();
      expect(await labelText(shipment.id)).toContain('承运商待定');
      const packed = (await http().post(`/api/shipments/${shipment.id}/pack`).set(test.auth).expect(200)).body;
      expect(fake.waybillsIssued).toHaveLength(1);
      const issued = fake.waybillsIssued[0];
      expect(fake.calls.filter((call) => call.path === '/label/order')).toEqual([{ path: '/label/order', validSignature: true, status: 200 }]);
      expect(issued).toMatchObject({ kuaidicom: 'zhongtong', orderId: expect.stringContaining(order.number), recMan: { name: '张三', printAddr: expect.stringContaining('文三路') } });
      expect(packed).toMatchObject({ status: 'packed', carrier: 'zto', trackingNumber: issued.kuaidinum, waybill: { status: 'issued', carrier: 'zto', trackingNumber: issued.kuaidinum } });
      const text = await labelText(shipment.id);
      expect(text).toContain('中通快递');
      expect(text).toContain(issued.kuaidinum);
      expect(text).not.toContain('承运商待定');
      expect(text).not.toContain('tracking number pending');
      // asked again: the issued waybill is answered, no second one requested
      expect((await http().post(`/api/shipments/${shipment.id}/waybill`).set(test.auth).expect(200)).body.waybill).toMatchObject({ status: 'issued', trackingNumber: issued.kuaidinum });
      expect(fake.waybillsIssued).toHaveLength(1);
    });

    it('the label service down at packing: the packing stands with a clear message; the waybill is obtained on retry, only one issued', async () => {
      await connector(eWaybillSettings);
      const { shipment } = await allocatedShipment();
      fake.down.add('/label/order');
      const packed = (await http().post(`/api/shipments/${shipment.id}/pack`).set(test.auth).expect(200)).body;
      expect(packed).toMatchObject({ status: 'packed', carrier: null, trackingNumber: null, waybill: { status: 'pending', carrier: 'zto', trackingNumber: null, lastError: expect.stringContaining('HTTP 503') } });
      expect(packed.waybill.message).toMatch(/^The zto e-waybill is not issued yet \(Kuaidi100 answered HTTP 503.*the packing is saved and it is retried automatically/);
      expect((await shipmentOf(shipment.id)).status).toBe('packed');
      expect(await labelText(shipment.id)).toContain('运单号待分配');

      fake.down.delete('/label/order');
      const retried = (await http().post(`/api/shipments/${shipment.id}/waybill`).set(test.auth).expect(200)).body;
      // the worker may have fetched it first; either way there is one waybill, on the shipment
      expect(fake.waybillsIssued).toHaveLength(1);
      expect(retried).toMatchObject({ status: 'packed', carrier: 'zto', trackingNumber: fake.waybillsIssued[0].kuaidinum, waybill: { status: 'issued' } });
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the worker's next round finds nothing to ask for
      expect(fake.calls.filter((call) => call.path === '/label/order' && call.status === 200)).toHaveLength(1);
      expect(await labelText(shipment.id)).toContain(fake.waybillsIssued[0].kuaidinum);
    });

    it('the worker fetches a waybill the packer\'s request missed, by itself', async () => {
      await connector(eWaybillSettings);
      const { shipment } = await allocatedShipment();
      fake.failNext['/label/order'] = 1;
      const packed = (await http().post(`/api/shipments/${shipment.id}/pack`).set(test.auth).expect(200)).body;
      expect(packed.waybill.status).toBe('pending');
      const labelled = await eventually(async () => {
        const current = await shipmentOf(shipment.id);
        return current.trackingNumber ? current : undefined;
      }, { what: 'the worker to fetch the waybill' });
      expect(labelled).toMatchObject({ carrier: 'zto', trackingNumber: fake.waybillsIssued[0].kuaidinum });
      expect(fake.waybillsIssued).toHaveLength(1);
    });
  });
});

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually, useTestApp } from '../helpers/test-app';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import {
  alipayDelivery, alipayNotificationFields, apiV3Key, rsaPair, signWechatPayBody, wechatPayDelivery, wechatPayTransaction,
} from '../unit/integrations/provider-fakes';

const connectorName = (prefix: string) => unique(prefix).replace(/[^A-Za-z0-9_-]/g, '').slice(-40);
const digits = (length: number) => Array.from({ length }, () => Math.floor(Math.random() * 10)).join('');
const fen = (amount: string) => Math.round(Number(amount) * 100);

/**
 * Issue 15 item 3 (G5.2): WeChat Pay APIv3 and Alipay asynchronous payment notifications at POST /hooks/{id}, verified
 * with keys generated here (the test plays the provider), recorded on our order through the same service as
 * POST /api/orders/{id}/payments, and answered in each provider's own format.
 */
describe('integrations: WeChat Pay and Alipay payment notifications (G5.2)', () => {
  const test = useTestApp({ env: { INTEGRATIONS_KEY: randomBytes(32).toString('base64') } });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);
  const deliveries = async (id: string) => db().query(`SELECT outcome, error, order_id FROM integration_delivery WHERE integration_id = $1 ORDER BY received_at`, [id]);
  const orderOf = async (id: string) => (await http().get(`/api/orders/${id}`).set(test.auth).expect(200)).body;

  /** An unpaid order of stocked SKUs, taken through POST /api/orders: pending_payment until the provider says it is paid. */
  async function unpaidOrder(method: string) {
    const sku = unique('PAY').slice(-30);
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 10 });
    const created = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 2 }], { payment: { method, status: 'pending' } })).expect(201)).body;
    const order = await orderOf(created.id);
    expect(order.status).toBe('pending_payment');
    return order as { id: string; number: string; totals: { grand: string } };
  }

  const paymentRows = async (orderId: string) => (await db().query(`SELECT payment_status, payment_reference FROM customer_order WHERE id = $1`, [orderId]))[0];
  const awaitingShipment = (orderId: string) => eventually(async () => {
    const order = await orderOf(orderId);
    return order.status === 'awaiting_shipment' ? order : undefined;
  }, { what: 'the paid order to await shipment' });

  describe('WeChat Pay', () => {
    async function wechatConnector() {
      const platform = rsaPair();
      const key = apiV3Key();
      const mchid = '1230000109';
      const name = connectorName('wxpay');
      const created = (await http().post('/api/integrations').set(test.auth)
        .send({ kind: 'wechatpay', name, settings: { platformCertificate: platform.publicKeyPem, mchid }, secrets: { apiV3Key: key } }).expect(201)).body;
      return { id: created.id as string, name, platform, key, mchid };
    }
    const notify = (id: string, delivery: { rawBody: string; headers: Record<string, string> }) =>
      http().post(`/hooks/${id}`).set({ 'Content-Type': 'application/json', ...delivery.headers }).send(delivery.rawBody);
    const paidNotice = (connector: Awaited<ReturnType<typeof wechatConnector>>, order: { number: string; totals: { grand: string } }, overrides: Record<string, unknown> = {}, at = new Date()) =>
      wechatPayDelivery({
        transaction: wechatPayTransaction({ out_trade_no: order.number, transaction_id: `42000${digits(23)}`, amount: { total: fen(order.totals.grand), payer_total: fen(order.totals.grand), currency: 'CNY', payer_currency: 'CNY' }, success_time: '2026-12-01T10:34:56+08:00', ...overrides }),
        apiV3Key: connector.key, platformPrivateKeyPem: connector.platform.privateKeyPem, at,
      });
    const withId = (delivery: { rawBody: string; headers: Record<string, string> }, id: string, connector: { platform: { privateKeyPem: string } }) =>
      signWechatPayBody(JSON.stringify({ ...JSON.parse(delivery.rawBody), id }), connector.platform.privateKeyPem, new Date());

    it('a paid notice records the payment and the order reaches awaiting_shipment through the workflow, with no other call; repeats record nothing new', async () => {
      const connector = await wechatConnector();
      const order = await unpaidOrder('wechatpay');
      const delivery = withId(paidNotice(connector, order), `EV-${digits(20)}`, connector);
      const answer = await notify(connector.id, delivery).expect(200);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.body).toEqual({ code: 'SUCCESS', message: '成功' });

      const shipped = await awaitingShipment(order.id);
      expect(shipped.payment).toMatchObject({ status: 'paid', amount: order.totals.grand, reference: expect.stringMatching(/^wechatpay:42000\d{23}$/), paidAt: expect.any(String) });

      // the same notification again (WeChat Pay retries until answered), and another notification of the same transaction
      expect((await notify(connector.id, delivery).expect(200)).body).toEqual({ code: 'SUCCESS', message: '成功' });
      expect((await notify(connector.id, withId(delivery, `EV-${digits(20)}`, connector)).expect(200)).body.code).toBe('SUCCESS');
      expect((await orderOf(order.id)).payment.reference).toBe(shipped.payment.reference);
      expect((await deliveries(connector.id)).map((row: { outcome: string }) => row.outcome)).toEqual(['updated', 'duplicate']);
      const connectorView = (await http().get(`/api/integrations/${connector.id}`).set(test.auth).expect(200)).body;
      expect(connectorView).toMatchObject({ status: 'active', lastError: null, counts: { ordersUpdated: 1, duplicates: 1 } });
      expect(JSON.stringify(connectorView)).not.toContain(connector.key);
    });

    it('tampered body, wrong signature, stale timestamp, wrong APIv3 key: 401 {code: FAIL}, nothing written', async () => {
      const connector = await wechatConnector();
      const order = await unpaidOrder('wechatpay');
      const good = paidNotice(connector, order);
      const other = rsaPair();
      const tampered = { ...good, rawBody: good.rawBody.replace('"summary":"支付成功"', '"summary":"支付成功!"') };
      const wrongSignature = signWechatPayBody(good.rawBody, other.privateKeyPem, new Date());
      const stale = paidNotice(connector, order, {}, new Date(Date.now() - 10 * 60_000));
      const wrongKey = wechatPayDelivery({ transaction: wechatPayTransaction({ out_trade_no: order.number }), apiV3Key: apiV3Key(), platformPrivateKeyPem: connector.platform.privateKeyPem, at: new Date() });
      const unsigned = { rawBody: good.rawBody, headers: {} };
      for (const delivery of [tampered, wrongSignature, stale, wrongKey, unsigned]) {
        const answer = await notify(connector.id, delivery);
        expect(answer.status).toBe(401);
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
        expect(answer.body).toEqual({ code: 'FAIL', message: expect.any(String) });
      }
      expect(await paymentRows(order.id)).toEqual({ payment_status: 'pending', payment_reference: null });
      expect((await orderOf(order.id)).status).toBe('pending_payment');
      expect(await deliveries(connector.id)).toEqual([]);
      // the genuine one still goes through afterwards
      expect((await notify(connector.id, good).expect(200)).body.code).toBe('SUCCESS');
      expect((await paymentRows(order.id)).payment_status).toBe('paid');
    });

    it('an unknown order: 404 {code: FAIL} (retried by WeChat Pay), recorded as rejected; trade_state NOTPAY: success, nothing recorded', async () => {
      const connector = await wechatConnector();
      const unknown = await notify(connector.id, paidNotice(connector, { number: `SO${digits(12)}`, totals: { grand: '39.80' } }));
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ code: 'FAIL', message: 'order not found' });
      expect(await deliveries(connector.id)).toEqual([expect.objectContaining({ outcome: 'rejected', error: expect.stringContaining('out_trade_no') })]);
      expect((await http().get(`/api/integrations/${connector.id}`).set(test.auth).expect(200)).body.status).toBe('failing');

      const order = await unpaidOrder('wechatpay');
      const notPaid = await notify(connector.id, paidNotice(connector, order, { trade_state: 'NOTPAY' })).expect(200);
      expect(notPaid.body.code).toBe('SUCCESS');
      expect(await paymentRows(order.id)).toEqual({ payment_status: 'pending', payment_reference: null });
      expect((await orderOf(order.id)).status).toBe('pending_payment');
    });
  });

  describe('Alipay', () => {
    const appId = '2015102700040153';
    async function alipayConnector() {
      const alipay = rsaPair();
      const name = connectorName('alipay');
      const created = (await http().post('/api/integrations').set(test.auth)
        .send({ kind: 'alipay', name, settings: { appId }, secrets: { alipayPublicKey: alipay.publicKeyBase64 } }).expect(201)).body;
      return { id: created.id as string, name, alipay };
    }
    const notify = (id: string, body: string) => http().post(`/hooks/${id}`).set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8').send(body);
    const fields = (order: { number: string; totals: { grand: string } }, overrides: Record<string, string> = {}) =>
      alipayNotificationFields({ out_trade_no: order.number, total_amount: order.totals.grand, trade_no: `2026${digits(24)}`, notify_id: randomBytes(16).toString('hex'), gmt_payment: '2026-12-01 10:34:56', app_id: appId, ...overrides });

    it('a TRADE_SUCCESS notice records the payment, the order reaches awaiting_shipment; repeats (same notify_id, then TRADE_FINISHED) answer success and record nothing new', async () => {
      const connector = await alipayConnector();
      const order = await unpaidOrder('alipay');
      const notice = fields(order);
      const body = alipayDelivery(notice, connector.alipay.privateKeyPem);
      const answer = await notify(connector.id, body).expect(200);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);
      expect(answer.text).toBe('success');

      const shipped = await awaitingShipment(order.id);
      expect(shipped.payment).toMatchObject({ status: 'paid', amount: order.totals.grand, reference: `alipay:${notice.trade_no}`, paidAt: '2026-12-01T02:34:56.000Z' });

      expect((await notify(connector.id, body).expect(200)).text).toBe('success');
      const finished = alipayDelivery({ ...notice, trade_status: 'TRADE_FINISHED', notify_id: randomBytes(16).toString('hex') }, connector.alipay.privateKeyPem);
      expect((await notify(connector.id, finished).expect(200)).text).toBe('success');
      expect((await deliveries(connector.id)).map((row: { outcome: string }) => row.outcome)).toEqual(['updated', 'duplicate']);
      expect((await orderOf(order.id)).payment.reference).toBe(`alipay:${notice.trade_no}`);
    });

    it('tampered, wrong key, unsigned or another app: 401 "fail", nothing written; unknown order: 404 "fail" and rejected; WAIT_BUYER_PAY: success, nothing recorded', async () => {
      const connector = await alipayConnector();
      const order = await unpaidOrder('alipay');
      const notice = fields(order);
      const good = alipayDelivery(notice, connector.alipay.privateKeyPem);
      const tampered = good.replace(`total_amount=${encodeURIComponent(order.totals.grand)}`, 'total_amount=0.01');
      expect(tampered).not.toBe(good);
      const wrongKey = alipayDelivery(notice, rsaPair().privateKeyPem);
      const unsigned = new URLSearchParams(notice).toString();
      const otherApp = alipayDelivery({ ...notice, app_id: '2015102700040999' }, connector.alipay.privateKeyPem);
      for (const body of [tampered, wrongKey, unsigned, otherApp]) {
        const answer = await notify(connector.id, body);
        expect({ status: answer.status, text: answer.text }).toEqual({ status: 401, text: 'fail' });
        expect(answer.headers['content-type']).toMatch(/^text\/plain/);
      }
      expect(await paymentRows(order.id)).toEqual({ payment_status: 'pending', payment_reference: null });
      expect(await deliveries(connector.id)).toEqual([]);

      const waiting = await notify(connector.id, alipayDelivery(fields(order, { trade_status: 'WAIT_BUYER_PAY' }), connector.alipay.privateKeyPem)).expect(200);
      expect(waiting.text).toBe('success');
      expect(await paymentRows(order.id)).toEqual({ payment_status: 'pending', payment_reference: null });

      const unknown = await notify(connector.id, alipayDelivery(fields({ number: `SO${digits(12)}`, totals: { grand: '39.80' } }), connector.alipay.privateKeyPem));
      expect({ status: unknown.status, text: unknown.text }).toEqual({ status: 404, text: 'fail' });
      expect((await deliveries(connector.id)).map((row: { outcome: string }) => row.outcome)).toEqual(['ignored', 'rejected']);

      expect((await notify(connector.id, good).expect(200)).text).toBe('success');
      expect((await paymentRows(order.id)).payment_status).toBe('paid');
    });

    it('paused: 503 with Retry-After, nothing written; an order paid another way: success (no retry), not recorded, rejected with "refund it"', async () => {
      const connector = await alipayConnector();
      const order = await unpaidOrder('alipay');
      const body = alipayDelivery(fields(order), connector.alipay.privateKeyPem);
      await http().patch(`/api/integrations/${connector.id}`).set(test.auth).send({ status: 'paused' }).expect(200);
      const paused = await notify(connector.id, body);
      expect(paused.status).toBe(503);
      expect(paused.headers['retry-after']).toBe('300');
      expect(await deliveries(connector.id)).toEqual([]);
      await http().patch(`/api/integrations/${connector.id}`).set(test.auth).send({ status: 'active' }).expect(200);

      await http().post(`/api/orders/${order.id}/payments`).set(test.auth).send({ amount: order.totals.grand, reference: 'BANK-TRANSFER-1' }).expect(200);
      expect((await notify(connector.id, body).expect(200)).text).toBe('success');
      expect((await orderOf(order.id)).payment.reference).toBe('BANK-TRANSFER-1');
      expect(await deliveries(connector.id)).toEqual([expect.objectContaining({ outcome: 'rejected', order_id: order.id, error: expect.stringContaining('refund it') })]);
    });

    it('connector settings: appId is required; WeChat Pay needs a PEM platform certificate, mchid and a 32-character APIv3 key (422)', async () => {
      const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const refusals: Array<[Record<string, unknown>, string]> = [
        [{ kind: 'alipay', secrets: { alipayPublicKey: 'k' } }, 'settings.appId'],
        [{ kind: 'wechatpay', secrets: { apiV3Key: apiV3Key() }, settings: { mchid: '1230000109' } }, 'settings.platformCertificate'],
        [{ kind: 'wechatpay', secrets: { apiV3Key: apiV3Key() }, settings: { platformCertificate: 'not a pem', mchid: '1230000109' } }, 'settings.platformCertificate'],
        [{ kind: 'wechatpay', secrets: { apiV3Key: apiV3Key() }, settings: { platformCertificate: pem } }, 'settings.mchid'],
        [{ kind: 'wechatpay', secrets: { apiV3Key: 'short' }, settings: { platformCertificate: pem, mchid: '1230000109' } }, 'secrets.apiV3Key'],
      ];
      for (const [body, path] of refusals) {
        const response = await http().post('/api/integrations').set(test.auth).send({ name: connectorName('pay'), ...body });
        expect({ path, status: response.status }).toEqual({ path, status: 422 });
        expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
      }
    });
  });
});

import { AuthService } from '../../src/auth/auth.service';
import { MAINLAND_PROVINCES } from '../../src/common/china-regions';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

/** API.md "Reports and settings" and G3.1: flow rules an admin changes at run time. */
describe('settings', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let sku: string;

  beforeAll(async () => {
    app = await startTestApp();
    const token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
    sku = unique('SET');
    await stockedCatalogue(app, token, { [sku]: 100 });
  });
  afterAll(async () => app?.close());

  const order = async (overrides: Record<string, unknown> = {}, quantity = 1) =>
    (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity }], overrides)).expect(201)).body;
  const settle = (id: string, status: string) =>
    eventually(async () => {
      // the instance first: once it waits, what its steps did is committed, so the order read after it shows it
      const { processInstanceId } = (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
      const instance = (await app.http.get(`/api/process-instances/${processInstanceId}`).set(auth).expect(200)).body;
      const body = (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
      return body.status === status && instance.status === 'waiting' ? body : undefined;
    }, { what: `order ${id} to settle in ${status}` });

  it('a new install has the defaults of API.md', async () => {
    const settings = (await app.http.get('/api/settings').set(auth).expect(200)).body;
    expect(settings).toMatchObject({
      autoReview: { enabled: true, manualReviewAbove: null },
      allocationStrategy: 'warehouse_priority',
      partialStockPolicy: 'split',
      carrierPriority: ['sf', 'zto', 'yto', 'sto', 'yunda', 'jd', 'ems'],
    });
    expect(settings.deliveryArea.provinces).toHaveLength(31);
  });

  it('rejects invalid settings with 422 naming each field, and changes nothing', async () => {
    const before = (await app.http.get('/api/settings').set(auth).expect(200)).body;
    const rejected = await app.http
      .put('/api/settings')
      .set(auth)
      .send({ carrierPriority: ['sf', 'ups'], autoReview: { enabled: 'yes' }, partialStockPolicy: 'sometimes', colour: 'blue' })
      .expect(422);
    expect(rejected.body.error.code).toBe('validation_failed');
    expect(rejected.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['carrierPriority.1', 'autoReview.enabled', 'partialStockPolicy']),
    );
    expect((await app.http.get('/api/settings').set(auth).expect(200)).body).toEqual(before);
  });

  it('only roles with settings.manage change settings', async () => {
    await app.running.app.get(AuthService).createUser('ops@test.local', 'ops-password-1', ['operator']);
    const operator = { Authorization: `Bearer ${await app.login('ops@test.local', 'ops-password-1')}` };
    await app.http.get('/api/settings').set(operator).expect(200);
    expect((await app.http.put('/api/settings').set(operator).send({ autoReview: { enabled: false } }).expect(403)).body.error.code).toBe('forbidden');
  });

  it('with auto-review off a clean paid order waits in pending_review until a person approves it', async () => {
    await app.http.put('/api/settings').set(auth).send({ autoReview: { enabled: false } }).expect(200);
    try {
      const held = await settle((await order()).id, 'pending_review');
      expect(held.history.at(-1).note).toContain('auto-review is off');
      await app.http.post(`/api/orders/${held.id}/approve`).set(auth).send({}).expect(200);
      await settle(held.id, 'awaiting_shipment');

      const rejected = await settle((await order()).id, 'pending_review');
      expect((await app.http.post(`/api/orders/${rejected.id}/reject`).set(auth).send({ reason: 'suspected fraud' }).expect(200)).body.status).toBe('exception');
    } finally {
      await app.http.put('/api/settings').set(auth).send({ autoReview: { enabled: true } }).expect(200);
    }
  });

  it('orders above the manual review amount are held; smaller ones pass', async () => {
    await app.http.put('/api/settings').set(auth).send({ autoReview: { manualReviewAbove: '100.00' } }).expect(200);
    try {
      const big = await settle((await order({}, 10)).id, 'pending_review'); // 10 × 19.90 = 199.00
      expect(big.history.at(-1).note).toContain('over the manual review threshold of 100.00');
      await settle((await order({}, 2)).id, 'awaiting_shipment');
    } finally {
      await app.http.put('/api/settings').set(auth).send({ autoReview: { manualReviewAbove: null } }).expect(200);
    }
  });

  it('a change is used at once by the process that made it, though it holds the settings cached', async () => {
    expect((await app.http.get('/api/settings').set(auth).expect(200)).body.afterSales.windowDays).toBe(15);
    await app.http.put('/api/settings').set(auth).send({ afterSales: { windowDays: 30 } }).expect(200);
    try {
      expect((await app.http.get('/api/settings').set(auth).expect(200)).body.afterSales.windowDays).toBe(30);
    } finally {
      await app.http.put('/api/settings').set(auth).send({ afterSales: { windowDays: 15 } }).expect(200);
    }
  });

  it('changes sent at the same time are all kept (each merges onto the one before it)', async () => {
    const changes = [
      { alertThresholds: { staleTrackingHours: 60 } },
      { afterSales: { windowDays: 20 } },
      { notifications: { maxPerRecipientPerHour: 5 } },
      { security: { adminSessionIdleMinutes: 45 } },
      { orderMerge: { automatic: true } },
    ];
    const before = (await app.http.get('/api/settings').set(auth).expect(200)).body;
    try {
      await Promise.all(changes.map((change) => app.http.put('/api/settings').set(auth).send(change).expect(200)));
      expect((await app.http.get('/api/settings').set(auth).expect(200)).body).toMatchObject(changes.reduce((all, change) => ({ ...all, ...change }), {}));
    } finally {
      await app.http.put('/api/settings').set(auth).send(before).expect(200);
    }
  });

  it('a delivery area narrowed to some provinces flags addresses elsewhere', async () => {
    await app.http.put('/api/settings').set(auth).send({ deliveryArea: { provinces: ['上海', '江苏'] } }).expect(200);
    try {
      const outside = await settle((await order()).id, 'exception'); // 浙江省
      expect(outside.flags).toEqual([expect.objectContaining({ code: 'outside_delivery_area', message: expect.stringContaining('delivery area set in the settings') })]);
      const inside = await order({ shippingAddress: { province: 'Jiangsu', city: 'Nanjing', line1: '1 Zhongshan Road, Gulou' } });
      await settle(inside.id, 'awaiting_shipment');
    } finally {
      await app.http.put('/api/settings').set(auth).send({ deliveryArea: { provinces: [...MAINLAND_PROVINCES] } }).expect(200);
    }
  });
});

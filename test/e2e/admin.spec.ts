import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { AuthService } from '../../src/auth/auth.service';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestApp, type TestApp } from '../helpers/test-app';

// AdminJS: no component bundling and no rollup watcher in tests (STACK trap 4); jest runs this file with
// NODE_OPTIONS=--experimental-vm-modules because AdminJS is ESM-only (trap 2).
const savedEnv = { NODE_ENV: process.env.NODE_ENV, ADMIN_JS_SKIP_BUNDLE: process.env.ADMIN_JS_SKIP_BUNDLE };
process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_SKIP_BUNDLE = 'true';

/** The `oms_admin=...` pair from a response's Set-Cookie, if it set one. */
function sessionCookie(response: Response): string | undefined {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  return header?.find((cookie) => cookie.startsWith('oms_admin='))?.split(';')[0];
}

/** The session id inside a signed `oms_admin=s:<sid>.<signature>` cookie. */
const sessionId = (cookie: string) => decodeURIComponent(cookie.slice('oms_admin='.length)).replace(/^s:/, '').replace(/\.[^.]*$/, '');

describe('the AdminJS back office at /admin', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let adminCookie: string;

  const adminLogin = (email: string, password: string) => app.http.post('/admin/login').type('form').send({ email, password });
  const signIn = async (email: string, password: string) => {
    const response = await adminLogin(email, password).expect(302);
    const cookie = sessionCookie(response);
    if (!cookie) throw new Error(`no session cookie for ${email}`);
    return cookie;
  };
  const storedSessions = async (sid: string) =>
    (await app.running.app.get(DataSource).query(`SELECT count(*)::int AS count FROM admin_session WHERE sid = $1`, [sid]))[0].count as number;
  const getOrder = async (id: string) => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
  const placeOrder = async () => {
    const sku = unique('ADM');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const created = await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 2 }])).expect(201);
    return { id: created.body.id as string, number: created.body.number as string, sku };
  };
  const waitForStatus = (id: string, status: string) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === status ? order : undefined;
    }, { what: `order ${id} to be ${status}` });

  beforeAll(async () => {
    const esmMode = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('--experimental-vm-modules');
    if (!esmMode) throw new Error('AdminJS is ESM-only: run this file with NODE_OPTIONS=--experimental-vm-modules (STACK.md trap 2)');
    app = await startTestApp({ admin: true });
    auth = { Authorization: `Bearer ${await app.login()}` };
    adminCookie = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    // the English screens (the first admin has the install's default, zh-CN; a test below switches to it)
    await setOwnLocale('en');
  });

  /** The first admin's back-office language, as the user menu saves it (read again on every admin request). */
  const setOwnLocale = async (locale: 'zh-CN' | 'en') => {
    const me = (await app.http.get('/api/auth/me').set(auth).expect(200)).body as { id: string };
    await app.http.patch(`/api/users/${me.id}`).set(auth).send({ locale }).expect(200);
  };
  afterAll(async () => {
    await app?.close();
    process.env.NODE_ENV = savedEnv.NODE_ENV;
    if (savedEnv.ADMIN_JS_SKIP_BUNDLE === undefined) delete process.env.ADMIN_JS_SKIP_BUNDLE;
    else process.env.ADMIN_JS_SKIP_BUNDLE = savedEnv.ADMIN_JS_SKIP_BUNDLE;
  });

  it('serves the login page, branded OMS, without AdminJS marketing', async () => {
    const response = await app.http.get('/admin/login').expect(200).expect('Content-Type', /html/);
    expect(response.text).toContain('/admin/login'); // the form posts here
    expect(response.text).toContain('OMS');
    expect(response.text).not.toMatch(/"withMadeWithLove":true/);
  });

  it('signs the admin in with the API credentials: 302 to /admin and an HttpOnly, SameSite=Lax session cookie kept in PostgreSQL', async () => {
    const response = await adminLogin(ADMIN_EMAIL, ADMIN_PASSWORD).expect(302);
    expect(response.headers.location).toBe('/admin');
    const setCookie = (response.headers['set-cookie'] as unknown as string[]).find((cookie) => cookie.startsWith('oms_admin='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\/admin/i);
    expect(await storedSessions(sessionId(sessionCookie(response)!))).toBe(1);

    await app.http.get('/admin').set('Cookie', sessionCookie(response)!).expect(200).expect('Content-Type', /html/);
    await app.http.get('/admin').expect(302).expect('Location', '/admin/login');
  });

  it('a wrong password signs nobody in', async () => {
    const response = await adminLogin(ADMIN_EMAIL, 'not-the-password');
    expect(response.status).not.toBe(302);
    expect(response.text).toContain('invalidCredentials');
    expect(sessionCookie(response)).toBeUndefined();
    const unknown = await adminLogin('nobody@test.local', 'whatever-password');
    expect(unknown.status).not.toBe(302);
  });

  it('lists orders through the admin API, newest first, and filters by exact status', async () => {
    const placed = await placeOrder();
    const response = await app.http.get('/admin/api/resources/Order/actions/list').set('Cookie', adminCookie).expect(200).expect('Content-Type', /json/);
    expect(response.body.meta.total).toBeGreaterThanOrEqual(1);
    expect(response.body.records[0].params).toMatchObject({ id: placed.id, number: placed.number, customerPhone: '13800138000' });

    await waitForStatus(placed.id, 'awaiting_shipment');
    const filtered = await app.http
      .get('/admin/api/resources/Order/actions/list')
      .query({ 'filters.status': 'awaiting_shipment', 'filters.number': placed.number })
      .set('Cookie', adminCookie)
      .expect(200);
    expect(filtered.body.records.map((record: { id: string }) => record.id)).toEqual([placed.id]);
    const none = await app.http.get('/admin/api/resources/Order/actions/list').query({ 'filters.status': 'shipped' }).set('Cookie', adminCookie).expect(200);
    expect(none.body.records).toEqual([]);
  });

  it('refuses an order action that a browser sends from another site (a link in a mail)', async () => {
    const placed = await placeOrder();
    const response = await app.http
      .get(`/admin/api/resources/Order/records/${placed.id}/confirmReceipt`)
      .set('Cookie', adminCookie)
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Sec-Fetch-Mode', 'navigate')
      .expect(403);
    expect(response.body.error.code).toBe('forbidden');
    const cancel = await app.http
      .post(`/admin/api/resources/Order/records/${placed.id}/cancel`)
      .type('form')
      .send({ reason: 'forged' })
      .set('Cookie', adminCookie)
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(403);
    expect(cancel.body.error.code).toBe('forbidden');
    expect((await getOrder(placed.id)).status).not.toBe('cancelled');
  });

  describe('the order screens (G2.2-G2.6)', () => {
    const orderAction = (id: string, name: string) => `/admin/api/resources/Order/records/${id}/${name}`;
    const openForm = async (id: string, name: string, cookie = adminCookie) => (await app.http.get(orderAction(id, name)).set('Cookie', cookie).expect(200)).body;
    const submit = async (id: string, name: string, form: Record<string, string>, cookie = adminCookie) =>
      (await app.http.post(orderAction(id, name)).type('form').send(form).set('Cookie', cookie).expect(200)).body;
    const detailOf = async (id: string) => (await app.http.get(orderAction(id, 'show')).set('Cookie', adminCookie).expect(200)).body.record;
    const list = async (filters: Record<string, string>) =>
      (
        await app.http
          .get('/admin/api/resources/Order/actions/list')
          .query(Object.fromEntries(Object.entries(filters).map(([key, value]) => [`filters.${key}`, value])))
          .set('Cookie', adminCookie)
          .expect(200)
      ).body;
    const actionNames = (record: { recordActions: Array<{ name: string }> }) => record.recordActions.map((action) => action.name);
    /** An order of fresh SKUs with stock in a fresh warehouse; `body` overrides parts of the order. */
    const orderWith = async (body: Record<string, unknown> = {}, stock = 5) => {
      const sku = unique('ADM');
      const { warehouse } = await stockedCatalogue(app, token(), { [sku]: stock });
      const created = await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 2 }], body)).expect(201);
      return { id: created.body.id as string, number: created.body.number as string, sku, warehouse };
    };
    const token = () => auth.Authorization.slice('Bearer '.length);
    const awaitingShipment = async () => {
      const placed = await orderWith();
      await waitForStatus(placed.id, 'awaiting_shipment');
      return placed;
    };

    it('counts orders per status and per work queue, each linking to the list filtered by it (dashboard and "By status")', async () => {
      const placed = await orderWith({ payment: { method: 'bank_transfer', status: 'pending' } });
      const dashboard = (await app.http.get('/admin/api/dashboard').set('Cookie', adminCookie).expect(200)).body;
      const pending = dashboard.counts.statuses.find((entry: { status: string }) => entry.status === 'pending_payment');
      // in the signed-in user's language (issue 14)
      expect(pending).toEqual({ status: 'pending_payment', label: 'Awaiting payment', count: expect.any(Number), url: '/admin/resources/Order/actions/list?filters.status=pending_payment' });
      expect(pending.count).toBeGreaterThanOrEqual(1);
      expect(dashboard.counts.statuses.map((entry: { status: string }) => entry.status)).toContain('awaiting_shipment');
      expect(dashboard.counts.queues.map((queue: { label: string }) => queue.label)).toEqual(expect.arrayContaining(['To review', 'To ship']));

      const byStatus = (await app.http.get('/admin/api/resources/Order/actions/byStatus').set('Cookie', adminCookie).expect(200)).body;
      expect(byStatus.counts.total).toBe(dashboard.counts.statuses.reduce((sum: number, entry: { count: number }) => sum + entry.count, 0));
      // the link's list holds exactly that many orders, this one among them
      const linked = await list({ status: 'pending_payment' });
      expect(linked.meta.total).toBe(pending.count);
      expect(linked.records.map((record: { id: string }) => record.id)).toContain(placed.id);
    });

    it('searches orders by number, phone, SKU, channel, placed date range and several statuses at once, as GET /api/orders does', async () => {
      const phone = `139${String(Date.now()).slice(-8)}`;
      const placed = await orderWith({ customer: { name: '王五', phone }, channel: 'jd', placedAt: '2026-03-15T10:00:00+08:00' });
      const ids = (body: { records: Array<{ id: string }> }) => body.records.map((record) => record.id);

      expect(ids(await list({ sku: placed.sku }))).toEqual([placed.id]);
      expect(ids(await list({ customerPhone: phone }))).toEqual([placed.id]);
      expect(ids(await list({ number: placed.number }))).toEqual([placed.id]);
      expect(ids(await list({ sku: placed.sku, channel: 'jd', 'placedAt~~from': '2026-03-15', 'placedAt~~to': '2026-03-15' }))).toEqual([placed.id]);
      expect(ids(await list({ sku: placed.sku, channel: 'tmall' }))).toEqual([]);
      expect(ids(await list({ sku: placed.sku, 'placedAt~~from': '2026-03-16' }))).toEqual([]);
      expect(ids(await list({ sku: placed.sku, 'placedAt~~to': '2026-03-14T23:59:59+08:00' }))).toEqual([]);
      const status = (await getOrder(placed.id)).status;
      expect(ids(await list({ sku: placed.sku, status: `cancelled,${status}` }))).toEqual([placed.id]);

      // a bad filter is a notice, never a failed request
      const badDate = await list({ 'placedAt~~from': 'yesterday' });
      expect(badDate).toMatchObject({ records: [], notice: { type: 'error', message: expect.stringContaining('date') } });
      expect((await list({ status: 'lost' })).notice.message).toContain('Unknown status lost');
    });

    it("shows an order's lines, flags, shipments with the allocation, status history and a link to its process", async () => {
      const placed = await awaitingShipment();
      const record = await detailOf(placed.id);
      const { detail } = record.params;
      expect(detail).toMatchObject({ id: placed.id, number: placed.number, status: 'awaiting_shipment', channel: 'tmall', flags: [] });
      expect(detail.lines).toEqual([{ sku: placed.sku, name: `Product ${placed.sku}`, quantity: 2, unitPrice: '19.90', reserved: 2, shipped: 0 }]);
      expect(detail.shipments).toEqual([expect.objectContaining({ warehouse: placed.warehouse, status: 'allocated', lines: [{ sku: placed.sku, quantity: 2 }], events: [] })]);
      // why this warehouse: on the shipment where allocation records it, and in the history
      expect(JSON.stringify([detail.shipments[0].allocationReason, detail.history.map((entry: { note: string }) => entry.note)])).toContain(placed.warehouse);
      expect(detail.history.map((entry: { to: string }) => entry.to)).toEqual(expect.arrayContaining(['pending_review', 'awaiting_shipment']));
      expect(detail.process).toEqual({
        instanceId: expect.any(String),
        diagramUrl: `/admin/workflow-ui/instance?id=${detail.process.instanceId}`,
        recordUrl: `/admin/resources/ProcessInstance/records/${detail.process.instanceId}/show`,
      });
      expect(actionNames(record)).toEqual(expect.arrayContaining(['show', 'allocate', 'pack', 'ship', 'cancel']));
      expect(actionNames(record)).not.toEqual(expect.arrayContaining(['edit']));
      expect(actionNames(record)).not.toContain('amend');
      expect(actionNames(record)).not.toContain('approve');
    });

    it('amends a flagged order: only the changed parts go to OrdersService.amend, the order is reviewed again and goes on', async () => {
      const placed = await orderWith({ customer: { name: '赵六', phone: '12345' } });
      await waitForStatus(placed.id, 'exception');
      const shown = await detailOf(placed.id);
      expect(shown.params.detail.flags).toEqual([{ code: 'phone_invalid', message: expect.any(String) }]);
      expect(actionNames(shown)).toEqual(expect.arrayContaining(['amend', 'approve', 'cancel']));

      const { form } = await openForm(placed.id, 'amend');
      expect(form.values).toMatchObject({ customer: { name: '赵六', phone: '12345' }, lines: [{ sku: placed.sku, quantity: 2, unitPrice: '19.90' }] });
      expect(form.sections.map((section: { title: string }) => section.title)).toEqual(['Customer', 'Ship to', 'Lines', 'Notes']);

      // an emptied name and a bad quantity are field errors, and nothing changes
      const invalid = await submit(placed.id, 'amend', { 'customer.name': '', 'customer.phone': '13800138000', 'lines.0.sku': placed.sku, 'lines.0.quantity': '0', 'lines.0.unitPrice': '19.90' });
      expect(invalid.notice.type).toBe('error');
      expect(invalid.fieldErrors).toEqual({ 'customer.name': 'is required', 'lines.0.quantity': 'must be a positive whole number' });
      expect((await getOrder(placed.id)).customer.phone).toBe('12345');

      const fixed = await submit(placed.id, 'amend', {
        'customer.name': '赵六', 'customer.phone': '13800138000', 'customer.email': 'zhangsan@example.com',
        'shippingAddress.province': '浙江省', 'shippingAddress.city': '杭州市', 'shippingAddress.district': '西湖区', 'shippingAddress.line1': '文三路 100 号 3 单元 501',
        'lines.0.sku': placed.sku, 'lines.0.quantity': '2', 'lines.0.unitPrice': '19.9', notes: '',
      });
      expect(fixed.notice).toMatchObject({ type: 'success', message: expect.stringContaining('amended') });
      expect(fixed.redirectUrl).toBe(`/admin/resources/Order/records/${placed.id}/show`);
      const order = await waitForStatus(placed.id, 'awaiting_shipment');
      expect(order.customer.phone).toBe('13800138000');
      expect(order.history).toEqual(expect.arrayContaining([expect.objectContaining({ by: ADMIN_EMAIL, note: `amended by ${ADMIN_EMAIL}: customer` })]));

      // now past review: the service's rule comes back as a notice
      const late = await submit(placed.id, 'amend', { 'customer.name': 'x', 'customer.phone': '13800138000' });
      expect(late.notice).toMatchObject({ type: 'error', message: expect.stringContaining('awaiting_shipment') });
    });

    it('approves a held order and rejects another with a reason; a reason is required', async () => {
      const first = await orderWith({ customer: { name: '钱七', phone: '12345' } });
      await waitForStatus(first.id, 'exception');
      const approved = await app.http.get(orderAction(first.id, 'approve')).set('Cookie', adminCookie).expect(200);
      expect(approved.body.notice).toMatchObject({ type: 'success', message: `Order ${first.number} approved` });
      expect((await waitForStatus(first.id, 'awaiting_shipment')).approvedBy).toBe(ADMIN_EMAIL);

      await app.http.put('/api/settings').set(auth).send({ autoReview: { enabled: false } }).expect(200);
      try {
        const second = await orderWith();
        await eventually(async () => ((await getOrder(second.id)).history.some((entry: { note: string }) => entry.note?.includes('held for review')) ? true : undefined));
        expect(actionNames(await detailOf(second.id))).toEqual(expect.arrayContaining(['approve', 'reject']));
        const noReason = await submit(second.id, 'reject', { reason: ' ' });
        expect(noReason.fieldErrors).toEqual({ reason: 'is required' });
        const rejected = await submit(second.id, 'reject', { reason: 'customer asked to wait' });
        expect(rejected.notice.type).toBe('success');
        const order = await getOrder(second.id);
        expect(order.status).toBe('exception');
        expect(order.history.at(-1)).toMatchObject({ to: 'exception', by: ADMIN_EMAIL, note: 'rejected: customer asked to wait' });
      } finally {
        await app.http.put('/api/settings').set(auth).send({ autoReview: { enabled: true } }).expect(200);
      }
    });

    it('records a payment on an unpaid order; a bad amount is a field error', async () => {
      const placed = await orderWith({ payment: { method: 'bank_transfer', status: 'pending' } });
      await waitForStatus(placed.id, 'pending_payment');
      const { form } = await openForm(placed.id, 'recordPayment');
      expect(form.values).toEqual({ amount: '39.80' });
      const bad = await submit(placed.id, 'recordPayment', { amount: '39.8.0', reference: 'BANK-1' });
      expect(bad.fieldErrors).toEqual({ amount: expect.stringContaining('') });
      expect((await getOrder(placed.id)).payment.status).toBe('pending');
      const paid = await submit(placed.id, 'recordPayment', { amount: '39.80', reference: 'BANK-20260315-1', paidAt: '2026-03-15T09:00:00.000Z' });
      expect(paid.notice.type).toBe('success');
      const order = await waitForStatus(placed.id, 'awaiting_shipment');
      expect(order.payment).toMatchObject({ status: 'paid', amount: '39.80', reference: 'BANK-20260315-1', paidAt: '2026-03-15T09:00:00.000Z' });
    });

    it('allocates an order by hand to another warehouse chosen from a list with its stock', async () => {
      const placed = await awaitingShipment();
      const other = unique('WB').slice(0, 30);
      await app.http.post('/api/warehouses').set(auth).send({ code: other, name: 'Second', province: '广东省', city: '深圳市', priority: 50 }).expect(201);
      await app.http.put(`/api/inventory/${other}/${placed.sku}`).set(auth).send({ onHand: 7 }).expect(200);

      const { form } = await openForm(placed.id, 'allocate');
      const choices = form.sections[0].fields[0].options as Array<{ value: string; label: string }>;
      expect(choices).toEqual(expect.arrayContaining([expect.objectContaining({ value: other, label: expect.stringContaining(`${placed.sku}: 7`) })]));
      expect(form.values).toEqual({ warehouse: placed.warehouse, lines: [{ sku: placed.sku, ordered: 2, quantity: 2 }] });

      const tooMany = await submit(placed.id, 'allocate', { warehouse: other, 'lines.0.sku': placed.sku, 'lines.0.quantity': 'two' });
      expect(tooMany.fieldErrors).toEqual({ 'lines.0.quantity': expect.stringContaining('whole number') });
      const moved = await submit(placed.id, 'allocate', { warehouse: other, 'lines.0.sku': placed.sku, 'lines.0.quantity': '2' });
      expect(moved.notice).toMatchObject({ type: 'success', message: expect.stringContaining(other) });
      const order = await getOrder(placed.id);
      expect(order.shipments.filter((shipment: { status: string }) => shipment.status !== 'cancelled')).toEqual([expect.objectContaining({ warehouse: other })]);
    });

    it('merges an order with another of the same customer and address into one parcel; with no such order the form says why', async () => {
      const [a, b] = [unique('AMA'), unique('AMB')];
      const { warehouse } = await stockedCatalogue(app, token(), { [a]: 3, [b]: 3 });
      const customer = { customer: { name: '王五', phone: `139${String(process.pid).padStart(8, '0').slice(-8)}` } };
      const place = async (sku: string) => {
        const created = await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], customer)).expect(201);
        return waitForStatus(created.body.id, 'awaiting_shipment');
      };
      const first = await place(a);
      const alone = (await openForm(first.id, 'merge')).form;
      expect(alone.blocked).toContain('No other order of 王五');

      const second = await place(b);
      const { form } = await openForm(first.id, 'merge');
      expect(form.blocked).toBeUndefined();
      expect(form.sections[0].fields[0].options).toEqual([{ value: second.id, label: `${second.number} (awaiting_shipment, ${warehouse})` }]);
      expect((await submit(first.id, 'merge', { with: '' })).fieldErrors).toEqual({ with: expect.any(String) });
      const merged = await submit(first.id, 'merge', { with: second.id });
      expect(merged.notice).toMatchObject({ type: 'success', message: `Orders ${first.number}, ${second.number} leave ${warehouse} as one parcel` });
      const lead = (await getOrder(first.id)).shipments[0];
      expect((await getOrder(second.id)).shipments[0]).toMatchObject({ status: 'allocated', mergedInto: lead.id });
    });

    it('packs the shipment, ships it with a carrier of the settings, and confirms receipt; tracking events and alerts show on the detail page', async () => {
      const placed = await awaitingShipment();
      const packForm = (await openForm(placed.id, 'pack')).form;
      const shipmentId = packForm.values.shipmentId as string;
      expect(shipmentId).toEqual(expect.any(String));
      const packed = await submit(placed.id, 'pack', { shipmentId });
      expect(packed.notice.type).toBe('success');
      expect(packed.record.params.detail.shipments[0].status).toBe('packed');
      expect((await openForm(placed.id, 'pack')).form.blocked).toContain('No shipment');

      const shipForm = (await openForm(placed.id, 'ship')).form;
      expect(shipForm.sections[0].fields[0].options.map((option: { value: string }) => option.value)).toEqual(['sf', 'zto', 'yto', 'sto', 'yunda', 'jd', 'ems']);
      const bad = await submit(placed.id, 'ship', { carrier: 'ufo', trackingNumber: 'x' });
      expect(Object.keys(bad.fieldErrors).sort()).toEqual(['carrier', 'trackingNumber']);
      const trackingNumber = `SF${Date.now()}`;
      const shipped = await submit(placed.id, 'ship', { carrier: 'sf', trackingNumber });
      expect(shipped.notice).toMatchObject({ type: 'success', message: expect.stringContaining('shipped') });
      expect(actionNames(shipped.record)).toContain('confirmReceipt');

      await app.http
        .post('/api/carriers/sf/events')
        .set(auth)
        .send({ trackingNumber, events: [{ at: '2026-11-26T10:00:00+08:00', status: 'exception', location: '杭州', description: '地址不详，无法派送' }] })
        .expect(200);
      const { detail } = (await detailOf(placed.id)).params;
      expect(detail.shipments[0]).toMatchObject({ carrier: 'sf', trackingNumber, trackingUrl: expect.stringContaining(trackingNumber), status: 'exception' });
      expect(detail.shipments[0].events).toEqual([expect.objectContaining({ status: 'exception', location: '杭州' })]);
      expect(detail.alerts).toEqual([expect.objectContaining({ kind: 'address_problem', message: expect.stringContaining(trackingNumber) })]);

      const received = await app.http.get(orderAction(placed.id, 'confirmReceipt')).set('Cookie', adminCookie).expect(200);
      expect(received.body.notice).toMatchObject({ type: 'success', message: expect.stringContaining('completed') });
      expect((await getOrder(placed.id)).status).toBe('completed');
    });

    it('cancels an order with a reason; the API then shows it cancelled and its stock released', async () => {
      const placed = await awaitingShipment();
      const response = await submit(placed.id, 'cancel', { reason: 'customer called to cancel' });
      expect(response.notice).toMatchObject({ type: 'success' });
      expect(response.record.params.status).toBe('cancelled');
      const order = await getOrder(placed.id);
      expect(order.history.at(-1)).toMatchObject({ to: 'cancelled', by: ADMIN_EMAIL, note: 'customer called to cancel' });
      expect(order.lines[0].reserved).toBe(0);

      // the service's rule comes back as an error notice, and nothing changes
      const again = await submit(placed.id, 'reject', { reason: 'too late' });
      expect(again.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/pending_review/) });
      expect((await getOrder(placed.id)).status).toBe('cancelled');
    });

    it('enters an order by hand through OrdersService.intake (channel manual); bad input is field errors and creates nothing; a repeated submit creates nothing more', async () => {
      const sku = unique('MAN');
      await stockedCatalogue(app, token(), { [sku]: 3 });
      const newOrder = '/admin/api/resources/Order/actions/newOrder';
      const { form } = (await app.http.get(newOrder).set('Cookie', adminCookie).expect(200)).body;
      expect(form.values.externalId).toMatch(/^ADMIN-/);
      const manualOrders = async () => (await app.http.get('/api/orders').query({ channel: 'manual', sku }).set(auth).expect(200)).body.total as number;

      const invalid = (await app.http.post(newOrder).type('form').send({ 'customer.name': '孙八', 'lines.0.sku': sku, 'lines.0.quantity': '1.5', 'lines.0.unitPrice': 'free', 'payment.method': 'cash', 'payment.status': 'maybe', externalId: form.values.externalId }).set('Cookie', adminCookie).expect(200)).body;
      expect(invalid.notice.type).toBe('error');
      expect(invalid.fieldErrors).toEqual({
        'customer.phone': 'is required',
        'lines.0.quantity': 'must be a positive whole number',
        'lines.0.unitPrice': expect.any(String),
        'payment.status': expect.any(String),
      });
      const noLines = (await app.http.post(newOrder).type('form').send({ 'customer.name': '孙八', 'customer.phone': '13800138000', 'payment.method': 'cash', 'payment.status': 'paid' }).set('Cookie', adminCookie).expect(200)).body;
      expect(noLines.fieldErrors).toEqual({ lines: 'must have at least one line' });
      expect(await manualOrders()).toBe(0);

      const valid = {
        'customer.name': '孙八', 'customer.phone': '13800138000',
        'shippingAddress.province': '浙江省', 'shippingAddress.city': '杭州市', 'shippingAddress.line1': '文三路 100 号 3 单元 501',
        'lines.0.sku': sku, 'lines.0.quantity': '1', 'lines.0.unitPrice': '25.00', 'lines.1.sku': '', 'lines.1.quantity': '', 'lines.1.unitPrice': '',
        'payment.method': 'cash', 'payment.status': 'paid', shippingFee: '5', notes: 'call before delivery', externalId: form.values.externalId, injected: 'dropped',
      };
      const created = (await app.http.post(newOrder).type('form').send(valid).set('Cookie', adminCookie).expect(200)).body;
      expect(created.notice).toMatchObject({ type: 'success', message: expect.stringContaining('created') });
      const id = created.redirectUrl.split('/').at(-2) as string;
      const order = await getOrder(id);
      expect(order).toMatchObject({ channel: 'manual', externalId: form.values.externalId, notes: 'call before delivery', totals: { items: '25.00', shipping: '5.00', grand: '30.00' } });
      expect(order.lines).toEqual([expect.objectContaining({ sku, quantity: 1, unitPrice: '25.00' })]);
      expect(order.history[0]).toMatchObject({ by: ADMIN_EMAIL, note: 'received from manual' });

      const twice = (await app.http.post(newOrder).type('form').send(valid).set('Cookie', adminCookie).expect(200)).body;
      expect(twice.notice.message).toContain('submitted before');
      expect(await manualOrders()).toBe(1);
      await waitForStatus(id, 'awaiting_shipment');
    });

    it('shows each role only the buttons its API routes allow, and checks the permission again when acting', async () => {
      const placed = await awaitingShipment();
      const email = `${unique('packer')}@test.local`.toLowerCase();
      await app.running.app.get(AuthService).createUser(email, 'packer-password-1', ['warehouse']);
      const warehouse = await signIn(email, 'packer-password-1');

      const shown = await app.http.get(orderAction(placed.id, 'show')).set('Cookie', warehouse).expect(200);
      const names = actionNames(shown.body.record);
      expect(names).toEqual(expect.arrayContaining(['pack', 'ship']));
      expect(names).not.toEqual(expect.arrayContaining(['cancel']));
      expect(names.filter((name: string) => ['cancel', 'allocate', 'amend', 'approve'].includes(name))).toEqual([]);
      const cancel = await app.http.post(orderAction(placed.id, 'cancel')).type('form').send({ reason: 'not mine' }).set('Cookie', warehouse);
      expect(cancel.status === 403 || cancel.body.notice?.type === 'error').toBe(true);
      expect((await getOrder(placed.id)).status).toBe('awaiting_shipment');
      const newOrder = await app.http.get('/admin/api/resources/Order/actions/newOrder').set('Cookie', warehouse);
      expect(newOrder.status === 403 || newOrder.body.form === undefined).toBe(true);
    });

    it('speaks Chinese to a zh-CN user: dashboard tiles, the form, and the notice after the action (issue 14)', async () => {
      await setOwnLocale('zh-CN');
      try {
        const dashboard = (await app.http.get('/admin/api/dashboard').set('Cookie', adminCookie).expect(200)).body;
        expect(dashboard.counts.statuses.find((entry: { status: string }) => entry.status === 'pending_payment').label).toBe('待付款');
        expect(dashboard.counts.queues.map((queue: { label: string }) => queue.label)).toEqual(expect.arrayContaining(['待审核', '待发货']));
        const placed = await orderWith({ customer: { name: '赵七', phone: '12345' } });
        await waitForStatus(placed.id, 'exception');
        const { form } = await openForm(placed.id, 'amend');
        expect(form.title).toBe(`修改订单 ${placed.number}`);
        expect(form.sections.map((section: { title: string }) => section.title)).toEqual(['收货人', '收货地址', '商品明细', '备注']);
        const approved = await app.http.get(orderAction(placed.id, 'approve')).set('Cookie', adminCookie).expect(200);
        // shown as written (AdminJS would otherwise Start-Case a notice that is not a translation key)
        expect(approved.body.notice).toEqual({ type: 'success', message: `订单 ${placed.number} 已审核通过`, options: { defaultValue: `订单 ${placed.number} 已审核通过` } });
      } finally {
        await setOwnLocale('en');
      }
    });
  });

  it('keeps stock levels read-only and never sends password hashes', async () => {
    const levels = await app.http.get('/admin/api/resources/StockLevel/actions/list').set('Cookie', adminCookie).expect(200);
    const level = levels.body.records[0];
    expect(level.params).toMatchObject({ onHand: expect.any(Number), reserved: expect.any(Number), available: level.params.onHand - level.params.reserved });
    expect(level.recordActions.map((action: { name: string }) => action.name)).toEqual(['show']);
    const edit = await app.http.post(`/admin/api/resources/StockLevel/records/${level.id}/edit`).type('form').send({ onHand: '999' }).set('Cookie', adminCookie).expect(200);
    expect(edit.body.notice.type).toBe('error');

    const users = await app.http.get('/admin/api/resources/User/actions/list').set('Cookie', adminCookie).expect(200);
    expect(users.body.records.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(users.body)).not.toMatch(/passwordHash|argon2/);
  });

  it('creates a user with a password hashed like the API does; the new user can sign in to the API', async () => {
    const email = `${unique('clerk')}@test.local`.toLowerCase();
    const response = await app.http
      .post('/admin/api/resources/User/actions/new')
      .type('form')
      .send({ email, displayName: 'Clerk', 'roles.0': 'operator', active: 'true', password: 'clerk-password-1', passwordHash: 'injected' })
      .set('Cookie', adminCookie)
      .expect(200);
    expect(response.body.notice).toMatchObject({ type: 'success' });
    expect(JSON.stringify(response.body)).not.toMatch(/passwordHash|clerk-password-1|argon2/);
    await app.http.post('/api/auth/login').send({ email, password: 'clerk-password-1' }).expect(200);

    const tooShort = await app.http
      .post('/admin/api/resources/User/actions/new')
      .type('form')
      .send({ email: `short-${email}`, password: 'short' })
      .set('Cookie', adminCookie)
      .expect(200);
    expect(tooShort.body.record.errors.password).toBeDefined();
  });

  it('checks product forms like the API: bad values and a duplicate sku come back as field errors', async () => {
    const sku = unique('FORM');
    const created = await app.http.post('/admin/api/resources/Product/actions/new').type('form').send({ sku, name: 'Tea', price: '12.5' }).set('Cookie', adminCookie).expect(200);
    expect(created.body.notice.type).toBe('success');
    expect(created.body.record.params).toMatchObject({ sku, price: '12.50' });

    const invalid = await app.http.post('/admin/api/resources/Product/actions/new').type('form').send({ sku: 'has space', name: '', price: '1.234' }).set('Cookie', adminCookie).expect(200);
    expect(Object.keys(invalid.body.record.errors).sort()).toEqual(['name', 'price', 'sku']);
    const duplicate = await app.http.post('/admin/api/resources/Product/actions/new').type('form').send({ sku, name: 'Tea again', price: '1.00' }).set('Cookie', adminCookie).expect(200);
    expect(duplicate.body.notice.type).toBe('error');
    expect(duplicate.body.record.errors.sku).toBeDefined();
  });

  it('gives an operator orders but not users or roles', async () => {
    const email = `${unique('operator')}@test.local`.toLowerCase();
    await app.running.app.get(AuthService).createUser(email, 'operator-password-1', ['operator']);
    const cookie = await signIn(email, 'operator-password-1');

    const users = await app.http.get('/admin/api/resources/User/actions/list').set('Cookie', cookie);
    expect(users.status === 403 || (users.status === 200 && users.body.records.length === 0 && users.body.notice?.type === 'error')).toBe(true);
    const roles = await app.http.get('/admin/api/resources/Role/actions/list').set('Cookie', cookie);
    expect(roles.body.records ?? []).toEqual([]);
    await app.http.get('/admin/api/resources/Order/actions/list').set('Cookie', cookie).expect(200);
  });

  it('deactivating a user signs them out of the admin at once', async () => {
    const email = `${unique('leaver')}@test.local`.toLowerCase();
    const userId = await app.running.app.get(AuthService).createUser(email, 'leaver-password-1', ['operator']);
    const cookie = await signIn(email, 'leaver-password-1');
    await app.http.get('/admin').set('Cookie', cookie).expect(200);

    const edit = await app.http.post(`/admin/api/resources/User/records/${userId}/edit`).type('form').send({ active: 'false' }).set('Cookie', adminCookie).expect(200);
    expect(edit.body.notice.type).toBe('success');
    await app.http.get('/admin').set('Cookie', cookie).expect(302).expect('Location', '/admin/login');
    const again = await adminLogin(email, 'leaver-password-1');
    expect(again.status).not.toBe(302);
  });

  it('signs out: the session is gone', async () => {
    const cookie = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    await app.http.get('/admin/logout').set('Cookie', cookie).expect(302).expect('Location', '/admin/login');
    await app.http.get('/admin').set('Cookie', cookie).expect(302).expect('Location', '/admin/login');
    expect(await storedSessions(sessionId(cookie))).toBe(0);
  });
});

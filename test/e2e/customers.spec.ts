import { orderBody, stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

// issue 14 item 7: customers derived from orders — figures, permissions (403) and bad input (422) of the API
describe('GET /api/customers', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  const phone = `137${String(Date.now()).slice(-8)}`;

  beforeAll(async () => {
    app = await startTestApp();
    auth = { Authorization: `Bearer ${await app.login()}` };
  });
  afterAll(() => app?.close());

  it('derives one customer per phone with spend = paid, not cancelled, minus refunds; amends contact on open orders', async () => {
    const sku = unique('CUS');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 50 });
    const paid = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 2, unitPrice: '30.00' }], { customer: { name: '旧名', phone }, shippingFee: '6.00' })).expect(201)).body;
    const cancelled = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1, unitPrice: '99.00' }], { customer: { name: '旧名', phone } })).expect(201)).body;
    await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1, unitPrice: '50.00' }], { customer: { name: '新名', phone }, payment: { method: 'alipay', status: 'pending' } })).expect(201);
    await eventually(async () => ((await app.http.get(`/api/orders/${cancelled.id}`).set(auth)).body.status !== 'pending_review' ? true : undefined), { what: 'review' });
    await app.http.post(`/api/orders/${cancelled.id}/cancel`).set(auth).send({ reason: 'test' }).expect(200);
    const list = (await app.http.get(`/api/customers?q=${phone.slice(3)}`).set(auth).expect(200)).body;
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ phone, name: '新名', orders: 3, spend: '66.00' });
    const detail = (await app.http.get(`/api/customers/${list.items[0].id}`).set(auth).expect(200)).body;
    expect(detail.orderList.map((o: { id: string }) => o.id)).toContain(paid.id);
    expect(detail.openOrders).toBe(1);

    const newPhone = `136${String(Date.now()).slice(-8)}`;
    const amended = (await app.http.post(`/api/customers/${list.items[0].id}/contact`).set(auth).send({ name: '改名', phone: newPhone }).expect(200)).body;
    expect(amended.amended).toHaveLength(1);
    expect(amended.customer).toMatchObject({ phone: newPhone, name: '改名', orders: 1 });
  });

  it('refuses a role without orders.read (403), bad input (422) and an unknown customer (404)', async () => {
    const finance = await userWithRoles(app, 'finance');
    const warehouse = await userWithRoles(app, 'warehouse');
    await app.http.get('/api/customers').expect(401);
    const analyst = await userWithRoles(app, 'analyst');
    await app.http.post(`/api/customers/${Buffer.from(phone).toString('base64url')}/contact`).set(warehouse.auth).send({ name: 'x', phone }).expect(403);
    await app.http.post(`/api/customers/${Buffer.from(phone).toString('base64url')}/contact`).set(analyst.auth).send({ name: 'x', phone }).expect(403);
    await app.http.get('/api/customers').set(finance.auth).expect(200);
    expect((await app.http.get(`/api/customers?q=${'x'.repeat(65)}`).set(auth).expect(422)).body.error.code).toBe('validation_failed');
    expect((await app.http.get('/api/customers?pageSize=0').set(auth).expect(422)).body.error.code).toBe('validation_failed');
    expect((await app.http.post(`/api/customers/${Buffer.from(phone).toString('base64url')}/contact`).set(auth).send({ name: '  ', phone: '' }).expect(422)).body.error.code).toBe('validation_failed');
    await app.http.get('/api/customers/not*an*id').set(auth).expect(404);
    await app.http.get(`/api/customers/${Buffer.from('10000000000').toString('base64url')}`).set(auth).expect(404);
  });
});

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
  });
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

  it("shows an order's lines, shipments and status history on its detail page", async () => {
    const placed = await placeOrder();
    await waitForStatus(placed.id, 'awaiting_shipment');
    const response = await app.http.get(`/admin/api/resources/Order/records/${placed.id}/show`).set('Cookie', adminCookie).expect(200);
    const { params, recordActions } = response.body.record;
    expect(params.lines).toContain(`${placed.sku}`);
    expect(params.lines).toContain('× 2');
    expect(params.history).toContain('awaiting_shipment');
    expect(params.shipments).toContain('allocated');
    expect(recordActions.map((action: { name: string }) => action.name)).toEqual(expect.arrayContaining(['show', 'cancel']));
    expect(recordActions.map((action: { name: string }) => action.name)).not.toContain('edit');
  });

  it('cancels an order with the admin cancel action; the API then shows it cancelled and its stock released', async () => {
    const placed = await placeOrder();
    await waitForStatus(placed.id, 'awaiting_shipment');

    const response = await app.http.post(`/admin/api/resources/Order/records/${placed.id}/cancel`).set('Cookie', adminCookie).expect(200);
    expect(response.body.notice).toMatchObject({ type: 'success' });
    expect(response.body.record.params.status).toBe('cancelled');

    const order = await getOrder(placed.id);
    expect(order.status).toBe('cancelled');
    expect(order.history.at(-1)).toMatchObject({ to: 'cancelled', by: ADMIN_EMAIL, note: `by ${ADMIN_EMAIL} in the admin` });
    expect(order.lines[0].reserved).toBe(0);

    // the service's rule comes back as an error notice, and nothing changes
    const again = await app.http.post(`/admin/api/resources/Order/records/${placed.id}/reject`).type('form').send({ reason: 'too late' }).set('Cookie', adminCookie).expect(200);
    expect(again.body.notice.type).toBe('error');
    expect(again.body.notice.message).toMatch(/pending_review/);
    expect((await getOrder(placed.id)).status).toBe('cancelled');
  });

  it('refuses an order action that a browser sends from another site (a link in a mail)', async () => {
    const placed = await placeOrder();
    const response = await app.http
      .get(`/admin/api/resources/Order/records/${placed.id}/cancel`)
      .set('Cookie', adminCookie)
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Sec-Fetch-Mode', 'navigate')
      .expect(200);
    expect(response.body.notice.type).toBe('error');
    expect((await getOrder(placed.id)).status).not.toBe('cancelled');
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

import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { AuthService } from '../../src/auth/auth.service';
import { adminSignIn, adminSignInWithRole, useAdminApp } from '../helpers/admin-session';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually } from '../helpers/test-app';

/** Issue 11 item 5 (G3.3): the admin refuses forged requests, sends security headers, and checks permissions first; item 7: no 500s. */
describe('the admin hardened', () => {
  const admin = useAdminApp();
  const db = () => admin.app.running.app.get(DataSource);
  const ownOrigin = () => `http://127.0.0.1:${(admin.app.running.app.getHttpServer().address() as AddressInfo).port}`;
  const rolesOf = async (userId: string) => ((await db().query(`SELECT roles FROM app_user WHERE id = $1`, [userId]))[0].roles as string[]);
  const newUser = async (...roles: string[]) => {
    const email = `${unique('target')}@test.local`.toLowerCase();
    return { email, id: await admin.app.running.app.get(AuthService).createUser(email, 'target-password-1', roles) };
  };
  /** What the forged form of the outside review posted: the user's roles set to admin. */
  const makeAdmin = (userId: string, headers: Record<string, string>) =>
    admin.app.http.post(`/admin/api/resources/User/records/${userId}/edit`).set('Cookie', admin.adminCookie).set(headers).field('roles.0', 'admin');

  describe('forged requests (CSRF): refused with 403 before anything runs, from another site or another origin of this site', () => {
    const forgeries: Array<[string, Record<string, string>]> = [
      ['a page on another site (Sec-Fetch-Site: cross-site)', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' }],
      ['a page on another port of this host (Sec-Fetch-Site: same-site)', { 'Sec-Fetch-Site': 'same-site', Origin: 'http://127.0.0.1:1' }],
      ['a typed or bookmarked address (Sec-Fetch-Site: none)', { 'Sec-Fetch-Site': 'none' }],
      ['a browser without fetch metadata, Origin another port', { Origin: 'http://127.0.0.1:1' }],
      ['a browser without fetch metadata, Origin localhost for 127.0.0.1', { Origin: 'http://localhost:1' }],
      ['a page that hides its origin (Origin: null)', { Origin: 'null' }],
      ['no Origin but a Referer from another origin', { Referer: 'http://127.0.0.1:1/forged.html' }],
    ];

    it.each(forgeries)('refuses the user-to-admin edit from %s, and the user stays as they were', async (_from, headers) => {
      const target = await newUser('warehouse');
      const response = await makeAdmin(target.id, headers).expect(403);
      expect(response.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining("only accepted from the admin's own pages") });
      expect(await rolesOf(target.id)).toEqual(['warehouse']);
    });

    it("accepts the same edit from the admin's own pages (same-origin fetch metadata, or Origin / Referer of this origin)", async () => {
      const fromOwnPages: Array<Record<string, string>> = [{ 'Sec-Fetch-Site': 'same-origin', Origin: ownOrigin() }, { Origin: ownOrigin() }, { Referer: `${ownOrigin()}/admin/resources/User` }];
      for (const headers of fromOwnPages) {
        const target = await newUser('warehouse');
        const response = await makeAdmin(target.id, headers).expect(200);
        expect(response.body.notice).toMatchObject({ type: 'success' });
        expect(await rolesOf(target.id)).toEqual(['admin']);
      }
    });

    it('refuses forged built-in new and delete, a bulk delete, a custom action, a GET of a direct button and the login form', async () => {
      const cookie = { Cookie: admin.adminCookie };
      const sameSite = { 'Sec-Fetch-Site': 'same-site' };
      const roleName = unique('role').toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 30);
      await admin.app.http.post('/admin/api/resources/Role/actions/new').set(cookie).set(sameSite).field('name', roleName).expect(403);
      expect(await db().query(`SELECT 1 FROM role WHERE name = $1`, [roleName])).toEqual([]);
      await admin.app.http.post('/admin/api/resources/Role/actions/new').set(cookie).field('name', roleName).expect(200);
      await admin.app.http.post(`/admin/api/resources/Role/records/${roleName}/delete`).set(cookie).set(sameSite).expect(403);
      await admin.app.http.post(`/admin/api/resources/Role/bulk/bulkDelete?recordIds=${roleName}`).set(cookie).set(sameSite).expect(403);
      expect(await db().query(`SELECT 1 FROM role WHERE name = $1`, [roleName])).toHaveLength(1);
      // a custom action (the template editor's save) and a direct button, which AdminJS calls with GET
      await admin.app.http.post('/admin/api/resources/NotificationTemplateVersion/actions/saveTemplate').set(cookie).set(sameSite).field('subject', 'forged').expect(403);
      await admin.app.http.get('/admin/api/resources/SystemAlert/records/00000000-0000-4000-8000-000000000000/resolve').set(cookie).set(sameSite).expect(403);
      // a forged login would sign the victim's browser in as the attacker
      const login = await admin.app.http.post('/admin/login').type('form').send({ email: ADMIN_EMAIL, password: 'whatever-password' }).set({ 'Sec-Fetch-Site': 'cross-site' }).expect(403);
      expect(login.headers['set-cookie']).toBeUndefined();
      // the workflow pages' session-to-token bridge under /admin
      await admin.app.http.post('/admin/workflow-ui/token').set(cookie).set({ 'X-Requested-With': 'oms-workflow-ui', ...sameSite }).expect(403);
      // signing out by a forged image or link from this site's other ports
      await admin.app.http.get('/admin/logout').set(cookie).set(sameSite).expect(403);
    });

    it('lets pages and links from elsewhere open the admin (a link in a mail): only acting requests are checked', async () => {
      await admin.app.http.get('/admin/resources/Order').set('Cookie', admin.adminCookie).set({ 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' }).expect(200);
      await admin.app.http.get('/admin/login').set({ 'Sec-Fetch-Site': 'cross-site' }).expect(200);
    });

    it('behind the trusted proxy over TLS, the https origin is this origin (and HSTS is sent)', async () => {
      const target = await newUser('warehouse');
      const host = new URL(ownOrigin()).host;
      const response = await makeAdmin(target.id, { 'X-Forwarded-Proto': 'https', Origin: `https://${host}` }).expect(200);
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000');
      expect(await rolesOf(target.id)).toEqual(['admin']);
      const plain = await newUser('warehouse');
      await makeAdmin(plain.id, { 'X-Forwarded-Proto': 'https', Origin: `http://${host}` }).expect(403);
    });

    it('leaves the API alone: bearer tokens, no cookies, any Origin', async () => {
      const response = await admin.app.http.post('/api/auth/login').set({ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }).send({ email: ADMIN_EMAIL, password: 'admin-password-1' }).expect(200);
      await admin.app.http.get('/api/orders').set({ Authorization: `Bearer ${response.body.accessToken}`, Origin: 'https://evil.example' }).expect(200);
    });
  });

  describe('security headers', () => {
    const inlineScripts = (html: string) => [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(([, content]) => `'sha256-${createHash('sha256').update(content).digest('base64')}'`);
    const directives = (response: Response) =>
      Object.fromEntries(String(response.headers['content-security-policy']).split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

    it("sends AdminJS's pages a CSP that allows exactly their own inline scripts by hash, no eval, no framing", async () => {
      for (const response of [await admin.app.http.get('/admin/login').expect(200), await admin.app.http.get('/admin').set('Cookie', admin.adminCookie).expect(200)]) {
        const csp = directives(response);
        const hashes = inlineScripts(response.text);
        expect(hashes.length).toBeGreaterThanOrEqual(2);
        expect(csp['script-src']).toEqual(["'self'", ...hashes]);
        expect(csp['script-src']).not.toContain("'unsafe-inline'");
        expect(csp['script-src']).not.toContain("'unsafe-eval'");
        expect(csp['frame-ancestors']).toEqual(["'none'"]);
        expect(csp['object-src']).toEqual(["'none'"]);
        expect(csp['form-action']).toEqual(["'self'"]);
        // issue 14: the fonts come from the product; the page links our stylesheet, never Google's
        expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
        expect(csp['font-src']).toEqual(["'self'", 'data:']);
        expect(response.text).not.toMatch(/googleapis|gstatic/);
        expect(response.text).toContain('<link rel="stylesheet" href="/admin-fonts/fonts.css"');
        expect(response.headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
        expect(response.headers['strict-transport-security']).toBeUndefined();
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('gives a page whose state carries an injected script no inline script at all', async () => {
      const user = await newUser('analyst');
      await db().query(`UPDATE app_user SET display_name = $1 WHERE id = $2`, ['</script><script>window.pwned=1</script>', user.id]);
      const cookie = await adminSignIn(admin.app, user.email, 'target-password-1');
      const page = await admin.app.http.get('/admin').set('Cookie', cookie).expect(200);
      expect(page.text).toContain('<script>window.pwned=1</script>'); // AdminJS writes its state unescaped
      const scriptSrc = directives(page)['script-src'];
      expect(scriptSrc).toEqual(["'self'"]);
      expect(scriptSrc).not.toContain(`'sha256-${createHash('sha256').update('window.pwned=1').digest('base64')}'`);
    });

    it('sends everything else under /admin a policy under which nothing runs; the workflow pages keep theirs; no X-Powered-By anywhere', async () => {
      const json = await admin.app.http.get('/admin/api/resources/Order/actions/list').set('Cookie', admin.adminCookie).expect(200);
      expect(json.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      expect(json.headers['x-frame-options']).toBe('DENY');
      const modeler = await admin.app.http.get('/admin/workflow-ui/modeler').set('Cookie', admin.adminCookie);
      expect(modeler.headers['content-security-policy']).toContain("script-src 'self'");
      expect(modeler.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      for (const path of ['/admin/login', '/api/orders', '/health', '/api/docs-json', '/returns/x', '/workflow-ui/assets/admin-nav.js', '/nowhere']) {
        expect((await admin.app.http.get(path)).headers['x-powered-by']).toBeUndefined();
      }
    });
  });

  describe('permissions before anything else (no validation message, record or existence for someone without the permission)', () => {
    let operator: string;
    let warehouse: string;
    let analyst: string;
    let finance: string;
    beforeAll(async () => {
      [operator, warehouse, analyst, finance] = await Promise.all(['operator', 'warehouse', 'analyst', 'finance'].map((role) => adminSignInWithRole(admin.app, role)));
    });
    const FORBIDDEN = { notice: { message: 'forbiddenError', type: 'error' }, record: { params: {}, populated: {}, errors: {} } };

    it("does not tell an operator whether an email has an account (the user form's checks ran before the permission)", async () => {
      const response = await admin.app.http.post('/admin/api/resources/User/actions/new').set('Cookie', operator).field('email', ADMIN_EMAIL).field('password', 'x').expect(200);
      expect(response.body).toMatchObject(FORBIDDEN);
      expect(response.text).not.toMatch(/another user|at least|email/);
    });

    it('answers the same for a record that exists, one that does not and a malformed id', async () => {
      const [{ id }] = await db().query(`SELECT id FROM app_user WHERE email = $1`, [ADMIN_EMAIL]);
      const answers = await Promise.all(
        [id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid'].map(async (recordId) => (await admin.app.http.get(`/admin/api/resources/User/records/${recordId}/show`).set('Cookie', operator).expect(200)).body),
      );
      expect(answers[0]).toMatchObject(FORBIDDEN);
      expect(answers[0].record.id).toBeUndefined();
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });

    it("refuses a product edit by an analyst before checking the price, and a role delete by the warehouse before counting the role's holders", async () => {
      const product = (await admin.app.http.post('/api/products').set(admin.auth).send({ sku: unique('SKU'), name: 'P', price: '1.00' }).expect(201)).body.id;
      const edit = await admin.app.http.post(`/admin/api/resources/Product/records/${product}/edit`).set('Cookie', analyst).field('price', 'free').expect(200);
      expect(edit.body).toMatchObject(FORBIDDEN);
      expect(edit.text).not.toMatch(/amount|price/);
      const remove = await admin.app.http.post('/admin/api/resources/Role/records/warehouse/delete').set('Cookie', warehouse).expect(200);
      expect(remove.body).toMatchObject(FORBIDDEN);
      expect(remove.text).not.toMatch(/hold the role/);
    });

    it("leaves out referenced records of resources the user may not read (a shipment's warehouse for finance)", async () => {
      const sku = unique('HARD');
      const { warehouse: code } = await stockedCatalogue(admin.app, admin.auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
      const order = await admin.app.http.post('/api/orders').set(admin.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201);
      const shipmentsOf = async (cookie: string) =>
        (await admin.app.http.get('/admin/api/resources/Shipment/actions/list').query({ 'filters.orderId': order.body.id }).set('Cookie', cookie).expect(200)).body.records as Array<{ populated: Record<string, unknown> }>;
      const [asAdmin] = await eventually(async () => ((await shipmentsOf(admin.adminCookie)).length ? shipmentsOf(admin.adminCookie) : undefined), { what: 'the shipment' });
      expect(Object.keys(asAdmin.populated).sort()).toEqual(['orderId', 'warehouseId']);
      const [asFinance] = await shipmentsOf(finance);
      expect(Object.keys(asFinance.populated)).toEqual(['orderId']);
      expect(JSON.stringify(asFinance)).not.toContain(`Warehouse ${code}`);
    });
  });

  describe('bad addresses answer 4xx, never 500 (item 7)', () => {
    const get = (path: string) => admin.app.http.get(path).set('Cookie', admin.adminCookie);

    it.each([
      ['/admin/api/resources/Nope/actions/list', 404],
      ['/admin/api/resources/Nope/records/1/show', 404],
      ['/admin/api/resources/Nope/bulk/bulkDelete?recordIds=1', 404],
      ['/admin/api/resources/Nope/search/x', 404],
      ['/admin/resources/Nope', 404],
      ['/admin/resources/Nope/actions/list', 404],
      ['/admin/resources/Order/actions/nope', 404],
      ['/admin/api/resources/Order/actions/nope', 404],
      ['/admin/api/resources/Order/actions/constructor', 404],
      ['/admin/api/resources/Order/actions/__proto__', 404],
      ['/admin/api/resources/Order/actions/toString', 404],
      ['/admin/api/resources/User/actions/edit', 404], // a record action called as a resource action
      ['/admin/api/resources/Order/records/not-a-uuid/show', 404],
      ['/admin/api/resources/StockMovement/records/1e99/show', 404],
      ['/admin/api/resources/Role/records/' + 'x'.repeat(300) + '/show', 404],
      ['/admin/resources/Order/records/not-a-uuid/show', 404],
      ['/admin/resources/Role/bulk/bulkDelete', 400],
      ['/admin/resources/Order/bulk/bulkDelete?recordIds=not-a-uuid', 404],
      ['/admin/api/resources/Product/actions/new', 400], // new is a POST
    ])('GET %s → %i with an error code', async (path, status) => {
      const response = await get(path).expect(status);
      expect(response.body.error.code).toBe(status === 404 ? 'not_found' : 'bad_request');
    });

    it.each([
      '/admin/api/resources/Role/records/a%00b/show',
      '/admin/api/resources/Order/records/%00/show',
      '/admin/api/resources/Product/actions/list?filters.name=%00',
      '/admin/api/resources/Order/actions/list?filters.number=%00',
      '/admin/api/resources/User/actions/search/%00',
      '/admin/api/resources/StockMovement/actions/list?filters.createdAt~~from=%00',
    ])('GET %s (a NUL character) → 422 naming where', async (path) => {
      const response = await get(path).expect(422);
      expect(response.body.error).toMatchObject({ code: 'validation_failed', details: [{ message: 'contains a NUL character' }] });
    });

    it('refuses a form with a NUL character (422) and saves nothing', async () => {
      const code = unique('W').slice(0, 30);
      const response = await admin.app.http.post('/admin/api/resources/Warehouse/actions/new').set('Cookie', admin.adminCookie)
        .field('code', code).field('name', 'N\u0000').field('province', 'P').field('city', 'C').field('priority', '1').expect(422);
      expect(response.body.error.details).toEqual([{ path: 'payload.name', message: 'contains a NUL character' }]);
      expect(await db().query(`SELECT 1 FROM warehouse WHERE code = $1`, [code])).toEqual([]);
    });

    it.each([
      ['/admin/api/resources/Notification/actions/list?filters.createdAt~~to=garbage', 'must be a date'],
      ['/admin/api/resources/Notification/actions/list?filters.createdAt~~from=2026-02-30', 'must be a date'],
      ['/admin/api/resources/StockMovement/actions/list?filters.warehouseId=nope', 'must be the id of a record'],
      ['/admin/api/resources/Shipment/actions/list?filters.orderId=xyz', 'must be the id of a record'],
      ['/admin/api/resources/Product/actions/list?filters.active=maybe', 'must be true or false'],
      ['/admin/api/resources/Product/actions/list?page=abc&perPage=-5', 'whole numbers'],
    ])("answers a list filter its column cannot hold (%s) with the list's error notice, not a database error", async (path, message) => {
      const response = await get(path).expect(200);
      expect(response.body.notice).toMatchObject({ type: 'error', message: expect.stringContaining(message) });
    });

    it("filters users by a role (an array column) and ignores a sort by anything but a property", async () => {
      const user = await newUser('finance');
      const listed = (await get('/admin/api/resources/User/actions/list?filters.roles=finance&perPage=500').expect(200)).body.records.map((record: { id: string }) => record.id);
      expect(listed).toContain(user.id);
      expect((await get('/admin/api/resources/User/actions/list?filters.roles=nobody').expect(200)).body.records).toEqual([]);
      await get('/admin/api/resources/Product/actions/list?sortBy=__proto__').expect(200);
      await get('/admin/api/resources/Product/actions/list?sortBy=constructor&direction=x').expect(200);
    });

    it('answers 404 to the token refresh AdminJS routes without an auth provider', async () => {
      await admin.app.http.post('/admin/refresh-token').set('Cookie', admin.adminCookie).expect(404);
    });

    it('still answers a well-formed id that names no record with AdminJS\'s "not found" notice, which its pages show', async () => {
      const response = await get('/admin/api/resources/Order/records/00000000-0000-4000-8000-000000000000/show').expect(200);
      expect(response.body.notice).toMatchObject({ type: 'error', message: expect.stringContaining('was not found') });
    });
  });
});

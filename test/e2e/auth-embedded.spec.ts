import { adminSignIn, adminTestEnvironment } from '../helpers/admin-session';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * STACK trap 8: the embedded database runs one transaction at a time over one connection, so code that waits on
 * another connection inside a transaction hangs there. Users, roles, sessions and the audit log on the embedded database.
 */
describe('users, sessions and the audit log on the embedded database', () => {
  let app: TestApp;
  let environment: { restore(): void };

  beforeAll(async () => {
    environment = adminTestEnvironment({ bundled: false });
    app = await startTestApp({ admin: true, embedded: true });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    environment?.restore();
  });

  it('creates a user, signs them in to the API and the admin, changes their roles (ending both) and audits it all', async () => {
    const auth = { Authorization: `Bearer ${await app.login()}` };
    const email = 'embedded.user@test.local';
    const { id } = (await app.http.post('/api/users').set(auth).send({ email, name: 'Embedded', password: 'embedded-password-1', roles: ['operator'] }).expect(201)).body;
    await app.http.post('/api/roles').set(auth).send({ name: 'embedded_role', permissions: ['orders.read'] }).expect(201);
    const token = { Authorization: `Bearer ${await app.login(email, 'embedded-password-1')}` };
    const cookie = await adminSignIn(app, email, 'embedded-password-1');
    await app.http.get('/admin').set('Cookie', cookie).expect(200);

    await app.http.patch(`/api/users/${id}`).set(auth).send({ roles: ['embedded_role'] }).expect(200);
    await app.http.get('/api/orders').set(token).expect(401);
    await app.http.get('/admin').set('Cookie', cookie).expect(302);
    await app.http.put('/api/settings').set(auth).send({ security: { adminSessionIdleMinutes: 20 } }).expect(200);
    const adminCookie = await adminSignIn(app, ADMIN_EMAIL, ADMIN_PASSWORD);
    await app.http.get('/admin/logout').set('Cookie', adminCookie).expect(302);

    const actions = (await app.http.get('/api/audit-log').query({ pageSize: 200 }).set(auth).expect(200)).body.items.map((entry: { action: string }) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'role.create', 'user.update', 'settings.update', 'auth.login', 'auth.logout']));
  });
});

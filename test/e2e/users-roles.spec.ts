import { DataSource } from 'typeorm';
import { unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, useTestApp } from '../helpers/test-app';

/** API.md "Users, roles and audit" (G3.3, issue 11 item 2): permissions, roles, users, /api/auth/me, the rules they keep. */
describe('users, roles and permissions over HTTP', () => {
  const context = useTestApp();
  const http = () => context.app.http;
  const auth = () => context.auth;
  const expectError = (body: unknown, code: string) => expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  const email = (prefix = 'user') => `${unique(prefix)}@test.local`.toLowerCase();
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  const createUser = async (roles: string[], extra: Record<string, unknown> = {}) => {
    const body = { email: email(), name: 'Test User', password: 'correct-horse-9', roles, ...extra };
    const created = await http().post('/api/users').set(auth()).send(body).expect(201);
    return { ...created.body, password: body.password } as { id: string; email: string; password: string; roles: string[] };
  };
  const signIn = async (user: { email: string; password: string }) => bearer(await context.app.login(user.email, user.password));

  describe('GET /api/permissions', () => {
    it('lists every permission a role can hold with what it allows and its area', async () => {
      const response = await http().get('/api/permissions').set(auth()).expect(200);
      expect(response.body).toEqual(expect.arrayContaining([{ code: 'orders.read', area: 'Orders', description: expect.any(String) }]));
      expect(response.body.map((permission: { code: string }) => permission.code)).toEqual(expect.arrayContaining(['users.manage', 'aftersales.refund', 'workflows.deploy']));
      expect(response.body.every((permission: { description: string }) => permission.description.length > 5)).toBe(true);
    });

    it('needs users.manage (403 for an operator, 401 without a token)', async () => {
      const operator = await signIn(await createUser(['operator']));
      expectError((await http().get('/api/permissions').set(operator).expect(403)).body, 'forbidden');
      expectError((await http().get('/api/permissions').expect(401)).body, 'unauthorized');
    });
  });

  describe('roles', () => {
    it('creates a role (201), lists it, changes it (200) and deletes it (204)', async () => {
      const name = `cs_${Date.now().toString(36)}`;
      const created = await http().post('/api/roles').set(auth()).send({ name, description: 'Customer service', permissions: ['orders.read', 'orders.write'] }).expect(201);
      expect(created.body).toEqual({ name, description: 'Customer service', permissions: ['orders.read', 'orders.write'], builtIn: false, users: 0 });
      const list = await http().get('/api/roles').set(auth()).expect(200);
      expect(list.body.map((role: { name: string }) => role.name)).toEqual(expect.arrayContaining(['admin', 'operator', name]));

      const changed = await http().put(`/api/roles/${name}`).set(auth()).send({ name, description: 'CS', permissions: ['orders.read'] }).expect(200);
      expect(changed.body).toMatchObject({ name, description: 'CS', permissions: ['orders.read'] });
      await http().delete(`/api/roles/${name}`).set(auth()).expect(204);
      expectError((await http().put(`/api/roles/${name}`).set(auth()).send({ name, permissions: [] }).expect(404)).body, 'not_found');
    });

    it('refuses an unknown permission (422 naming it) and creates nothing', async () => {
      const name = `bad_${Date.now().toString(36)}`;
      const response = await http().post('/api/roles').set(auth()).send({ name, permissions: ['orders.read', 'orders.delete_everything'] }).expect(422);
      expectError(response.body, 'validation_failed');
      expect(response.body.error.details).toEqual([{ path: 'permissions[1]', message: 'unknown permission orders.delete_everything' }]);
      const star = await http().post('/api/roles').set(auth()).send({ name, permissions: ['*'] }).expect(422);
      expect(star.body.error.details[0]).toMatchObject({ path: 'permissions[0]' });
      await http().put(`/api/roles/operator`).set(auth()).send({ name: 'operator', permissions: ['nope'] }).expect(422);
      expect((await http().get('/api/roles').set(auth())).body.map((role: { name: string }) => role.name)).not.toContain(name);
    });

    it('refuses a duplicate name (409 conflict), a bad name (422) and a rename through PUT (422)', async () => {
      expectError((await http().post('/api/roles').set(auth()).send({ name: 'operator', permissions: [] }).expect(409)).body, 'conflict');
      expectError((await http().post('/api/roles').set(auth()).send({ name: 'Has Space', permissions: [] }).expect(422)).body, 'validation_failed');
      expectError((await http().put('/api/roles/operator').set(auth()).send({ name: 'operators', permissions: [] }).expect(422)).body, 'validation_failed');
    });

    it('keeps the built-in admin role as it is: editing or deleting it is 409', async () => {
      expectError((await http().put('/api/roles/admin').set(auth()).send({ name: 'admin', permissions: ['orders.read'] }).expect(409)).body, 'invalid_state');
      expectError((await http().delete('/api/roles/admin').set(auth()).expect(409)).body, 'invalid_state');
      const admin = (await http().get('/api/roles').set(auth())).body.find((role: { name: string }) => role.name === 'admin');
      expect(admin.permissions).toEqual(['*']);
    });

    it('refuses to delete a role while a user holds it (409), and a built-in role (409)', async () => {
      const name = `held_${Date.now().toString(36)}`;
      await http().post('/api/roles').set(auth()).send({ name, permissions: ['orders.read'] }).expect(201);
      const holder = await createUser([name]);
      const refused = await http().delete(`/api/roles/${name}`).set(auth()).expect(409);
      expectError(refused.body, 'invalid_state');
      expect(refused.body.error.message).toMatch(/1 user/);
      await http().patch(`/api/users/${holder.id}`).set(auth()).send({ roles: ['operator'] }).expect(200);
      await http().delete(`/api/roles/${name}`).set(auth()).expect(204);
      expectError((await http().delete('/api/roles/warehouse').set(auth()).expect(409)).body, 'invalid_state');
    });

    it("applies a role's new permissions on its holders' next request, without a new login", async () => {
      const name = `live_${Date.now().toString(36)}`;
      await http().post('/api/roles').set(auth()).send({ name, permissions: ['catalog.read'] }).expect(201);
      const holder = await signIn(await createUser([name]));
      await http().get('/api/orders').set(holder).expect(403);
      await http().put(`/api/roles/${name}`).set(auth()).send({ name, permissions: ['catalog.read', 'orders.read'] }).expect(200);
      await http().get('/api/orders').set(holder).expect(200);
      await http().put(`/api/roles/${name}`).set(auth()).send({ name, permissions: [] }).expect(200);
      await http().get('/api/products').set(holder).expect(403);
    });
  });

  describe('users', () => {
    it('creates a user (201) without ever showing a password hash; the user signs in with the password as typed', async () => {
      const address = email('Zhang.Wei');
      const response = await http().post('/api/users').set(auth()).send({ email: `  ${address.toUpperCase()} `, name: '张伟', password: '  tea at dawn  ', roles: ['operator'], locale: 'en' }).expect(201);
      expect(response.body).toEqual({
        id: expect.any(String), email: address, name: '张伟', roles: ['operator'], disabled: false, locale: 'en',
        lastLoginAt: null, createdAt: expect.any(String), updatedAt: expect.any(String),
      });
      expect(JSON.stringify(response.body)).not.toMatch(/argon|hash|tea at dawn/i);
      await http().post('/api/auth/login').send({ email: address, password: 'tea at dawn' }).expect(401); // never trimmed
      await http().post('/api/auth/login').send({ email: address, password: '  tea at dawn  ' }).expect(200);
      const shown = await http().get(`/api/users/${response.body.id}`).set(auth()).expect(200);
      expect(shown.body.lastLoginAt).toEqual(expect.any(String));
    });

    it('gives a new user the default locale (zh-CN) unless told', async () => {
      expect((await createUser(['operator'])).roles).toEqual(['operator']);
      const user = (await http().post('/api/users').set(auth()).send({ email: email(), name: 'x', password: 'correct-horse-9', roles: [] }).expect(201)).body;
      expect(user.locale).toBe('zh-CN');
      await http().post('/api/users').set(auth()).send({ email: email(), name: 'x', password: 'correct-horse-9', roles: [], locale: 'fr' }).expect(422);
    });

    it('refuses a duplicate email (409 conflict), whatever its case', async () => {
      const user = await createUser(['operator']);
      const response = await http().post('/api/users').set(auth()).send({ email: user.email.toUpperCase(), name: 'Again', password: 'correct-horse-9', roles: [] }).expect(409);
      expectError(response.body, 'conflict');
    });

    it.each([
      ['shorter than 12 characters', 'short-pass1', /at least 12/],
      ['a common password', 'qwerty123456', /common/],
      ['the email itself', 'EMAIL', /email/],
    ])('refuses a password %s (422 validation_failed on password) and creates nobody', async (_, password, message) => {
      const address = email();
      const response = await http().post('/api/users').set(auth()).send({ email: address, name: 'x', password: password === 'EMAIL' ? address : password, roles: [] }).expect(422);
      expectError(response.body, 'validation_failed');
      expect(response.body.error.details).toEqual([{ path: 'password', message: expect.stringMatching(message) }]);
      expect((await http().get('/api/users').query({ q: address }).set(auth())).body.total).toBe(0);
    });

    it('refuses unknown roles (422 naming each) and bad fields (422)', async () => {
      const response = await http().post('/api/users').set(auth()).send({ email: email(), name: 'x', password: 'correct-horse-9', roles: ['operator', 'wizard'] }).expect(422);
      expect(response.body.error.details).toEqual([{ path: 'roles[1]', message: 'unknown role wizard' }]);
      await http().post('/api/users').set(auth()).send({ email: 'not-an-email', name: 'x', password: 'correct-horse-9', roles: [] }).expect(422);
      await http().post('/api/users').set(auth()).send({ email: email(), name: 'x', password: 'correct-horse-9', roles: [], isAdmin: true }).expect(422);
      const user = await createUser(['operator']);
      expect((await http().patch(`/api/users/${user.id}`).set(auth()).send({ roles: ['ghost'] }).expect(422)).body.error.details[0].path).toBe('roles[0]');
      await http().patch(`/api/users/${user.id}`).set(auth()).send({ disabled: 'yes' }).expect(422);
      await http().patch(`/api/users/${user.id}`).set(auth()).send({ email: 'other@test.local' }).expect(422);
    });

    it('lists users paged, filtered by q, role and disabled', async () => {
      const tag = unique('lister').toLowerCase();
      const name = `finance-only-${Date.now().toString(36)}`;
      await http().post('/api/roles').set(auth()).send({ name, permissions: ['orders.read'] }).expect(201);
      const [first, second] = [await createUser([name], { email: `${tag}-a@test.local` }), await createUser([name], { email: `${tag}-b@test.local` })];
      await http().patch(`/api/users/${second.id}`).set(auth()).send({ disabled: true }).expect(200);

      const byQ = await http().get('/api/users').query({ q: tag, pageSize: 1 }).set(auth()).expect(200);
      expect(byQ.body).toEqual({ items: [expect.objectContaining({ email: first.email })], page: 1, pageSize: 1, total: 2 });
      const disabled = await http().get('/api/users').query({ role: name, disabled: 'true' }).set(auth()).expect(200);
      expect(disabled.body.items.map((user: { id: string }) => user.id)).toEqual([second.id]);
      const enabled = await http().get('/api/users').query({ role: name, disabled: 'false' }).set(auth()).expect(200);
      expect(enabled.body.items.map((user: { id: string }) => user.id)).toEqual([first.id]);
      await http().get('/api/users').query({ disabled: 'maybe' }).set(auth()).expect(422);
      await http().get('/api/users').query({ q: '%' }).set(auth()).expect(200);
    });

    it('changes name, roles and locale; an unknown id is 404', async () => {
      const user = await createUser(['operator']);
      const changed = await http().patch(`/api/users/${user.id}`).set(auth()).send({ name: 'Renamed', roles: ['warehouse', 'finance'], locale: 'en' }).expect(200);
      expect(changed.body).toMatchObject({ name: 'Renamed', roles: ['warehouse', 'finance'], locale: 'en', disabled: false });
      expectError((await http().patch('/api/users/00000000-0000-4000-8000-000000000000').set(auth()).send({ name: 'x' }).expect(404)).body, 'not_found');
      expectError((await http().patch('/api/users/not-a-uuid').set(auth()).send({ name: 'x' }).expect(404)).body, 'not_found');
    });

    it('nobody changes their own roles or disables themselves (403), whatever they hold', async () => {
      const other = await createUser(['admin']);
      const otherAuth = await signIn(other);
      expectError((await http().patch(`/api/users/${other.id}`).set(otherAuth).send({ roles: ['operator'] }).expect(403)).body, 'forbidden');
      expectError((await http().patch(`/api/users/${other.id}`).set(otherAuth).send({ roles: ['admin', 'finance'] }).expect(403)).body, 'forbidden');
      expectError((await http().patch(`/api/users/${other.id}`).set(otherAuth).send({ disabled: true }).expect(403)).body, 'forbidden');
      // their own name and locale they may change
      await http().patch(`/api/users/${other.id}`).set(otherAuth).send({ name: 'Still admin', roles: ['admin'] }).expect(200);
      await http().patch(`/api/users/${other.id}`).set(auth()).send({ disabled: true }).expect(200);
    });

    it('keeps the last enabled admin (409): it cannot be disabled or lose the admin role', async () => {
      const [{ id: firstAdmin }] = await context.app.running.app.get(DataSource).query(`SELECT id FROM app_user WHERE email = $1`, [ADMIN_EMAIL]);
      const admins = (await http().get('/api/users').query({ role: 'admin', disabled: 'false', pageSize: 200 }).set(auth()).expect(200)).body.items as Array<{ id: string }>;
      for (const admin of admins.filter((user) => user.id !== firstAdmin)) await http().patch(`/api/users/${admin.id}`).set(auth()).send({ disabled: true }).expect(200);
      // an integration holding the admin role is the one other actor allowed to touch an admin's account
      const key = bearer((await http().post('/api/api-keys').set(auth()).send({ name: 'last-admin-guard', roles: ['admin'] }).expect(201)).body.key);

      expectError((await http().patch(`/api/users/${firstAdmin}`).set(key).send({ disabled: true }).expect(409)).body, 'invalid_state');
      expectError((await http().patch(`/api/users/${firstAdmin}`).set(key).send({ roles: ['operator'] }).expect(409)).body, 'invalid_state');
      await http().get('/api/products').set(auth()).expect(200);

      // with a second enabled admin, the first may lose the role; then the second is the last
      const second = await createUser(['admin']);
      await http().patch(`/api/users/${firstAdmin}`).set(key).send({ roles: ['operator'] }).expect(200);
      expectError((await http().patch(`/api/users/${second.id}`).set(key).send({ disabled: true }).expect(409)).body, 'invalid_state');
      await http().patch(`/api/users/${firstAdmin}`).set(key).send({ roles: ['admin'] }).expect(200);
      // a role change ended the first admin's tokens (issue 11 item 3): sign in again
      await http().get('/api/products').set(auth()).expect(401);
      context.auth = bearer(await context.app.login());
    });

    it('nobody hands out more than they hold: a manager of users without everything stays within their own permissions', async () => {
      const managers = `managers_${Date.now().toString(36)}`;
      await http().post('/api/roles').set(auth()).send({ name: managers, permissions: ['users.manage', 'orders.read'] }).expect(201);
      const manager = await signIn(await createUser([managers]));
      const [{ id: firstAdmin }] = await context.app.running.app.get(DataSource).query(`SELECT id FROM app_user WHERE email = $1`, [ADMIN_EMAIL]);
      const adminKey = (await http().post('/api/api-keys').set(auth()).send({ name: 'admin-key', roles: ['admin'] }).expect(201)).body;

      const refusals = [
        http().post('/api/users').set(manager).send({ email: email(), name: 'x', password: 'correct-horse-9', roles: ['admin'] }),
        http().post('/api/users').set(manager).send({ email: email(), name: 'x', password: 'correct-horse-9', roles: ['operator'] }),
        http().post(`/api/users/${firstAdmin}/password`).set(manager).send({ password: 'taken over by a manager' }),
        http().patch(`/api/users/${firstAdmin}`).set(manager).send({ name: 'Renamed by a manager' }),
        http().post('/api/roles').set(manager).send({ name: `wide_${Date.now().toString(36)}`, permissions: ['orders.read', 'orders.write'] }),
        http().put('/api/roles/operator').set(manager).send({ name: 'operator', permissions: ['orders.read'] }),
        http().post('/api/api-keys').set(manager).send({ name: 'escalate', roles: ['admin'] }),
        http().delete(`/api/api-keys/${adminKey.id}`).set(manager),
      ];
      for (const response of await Promise.all(refusals)) {
        expectError(response.body, 'forbidden');
        expect(response.body.error.message).toMatch(/which your roles do not give you/);
      }
      await http().post('/api/auth/login').send({ email: ADMIN_EMAIL, password: 'taken over by a manager' }).expect(401);
      await http().get('/api/auth/me').set(bearer(adminKey.key)).expect(200);

      // within their own permissions they may
      const peer = (await http().post('/api/users').set(manager).send({ email: email(), name: 'Peer', password: 'correct-horse-9', roles: [managers] }).expect(201)).body;
      await http().post(`/api/users/${peer.id}/password`).set(manager).send({ password: 'a peer password 1' }).expect(204);
      await http().post('/api/roles').set(manager).send({ name: `narrow_${Date.now().toString(36)}`, permissions: ['orders.read'] }).expect(201);
    });

    it('an admin sets another user\'s password (204): the policy applies, the old one stops working, not their own', async () => {
      const user = await createUser(['operator']);
      expectError((await http().post(`/api/users/${user.id}/password`).set(auth()).send({ password: 'password1234' }).expect(422)).body, 'validation_failed');
      await http().post(`/api/users/${user.id}/password`).set(auth()).send({ password: 'a brand new secret' }).expect(204);
      await http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(401);
      await http().post('/api/auth/login').send({ email: user.email, password: 'a brand new secret' }).expect(200);
      const db = context.app.running.app.get(DataSource);
      const [{ id: self }] = await db.query(`SELECT id FROM app_user WHERE email = $1`, [ADMIN_EMAIL]);
      expectError((await http().post(`/api/users/${self}/password`).set(auth()).send({ password: 'a brand new secret' }).expect(403)).body, 'forbidden');
      await http().post('/api/users/00000000-0000-4000-8000-000000000000/password').set(auth()).send({ password: 'a brand new secret' }).expect(404);
    });

    it('needs users.manage for every user route (403 for a warehouse user)', async () => {
      const warehouse = await signIn(await createUser(['warehouse']));
      await http().get('/api/users').set(warehouse).expect(403);
      await http().post('/api/users').set(warehouse).send({ email: email(), name: 'x', password: 'correct-horse-9', roles: ['admin'] }).expect(403);
      await http().get('/api/roles').set(warehouse).expect(403);
      await http().post('/api/roles').set(warehouse).send({ name: 'sneaky', permissions: [] }).expect(403);
      await http().get('/api/api-keys').set(warehouse).expect(403);
      await http().get('/api/audit-log').set(warehouse).expect(403);
    });
  });

  describe('GET /api/auth/me and POST /api/auth/password', () => {
    it('me is the signed-in user with every permission their roles give now', async () => {
      const user = await createUser(['warehouse'], { locale: 'en', name: '李四' });
      const me = await http().get('/api/auth/me').set(await signIn(user)).expect(200);
      expect(me.body).toEqual({ kind: 'user', id: user.id, email: user.email, name: '李四', roles: ['warehouse'], locale: 'en', permissions: expect.arrayContaining(['inventory.write', 'shipments.write']) });
      expect(me.body.permissions).not.toContain('orders.write');
      const admin = await http().get('/api/auth/me').set(auth()).expect(200);
      expect(admin.body.permissions).toEqual(expect.arrayContaining(['users.manage', 'orders.approve', 'aftersales.refund']));
      await http().get('/api/auth/me').expect(401);
    });

    it('me for an API key is the key with its roles and permissions', async () => {
      const key = (await http().post('/api/api-keys').set(auth()).send({ name: 'me-key', roles: ['integration'] }).expect(201)).body;
      const me = await http().get('/api/auth/me').set(bearer(key.key)).expect(200);
      expect(me.body).toEqual({ kind: 'api_key', id: key.id, name: 'api-key:me-key', roles: ['integration'], permissions: expect.arrayContaining(['orders.write']) });
    });

    it('a user changes their own password with the current one: a new token comes back, every old one stops working', async () => {
      const user = await createUser(['operator']);
      const first = await signIn(user);
      const second = await signIn(user);
      expectError((await http().post('/api/auth/password').set(first).send({ currentPassword: 'not-it-at-all', newPassword: 'another good one' }).expect(422)).body, 'validation_failed');
      const weak = await http().post('/api/auth/password').set(first).send({ currentPassword: user.password, newPassword: 'password1234' }).expect(422);
      expect(weak.body.error.details[0].path).toBe('newPassword');
      await http().post('/api/auth/password').set(first).send({ currentPassword: user.password }).expect(422);

      const changed = await http().post('/api/auth/password').set(first).send({ currentPassword: user.password, newPassword: 'another good one' }).expect(200);
      expect(changed.body).toEqual({ accessToken: expect.any(String), expiresAt: expect.any(String), user: { id: user.id, email: user.email, roles: ['operator'] } });
      await http().get('/api/auth/me').set(first).expect(401);
      await http().get('/api/auth/me').set(second).expect(401);
      await http().get('/api/auth/me').set(bearer(changed.body.accessToken)).expect(200);
      await http().post('/api/auth/login').send({ email: user.email, password: 'another good one' }).expect(200);
    });

    it('an API key has no password to change (403)', async () => {
      const key = (await http().post('/api/api-keys').set(auth()).send({ name: 'pw-key' }).expect(201)).body.key;
      expectError((await http().post('/api/auth/password').set(bearer(key)).send({ currentPassword: 'x', newPassword: 'another good one' }).expect(403)).body, 'forbidden');
    });
  });
});

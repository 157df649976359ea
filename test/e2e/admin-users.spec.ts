import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { adminSignIn, useAdminApp } from '../helpers/admin-session';
import { unique } from '../helpers/fixtures';
import { ADMIN_EMAIL } from '../helpers/test-app';

/**
 * G3.3 in the admin (issue 11 items 2-4): users, roles, API keys and the audit log, with the rules of the API (the same
 * services): password policy, known roles and permissions, own roles, the last admin, sessions ended, audit entries.
 */
describe('the admin screens for users, roles, API keys and the audit log', () => {
  const admin = useAdminApp();
  const http = () => admin.app.http;
  const db = () => admin.app.running.app.get(DataSource);
  const PASSWORD = 'screen-password-1';

  const resource = (name: string) => `/admin/api/resources/${name}`;
  const post = (path: string, form: Record<string, string>, cookie = admin.adminCookie) => http().post(path).type('form').send(form).set('Cookie', cookie).expect(200);
  const refused = (response: Response) => response.status === 403 || response.body.notice?.type === 'error' || (response.body.records ?? []).length === 0;
  const auditOf = async (action: string, target: string) =>
    (await db().query(`SELECT actor, details FROM audit_log WHERE action = $1 AND target = $2 ORDER BY id DESC`, [action, target])) as Array<{ actor: string; details: Record<string, unknown> }>;
  const apiUser = async (roles: string[]) => {
    const email = `${unique('screen')}@test.local`.toLowerCase();
    const { id } = (await http().post('/api/users').set(admin.auth).send({ email, name: 'Screen', password: PASSWORD, roles }).expect(201)).body;
    return { id, email };
  };

  describe('users', () => {
    it('creates a user through UsersService: the password as typed, roles ticked, an audit entry; never a hash in the answer', async () => {
      const email = `${unique('Clerk')}@test.local`;
      const response = await post(`${resource('User')}/actions/new`, { email, displayName: 'Clerk', 'roles.0': 'operator', 'roles.1': 'finance', locale: 'en', password: '  a clerk secret  ' });
      expect(response.body.notice).toMatchObject({ type: 'success' });
      const id = response.body.record.id;
      expect(response.body.record.params).toMatchObject({ email: email.toLowerCase(), displayName: 'Clerk', 'roles.0': 'operator', 'roles.1': 'finance', locale: 'en', active: true });
      expect(JSON.stringify(response.body)).not.toMatch(/passwordHash|argon2|a clerk secret/);
      await http().post('/api/auth/login').send({ email, password: 'a clerk secret' }).expect(401);
      await http().post('/api/auth/login').send({ email, password: '  a clerk secret  ' }).expect(200);
      expect(await auditOf('user.create', `user:${id}`)).toEqual([expect.objectContaining({ actor: ADMIN_EMAIL })]);
    });

    it.each([
      ['a short password', { password: 'short-one' }, 'password', /at least 12/],
      ['a common password', { password: 'password1234' }, 'password', /common/],
      ['no password', {}, 'password', /required/],
      ['an unknown role', { password: PASSWORD, 'roles.0': 'operator', 'roles.1': 'wizard' }, 'roles', /unknown role wizard/],
      ['a bad email', { password: PASSWORD, email: 'not-an-email' }, 'email', /email/],
    ])('refuses %s as a field error and creates nobody', async (_, form, field, message) => {
      const email = `${unique('refused')}@test.local`.toLowerCase();
      const response = await post(`${resource('User')}/actions/new`, { email, displayName: 'x', ...form });
      expect(response.body.notice.type).toBe('error');
      expect(response.body.record.errors[field]).toEqual({ message: expect.stringMatching(message), type: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toContain(PASSWORD);
      expect((await db().query(`SELECT 1 FROM app_user WHERE email = $1`, [email])).length).toBe(0);
    });

    it('refuses a duplicate email as a field error', async () => {
      const existing = await apiUser(['operator']);
      const response = await post(`${resource('User')}/actions/new`, { email: existing.email.toUpperCase(), password: PASSWORD });
      expect(response.body.record.errors.email).toBeDefined();
    });

    it("changing a user's roles ends their sessions and tokens, with the change audited", async () => {
      const user = await apiUser(['operator']);
      const cookie = await adminSignIn(admin.app, user.email, PASSWORD);
      const token = { Authorization: `Bearer ${await admin.app.login(user.email, PASSWORD)}` };
      const response = await post(`${resource('User')}/records/${user.id}/edit`, { displayName: 'Screen', 'roles.0': 'warehouse', active: 'true', locale: 'zh-CN' });
      expect(response.body.notice.type).toBe('success');
      expect(response.body.record.params['roles.0']).toBe('warehouse');
      await http().get('/admin').set('Cookie', cookie).expect(302).expect('Location', '/admin/login');
      await http().get('/api/orders').set(token).expect(401);
      expect(await auditOf('user.update', `user:${user.id}`)).toEqual([expect.objectContaining({ actor: ADMIN_EMAIL, details: { changes: { roles: { from: ['operator'], to: ['warehouse'] } } } })]);
    });

    it('sets a new password from the edit form (policy first, then every session of the user ends); empty keeps it', async () => {
      const user = await apiUser(['operator']);
      const weak = await post(`${resource('User')}/records/${user.id}/edit`, { displayName: 'Renamed', password: 'qwerty123456' });
      expect(weak.body.record.errors.password.message).toMatch(/common/);
      expect((await http().get(`/api/users/${user.id}`).set(admin.auth)).body.name).toBe('Screen');
      await post(`${resource('User')}/records/${user.id}/edit`, { displayName: 'Renamed', password: '' });
      await http().post('/api/auth/login').send({ email: user.email, password: PASSWORD }).expect(200);
      const cookie = await adminSignIn(admin.app, user.email, PASSWORD);
      expect((await post(`${resource('User')}/records/${user.id}/edit`, { password: 'set by the admin 1' })).body.notice.type).toBe('success');
      await http().get('/admin').set('Cookie', cookie).expect(302);
      await http().post('/api/auth/login').send({ email: user.email, password: 'set by the admin 1' }).expect(200);
    });

    it('refuses what the API refuses: own roles, disabling oneself, an account holding more than the manager', async () => {
      const [{ id: self }] = await db().query(`SELECT id FROM app_user WHERE email = $1`, [ADMIN_EMAIL]);
      const ownRoles = await post(`${resource('User')}/records/${self}/edit`, { 'roles.0': 'operator' });
      expect(ownRoles.body.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/own roles/) });
      const ownDisable = await post(`${resource('User')}/records/${self}/edit`, { active: 'false' });
      expect(ownDisable.body.notice.type).toBe('error');

      // a manager of users who is no admin cannot touch an admin's account, nor hand out the admin role
      const managers = `managers_${Date.now().toString(36)}`;
      await http().post('/api/roles').set(admin.auth).send({ name: managers, permissions: ['users.manage'] }).expect(201);
      const helper = await apiUser([managers]);
      const helperCookie = await adminSignIn(admin.app, helper.email, PASSWORD);
      const disableAdmin = await post(`${resource('User')}/records/${self}/edit`, { active: 'false' }, helperCookie);
      expect(disableAdmin.body.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/every permission \(admin\)/) });
      const takeOver = await post(`${resource('User')}/records/${self}/edit`, { password: 'taken over by a manager' }, helperCookie);
      expect(takeOver.body.notice.type).toBe('error');
      const makeAdmin = await post(`${resource('User')}/actions/new`, { email: `${unique('sock')}@test.local`, password: PASSWORD, 'roles.0': 'admin' }, helperCookie);
      expect(makeAdmin.body.notice.type).toBe('error');
      await http().get('/api/orders').set(admin.auth).expect(200);
      await http().post('/api/auth/login').send({ email: ADMIN_EMAIL, password: 'taken over by a manager' }).expect(401);
    });

    it('gives no user screen to an operator', async () => {
      const user = await apiUser(['operator']);
      const cookie = await adminSignIn(admin.app, user.email, PASSWORD);
      for (const name of ['User', 'Role', 'ApiKey', 'AuditEntry']) expect(refused(await http().get(`${resource(name)}/actions/list`).set('Cookie', cookie))).toBe(true);
      const create = await http().post(`${resource('User')}/actions/new`).type('form').send({ email: 'x@test.local', password: PASSWORD, 'roles.0': 'admin' }).set('Cookie', cookie);
      expect(create.status === 403 || create.body.notice?.type === 'error').toBe(true);
      expect((await db().query(`SELECT 1 FROM app_user WHERE email = 'x@test.local'`)).length).toBe(0);
    });
  });

  describe('roles', () => {
    it('creates and edits a role with permissions ticked by area; unknown permissions are field errors; the admin role is not editable', async () => {
      const name = `screen_${Date.now().toString(36)}`;
      const created = await post(`${resource('Role')}/actions/new`, { name, description: 'Screens', 'permissions.0': 'orders.read', 'permissions.1': 'catalog.read' });
      expect(created.body.notice.type).toBe('success');
      const bad = await post(`${resource('Role')}/records/${name}/edit`, { description: 'Screens', 'permissions.0': 'orders.read', 'permissions.1': 'orders.everything' });
      expect(bad.body.record.errors.permissions.message).toMatch(/unknown permission orders.everything/);
      const edited = await post(`${resource('Role')}/records/${name}/edit`, { description: 'Screens', 'permissions.0': 'orders.write' });
      expect(edited.body.notice.type).toBe('success');
      expect((await http().get('/api/roles').set(admin.auth)).body.find((role: { name: string }) => role.name === name).permissions).toEqual(['orders.write']);
      expect(await auditOf('role.update', `role:${name}`)).toEqual([expect.objectContaining({ details: { added: ['orders.write'], removed: ['orders.read', 'catalog.read'] } })]);

      const editAdmin = await http().post(`${resource('Role')}/records/admin/edit`).type('form').send({ 'permissions.0': 'orders.read' }).set('Cookie', admin.adminCookie);
      expect(editAdmin.status === 403 || editAdmin.body.notice?.type === 'error').toBe(true);
      expect((await db().query(`SELECT permissions FROM role WHERE name = 'admin'`))[0].permissions).toEqual(['*']);
    });

    it('offers the permissions grouped by area and the roles as they are now to the checkbox component', async () => {
      const form = await http().get(`${resource('Role')}/actions/list`).set('Cookie', admin.adminCookie).expect(200);
      expect(form.body.records.length).toBeGreaterThan(0);
      const page = await http().get('/admin/resources/Role/actions/new').set('Cookie', admin.adminCookie).expect(200);
      expect(page.text).toContain('CheckboxGroups');
      expect(page.text).toContain('"group":"After-sales"');
    });

    it('deletes a role nobody holds; a held one stays with the reason', async () => {
      const name = `held_${Date.now().toString(36)}`;
      await http().post('/api/roles').set(admin.auth).send({ name, permissions: ['orders.read'] }).expect(201);
      const holder = await apiUser([name]);
      const held = await post(`${resource('Role')}/records/${name}/delete`, {});
      expect(held.body.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/hold the role/) });
      await http().patch(`/api/users/${holder.id}`).set(admin.auth).send({ roles: [] }).expect(200);
      const deleted = await post(`${resource('Role')}/records/${name}/delete`, {});
      expect(deleted.body.notice.type).toBe('success');
      expect((await db().query(`SELECT 1 FROM role WHERE name = $1`, [name])).length).toBe(0);
    });
  });

  describe('API keys and the audit log', () => {
    it('lists API keys without their hashes and revokes one: it answers 401 at once', async () => {
      const key = (await http().post('/api/api-keys').set(admin.auth).send({ name: 'screen-key' }).expect(201)).body;
      const list = await http().get(`${resource('ApiKey')}/actions/list`).set('Cookie', admin.adminCookie).expect(200);
      const row = list.body.records.find((record: { id: string }) => record.id === key.id);
      expect(row.recordActions.map((action: { name: string }) => action.name)).toEqual(expect.arrayContaining(['show', 'revoke']));
      expect(JSON.stringify(list.body)).not.toMatch(/tokenHash|token_hash/);
      expect(JSON.stringify(list.body)).not.toContain(key.key);

      const revoked = await post(`${resource('ApiKey')}/records/${key.id}/revoke`, {});
      expect(revoked.body.notice.type).toBe('success');
      await http().get('/api/orders').set({ Authorization: `Bearer ${key.key}` }).expect(401);
      const after = await http().get(`${resource('ApiKey')}/records/${key.id}/show`).set('Cookie', admin.adminCookie).expect(200);
      expect(after.body.record.recordActions.map((action: { name: string }) => action.name)).not.toContain('revoke');
    });

    it('lists the audit log newest first, filtered by actor, action and date range, and never changes it', async () => {
      const list = (query: Record<string, string>) => http().get(`${resource('AuditEntry')}/actions/list`).query(query).set('Cookie', admin.adminCookie).expect(200);
      const logins = await list({ 'filters.action': 'auth.login', 'filters.actor': ADMIN_EMAIL });
      expect(logins.body.records.length).toBeGreaterThan(0);
      expect(logins.body.records.every((record: { params: { action: string } }) => record.params.action === 'auth.login')).toBe(true);
      const times = logins.body.records.map((record: { params: { at: string } }) => record.params.at);
      expect([...times].sort().reverse()).toEqual(times);
      const none = await list({ 'filters.action': 'auth.login', 'filters.at~~to': '2000-01-01' });
      expect(none.body.records).toEqual([]);

      const entry = logins.body.records[0];
      expect(entry.recordActions.map((action: { name: string }) => action.name)).toEqual(['show']);
      const edit = await http().post(`${resource('AuditEntry')}/records/${entry.id}/edit`).type('form').send({ actor: 'someone else' }).set('Cookie', admin.adminCookie);
      expect(edit.status === 403 || edit.body.notice?.type === 'error').toBe(true);
      const remove = await http().post(`${resource('AuditEntry')}/records/${entry.id}/delete`).set('Cookie', admin.adminCookie);
      expect(remove.status === 403 || remove.body.notice?.type === 'error').toBe(true);
      expect((await db().query(`SELECT actor FROM audit_log WHERE id = $1`, [entry.id]))[0].actor).toBe(ADMIN_EMAIL);
    });
  });

  describe('change my password', () => {
    const page = '/admin/api/pages/changePassword';

    it('any signed-in user changes their own password with the current one; every session of theirs ends', async () => {
      const user = await apiUser(['warehouse']);
      const cookie = await adminSignIn(admin.app, user.email, PASSWORD);
      const other = await adminSignIn(admin.app, user.email, PASSWORD);
      const wrong = await http().post(page).type('form').send({ currentPassword: 'not my password', newPassword: 'my new password 1' }).set('Cookie', cookie).expect(200);
      expect(wrong.body).toMatchObject({ notice: { type: 'error' }, fieldErrors: { currentPassword: expect.any(String) } });
      const weak = await http().post(page).type('form').send({ currentPassword: PASSWORD, newPassword: 'qwerty123456' }).set('Cookie', cookie).expect(200);
      expect(weak.body.fieldErrors.newPassword).toMatch(/common/);

      const done = await http().post(page).type('form').send({ currentPassword: PASSWORD, newPassword: ' my new password 1 ' }).set('Cookie', cookie).expect(200);
      expect(done.body).toMatchObject({ notice: { type: 'success' }, redirectUrl: '/admin/login' });
      await http().get('/admin').set('Cookie', cookie).expect(302);
      await http().get('/admin').set('Cookie', other).expect(302);
      await http().post('/api/auth/login').send({ email: user.email, password: ' my new password 1 ' }).expect(200);
      expect(await auditOf('auth.password_change', `user:${user.id}`)).toHaveLength(1);
    });

    it('needs a signed-in session', async () => {
      const response = await http().post(page).type('form').send({ currentPassword: PASSWORD, newPassword: 'my new password 1' });
      expect(response.status).toBe(302);
    });
  });
});

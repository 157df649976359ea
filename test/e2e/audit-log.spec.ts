import { DataSource } from 'typeorm';
import { AuditService } from '../../src/audit/audit.service';
import { SYSTEM_ACTOR } from '../../src/common/actor';
import { MIGRATIONS } from '../../migrations';
import { diagram } from '../helpers/bpmn';
import { shippedOrder, unique, userWithRoles } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually, useTestApp } from '../helpers/test-app';

interface Entry {
  id: string;
  at: string;
  actor: string;
  actorKind: string;
  action: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** API.md "Users, roles and audit" (G3.3, issue 11 item 2): what the audit log records, how it is read, and that it cannot be changed. */
describe('the audit log', () => {
  const context = useTestApp();
  const http = () => context.app.http;
  const db = () => context.app.running.app.get(DataSource);
  const PASSWORD = 'audited-password-1';

  const entries = async (query: Record<string, string | number>): Promise<Entry[]> =>
    (await http().get('/api/audit-log').query({ pageSize: 200, ...query }).set(context.auth).expect(200)).body.items;
  const latest = async (action: string, target?: string) => (await entries({ action })).find((entry) => target === undefined || entry.target === target);
  const createUser = async () => {
    const email = `${unique('audited')}@test.local`.toLowerCase();
    const user = (await http().post('/api/users').set(context.auth).send({ email, name: 'Audited', password: PASSWORD, roles: ['operator'] }).expect(201)).body;
    return { ...user, email } as { id: string; email: string };
  };

  it('records logins that succeeded and failed, with the address, never the password', async () => {
    const user = await createUser();
    await http().post('/api/auth/login').set('X-Forwarded-For', '203.0.113.7').send({ email: user.email, password: 'not-the-password' }).expect(401);
    await http().post('/api/auth/login').set('X-Forwarded-For', '203.0.113.7').send({ email: user.email.toUpperCase(), password: PASSWORD }).expect(200);
    const failed = (await entries({ action: 'auth.login_failed', actor: user.email }))[0];
    expect(failed).toMatchObject({ actor: user.email, actorKind: 'anonymous', ip: '203.0.113.7', details: { reason: 'invalid_credentials', channel: 'api', knownDevice: false } });
    const succeeded = (await entries({ action: 'auth.login', actor: user.email }))[0];
    expect(succeeded).toMatchObject({ actor: user.email, actorKind: 'user', target: `user:${user.id}`, ip: '203.0.113.7', details: { channel: 'api' } });
    const all = JSON.stringify(await entries({ actor: user.email }));
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain('not-the-password');
  });

  it('records a throttled login as a failed one, once a minute per account or address', async () => {
    const email = `${unique('nobody')}@test.local`.toLowerCase();
    for (let attempt = 1; attempt <= 5; attempt++) await http().post('/api/auth/login').set('X-Forwarded-For', '198.51.100.1').send({ email, password: `x-${attempt}` }).expect(401);
    await http().post('/api/auth/login').set('X-Forwarded-For', '198.51.100.1').send({ email, password: 'x-6' }).expect(429);
    // more of the same within a minute are not recorded again (a flood must not flood the log)
    await http().post('/api/auth/login').set('X-Forwarded-For', '198.51.100.1').send({ email, password: 'x-7' }).expect(429);
    const reasons = (await entries({ action: 'auth.login_failed', actor: email })).map((entry) => entry.details.reason);
    expect(reasons).toEqual(['throttled', ...Array(5).fill('invalid_credentials')]);
  });

  it('records logouts and password changes', async () => {
    const user = await createUser();
    const token = (await http().post('/api/auth/login').send({ email: user.email, password: PASSWORD }).expect(200)).body.accessToken;
    const changed = await http().post('/api/auth/password').set({ Authorization: `Bearer ${token}` }).send({ currentPassword: PASSWORD, newPassword: 'audited-password-2' }).expect(200);
    await http().post('/api/auth/logout').set({ Authorization: `Bearer ${changed.body.accessToken}` }).expect(204);
    expect(await latest('auth.password_change', `user:${user.id}`)).toMatchObject({ actor: user.email, actorKind: 'user' });
    expect(await latest('auth.logout', `user:${user.id}`)).toMatchObject({ actor: user.email, details: { channel: 'api' } });
  });

  it('records user changes with what changed, by whom', async () => {
    const user = await createUser();
    await http().patch(`/api/users/${user.id}`).set(context.auth).send({ roles: ['warehouse'], disabled: true, name: 'Audited' }).expect(200);
    await http().post(`/api/users/${user.id}/password`).set(context.auth).send({ password: 'reset-by-admin-1' }).expect(204);
    expect(await latest('user.create', `user:${user.id}`)).toMatchObject({ actor: ADMIN_EMAIL, actorKind: 'user', details: { email: user.email, roles: ['operator'] } });
    expect(await latest('user.update', `user:${user.id}`)).toMatchObject({
      actor: ADMIN_EMAIL,
      details: { changes: { roles: { from: ['operator'], to: ['warehouse'] }, disabled: { from: false, to: true } } },
    });
    const reset = await latest('user.password_reset', `user:${user.id}`);
    expect(reset).toMatchObject({ actor: ADMIN_EMAIL });
    expect(JSON.stringify(reset)).not.toContain('reset-by-admin-1');
  });

  it('records role and permission changes', async () => {
    const name = `audited_${Date.now().toString(36)}`;
    await http().post('/api/roles').set(context.auth).send({ name, permissions: ['orders.read'] }).expect(201);
    await http().put(`/api/roles/${name}`).set(context.auth).send({ name, permissions: ['orders.write'] }).expect(200);
    await http().delete(`/api/roles/${name}`).set(context.auth).expect(204);
    expect(await latest('role.create', `role:${name}`)).toMatchObject({ details: { permissions: ['orders.read'] } });
    expect(await latest('role.update', `role:${name}`)).toMatchObject({ details: { added: ['orders.write'], removed: ['orders.read'] } });
    expect(await latest('role.delete', `role:${name}`)).toMatchObject({ actor: ADMIN_EMAIL });
  });

  it('records API key changes without the key', async () => {
    const key = (await http().post('/api/api-keys').set(context.auth).send({ name: 'audited-key', roles: ['integration'] }).expect(201)).body;
    await http().delete(`/api/api-keys/${key.id}`).set(context.auth).expect(204);
    expect(await latest('api_key.create', `api_key:${key.id}`)).toMatchObject({ details: { name: 'audited-key', roles: ['integration'] } });
    expect(await latest('api_key.revoke', `api_key:${key.id}`)).toMatchObject({ actor: ADMIN_EMAIL });
    expect(JSON.stringify(await entries({ action: 'api_key' }))).not.toContain(key.key);
  });

  it('records settings changes with each value before and after; a refused change records nothing', async () => {
    const before = (await entries({ action: 'settings.update' })).length;
    await http().put('/api/settings').set(context.auth).send({ alertThresholds: { staleTrackingHours: 72 } }).expect(200);
    expect(await latest('settings.update')).toMatchObject({ target: 'settings', details: { changes: { 'alertThresholds.staleTrackingHours': { from: 48, to: 72 } } } });
    await http().put('/api/settings').set(context.auth).send({ alertThresholds: { staleTrackingHours: -1 } }).expect(422);
    expect((await entries({ action: 'settings.update' })).length).toBe(before + 1);
  });

  it('records notification template changes and reverts', async () => {
    const path = '/api/notification-templates/sms/zh-CN/order-shipped';
    await http().put(path).set(context.auth).send({ text: '您的订单 {{order.number}} 已发货', note: 'shorter' }).expect(200);
    await http().post(`${path}/revert`).set(context.auth).send({ part: 'text', version: 0 }).expect(200);
    expect(await latest('notification_template.update', 'sms/zh-CN/order-shipped')).toMatchObject({ details: { parts: ['text'], note: 'shorter' } });
    expect(await latest('notification_template.revert', 'sms/zh-CN/order-shipped')).toMatchObject({ details: { part: 'text', toVersion: 0 } });
  });

  it('records the schema migrations and the shipped diagrams deployed at start, by the system', async () => {
    const migrations = await entries({ action: 'migration.run' });
    expect(migrations.map((entry) => entry.target).sort()).toEqual(MIGRATIONS.map((migration) => migration.name).sort());
    expect(migrations.every((entry) => entry.actor === 'system' && entry.actorKind === 'system')).toBe(true);
    const shipped = await entries({ action: 'workflow.deploy', actor: 'system' });
    expect(shipped.map((entry) => entry.target)).toEqual(expect.arrayContaining(['workflow:order-fulfillment', 'workflow:after-sales']));
  });

  it('records workflow deploys, instances started and migrated through the API, and incident retries', async () => {
    const key = unique('audited-flow');
    const waiting = (task: string) =>
      diagram(key, `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="${task}" />
        <bpmn:serviceTask id="${task}" oms:taskType="aftersales.close" /><bpmn:sequenceFlow id="F2" sourceRef="${task}" targetRef="End" /><bpmn:endEvent id="End" />`);
    await http().post(`/api/workflows/${key}/versions`).set(context.auth).set('Content-Type', 'application/xml').send(waiting('Close')).expect(201);
    expect(await latest('workflow.deploy', `workflow:${key}`)).toMatchObject({ actor: ADMIN_EMAIL, details: { version: 1, taskTypes: ['aftersales.close'] } });

    // an analyst's instance fails to an incident (no aftersales.write); the admin migrates it to v2 and retries it
    const analyst = await userWithRoles(context.app, 'analyst');
    const started = (await http().post('/api/process-instances').set(analyst.auth).send({ key, businessKey: 'AUDIT-1', variables: { caseId: 'none' } }).expect(201)).body;
    expect(await latest('workflow.start', `process_instance:${started.id}`)).toMatchObject({ actor: analyst.email, actorKind: 'user', details: { key, businessKey: 'AUDIT-1' } });
    const incident = await eventually(async () => (await http().get(`/api/process-instances/${started.id}`).set(context.auth).expect(200)).body.incidents[0]);
    await http().post(`/api/incidents/${incident.id}/retry`).set(context.auth).expect(200);
    expect(await latest('workflow.incident_retry', `process_instance:${started.id}`)).toMatchObject({ actor: ADMIN_EMAIL, details: { incident: incident.id } });

    // a waiting instance moved to a new version
    const parkedKey = unique('audited-wait');
    const parking = (end: string) =>
      diagram(parkedKey, `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Wait" />
        <bpmn:intermediateCatchEvent id="Wait"><bpmn:messageEventDefinition messageRef="Msg_Go" /></bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="F2" sourceRef="Wait" targetRef="${end}" /><bpmn:endEvent id="${end}" />`, '<bpmn:message id="Msg_Go" name="Go" />');
    const deployParking = (xml: string) => http().post(`/api/workflows/${parkedKey}/versions`).set(context.auth).set('Content-Type', 'application/xml').send(xml).expect(201);
    await deployParking(parking('End'));
    const parked = (await http().post('/api/process-instances').set(context.auth).send({ key: parkedKey }).expect(201)).body;
    await eventually(async () => ((await http().get(`/api/process-instances/${parked.id}`).set(context.auth).expect(200)).body.status === 'waiting' ? true : undefined));
    await deployParking(parking('Done'));
    await http().post(`/api/process-instances/${parked.id}/migrate`).set(context.auth).send({}).expect(200);
    expect(await latest('workflow.migrate', `process_instance:${parked.id}`)).toMatchObject({ actor: ADMIN_EMAIL, details: { key: parkedKey, from: 1, to: 2 } });
  });

  it('records refunds with the amount and who decided them', async () => {
    const { order, skus } = await shippedOrder(context.app, context.auth, [1]);
    const opened = (await http().post(`/api/orders/${order.id}/after-sales`).set(context.auth).send({ type: 'refund_only', lines: [{ sku: skus[0], quantity: 1 }], reason: 'broken' }).expect(201)).body;
    await http().post(`/api/after-sales/${opened.id}/approve`).set(context.auth).send({}).expect(200);
    await http().post(`/api/after-sales/${opened.id}/refund`).set(context.auth).send({ amount: '9.90', reference: 'RF-AUDIT' }).expect(200);
    expect(await latest('aftersales.refund', `after_sales_case:${opened.id}`)).toMatchObject({
      actor: ADMIN_EMAIL,
      details: { case: opened.number, order: order.number, amount: '9.90', reference: 'RF-AUDIT', viaWorkflow: false },
    });
  });

  it('is read newest first, paged, filtered by actor, action or area, and time', async () => {
    const user = await createUser();
    await http().patch(`/api/users/${user.id}`).set(context.auth).send({ name: 'First' }).expect(200);
    await http().patch(`/api/users/${user.id}`).set(context.auth).send({ name: 'Second' }).expect(200);
    const page = await http().get('/api/audit-log').query({ action: 'user.update', pageSize: 1 }).set(context.auth).expect(200);
    expect(page.body).toMatchObject({ page: 1, pageSize: 1, total: expect.any(Number), items: [expect.objectContaining({ details: { changes: { name: { from: 'First', to: 'Second' } } } })] });
    expect(Object.keys(page.body.items[0]).sort()).toEqual(['action', 'actor', 'actorId', 'actorKind', 'at', 'details', 'id', 'ip', 'target']);

    const area = await entries({ action: 'user' });
    expect(new Set(area.map((entry) => entry.action))).toEqual(new Set(['user.create', 'user.update', 'user.password_reset']));
    const times = area.map((entry) => entry.at);
    expect([...times].sort().reverse()).toEqual(times);

    const from = area[0].at;
    expect((await entries({ action: 'user.update', from })).map((entry) => entry.at)).toEqual([from]);
    expect(await entries({ action: 'user.update', to: '2000-01-01' })).toEqual([]);
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    expect((await entries({ action: 'user.update', from: today, to: today })).length).toBeGreaterThan(0);
    expect((await entries({ actor: ADMIN_EMAIL, action: 'user.update' })).length).toBe(area.filter((entry) => entry.action === 'user.update').length);
  });

  it('refuses bad filters (422) and readers without users.manage (403)', async () => {
    for (const query of [{ from: '2026-02-30' }, { to: 'yesterday' }, { action: 'DROP TABLE' }, { page: 0 }, { unknown: 'x' }]) {
      const response = await http().get('/api/audit-log').query(query).set(context.auth);
      expect([query, response.status]).toEqual([query, 422]);
    }
    const operator = await createUser();
    const token = (await http().post('/api/auth/login').send({ email: operator.email, password: PASSWORD }).expect(200)).body.accessToken;
    expect((await http().get('/api/audit-log').set({ Authorization: `Bearer ${token}` }).expect(403)).body.error.code).toBe('forbidden');
    await http().get('/api/audit-log').expect(401);
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE, even for the app\'s own connection', async () => {
    const [{ count }] = await db().query(`SELECT count(*)::int AS count FROM audit_log`);
    expect(count).toBeGreaterThan(0);
    await expect(db().query(`UPDATE audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(db().query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(db().query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    const [{ count: after, changed }] = await db().query(`SELECT count(*)::int AS count, count(*) FILTER (WHERE actor = 'someone else')::int AS changed FROM audit_log`);
    expect([after, changed]).toEqual([count, 0]);
  });

  it('AuditService.record writes inside the caller\'s transaction: the entry commits or rolls back with the change', async () => {
    const audit = context.app.running.app.get(AuditService);
    const target = unique('rolled-back');
    await expect(
      db().transaction(async (manager) => {
        await audit.record({ actor: SYSTEM_ACTOR, action: 'backup.create', target }, manager);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await entries({ action: 'backup.create' })).toEqual([]);
    await db().transaction((manager) => audit.record({ actor: SYSTEM_ACTOR, action: 'backup.create', target, details: { sizeBytes: 10 } }, manager));
    expect(await entries({ action: 'backup.create' })).toEqual([expect.objectContaining({ actor: 'system', actorKind: 'system', target, details: { sizeBytes: 10 } })]);
  });
});

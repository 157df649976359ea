import { DataSource } from 'typeorm';
import { AuthService } from '../../src/auth/auth.service';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { adminSignIn, adminSignInWithRole, useAdminApp } from '../helpers/admin-session';
import { orderBody, stockedCatalogue, templateEvents, unique } from '../helpers/fixtures';
import { parseMessage, type SmtpCapture, startSmtpCapture } from '../helpers/smtp-capture';
import { ADMIN_EMAIL, eventually } from '../helpers/test-app';

type Part = { source: string | null; origin: string; version: number };
type Template = { channel: string; locale: string; event: string; parts: Record<string, Part>; history: Array<{ part: string; version: number; restoresFile: boolean; note: string | null; createdBy: string }> };
type Answer = {
  templates?: Array<Omit<Template, 'history'>>;
  canManage?: boolean;
  template?: Template;
  preview?: { subject?: string; html?: string; text: string; locale: string };
  sent?: { channel: string; to: string; messageId: string };
  notice?: { type: string; message: string };
  fieldErrors?: Record<string, string>;
};
type Message = { channel: string; event: string; recipient: string; status: string; attempts: Array<{ attempt: number; outcome: string; error: string | null; startedAt: string }> };
type Messages = { items: Message[]; total: number; listUrl: string | null };

const KEY = { channel: 'email', locale: 'zh-CN', event: 'order-confirmation' };

/** AdminJS answers an action the admin may not call with its forbidden notice (and nothing of the action's own). */
const expectForbidden = (body: Answer & { record?: { params: object } }) => {
  expect(body.notice).toEqual({ type: 'error', message: 'forbiddenError' });
  expect(body.template ?? body.sent ?? body.templates).toBeUndefined();
};

/** Issue 7 items 4 and 5: the template editor, the customer messages of an order and a case, and dead-letter alerts in the admin. */
describe('notifications in the admin', () => {
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(async () => smtp?.stop());
  const admin = useAdminApp({ env: () => ({ SMTP_URL: smtp.url, SMS_PROVIDER: 'capture' }) });
  const db = () => admin.app.running.app.get(DataSource);

  const actionUrl = (action: string) => `/admin/api/resources/NotificationTemplateVersion/actions/${action}`;
  const list = async (cookie = admin.adminCookie): Promise<Answer> => (await admin.app.http.get(actionUrl('list')).set('Cookie', cookie).expect(200)).body;
  const open = async (key = KEY, cookie = admin.adminCookie): Promise<Answer> => (await admin.app.http.get(actionUrl('openTemplate')).query(key).set('Cookie', cookie).expect(200)).body;
  const post = async (action: string, fields: Record<string, string>, cookie = admin.adminCookie, key = KEY): Promise<Answer> =>
    (await admin.app.http.post(actionUrl(action)).type('form').send({ ...key, ...fields }).set('Cookie', cookie).expect(200)).body;
  const apiTemplate = async (key = KEY) => (await admin.app.http.get(`/api/notification-templates/${key.channel}/${key.locale}/${key.event}`).set(admin.auth).expect(200)).body as Template;

  const getOrder = async (id: string) => (await admin.app.http.get(`/api/orders/${id}`).set(admin.auth).expect(200)).body;
  /** A paid order, allocated (its confirmation queued), for a customer of its own (the per-recipient limit stays far). */
  const confirmedOrder = async () => {
    const sku = unique('ANT');
    const email = `${unique('cust').toLowerCase()}@example.com`;
    await stockedCatalogue(admin.app, admin.auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const created = (await admin.app.http.post('/api/orders').set(admin.auth).send(orderBody([{ sku, quantity: 1 }], { customer: { name: '王芳', phone: '13900139000', email } })).expect(201)).body;
    await eventually(async () => ((await getOrder(created.id)).status === 'awaiting_shipment' ? true : undefined), { what: 'the order to be allocated' });
    return { id: created.id as string, number: created.number as string, sku, email };
  };
  const orderMessages = async (id: string, cookie = admin.adminCookie) =>
    (await admin.app.http.get(`/admin/api/resources/Order/records/${id}/show`).set('Cookie', cookie).expect(200)).body.record.params.detail.messages as Messages | null;

  describe('the template editor', () => {
    it('lists every event × channel × locale with where each part comes from, and an SMS has its text only', async () => {
      const answer = await list();
      expect(answer.canManage).toBe(true);
      expect(templateEvents().length).toBeGreaterThanOrEqual(12);
      expect(answer.templates).toHaveLength(templateEvents().length * 2 * 2);
      const confirmation = answer.templates!.find((t) => t.channel === 'email' && t.locale === 'zh-CN' && t.event === 'order-confirmation');
      expect(confirmation?.parts).toEqual({
        subject: { source: null, origin: 'file', version: 0 },
        html: { source: null, origin: 'file', version: 0 },
        text: { source: null, origin: 'file', version: 0 },
      });
      const sms = answer.templates!.find((t) => t.channel === 'sms' && t.locale === 'en' && t.event === 'order-shipped');
      expect(Object.keys(sms!.parts)).toEqual(['text']);
    });

    it('opens one template with the source of each part; an unknown one is a notice, not a failure', async () => {
      const { template } = await open();
      expect(template).toMatchObject({ ...KEY, history: [] });
      expect(template!.parts.subject).toMatchObject({ origin: 'file', version: 0, source: expect.stringContaining('{{order.number}}') });
      expect(template!.parts.html.source).toContain('<h1');
      const unknown = await open({ channel: 'fax', locale: 'zh-CN', event: 'order-confirmation' });
      expect(unknown.template).toBeUndefined();
      expect(unknown.notice).toMatchObject({ type: 'error', message: expect.stringContaining('fax/zh-CN/order-confirmation') });
    });

    it('previews an unsaved edit on a real order (by its number) or on sample data; a part that does not render is named', async () => {
      const order = await confirmedOrder();
      const subject = '订单 {{order.number}} 已确认（预览）';
      const { preview } = await post('previewTemplate', { subject, orderId: order.number });
      expect(preview).toMatchObject({ subject: `订单 ${order.number} 已确认（预览）`, locale: 'zh-CN' });
      expect(preview!.html).toContain(order.number);
      expect(preview!.text).toContain(order.sku);

      expect((await post('previewTemplate', { subject: '{{order.number}}', orderId: '' })).preview?.subject).toBe('SO261201000042');
      const missing = await post('previewTemplate', { subject: '{{order.nope}}' });
      expect(missing.preview).toBeUndefined();
      expect(missing.fieldErrors).toEqual({ subject: expect.stringContaining('nope') });
      const noOrder = await post('previewTemplate', { orderId: 'SO000000000000' });
      expect(noOrder.notice).toMatchObject({ type: 'error', message: expect.stringContaining('SO000000000000') });
      // nothing of that is stored
      expect((await apiTemplate()).history).toEqual([]);
    });

    it('refuses to save a template that does not compile, with the line and column beside the part, and saves nothing', async () => {
      const broken = await post('saveTemplate', { subject: '新标题 {{order.number}}', html: '<p>\n{{#if order.number}}已确认\n</p>', note: 'broken' });
      expect(broken.template).toBeUndefined();
      expect(broken.notice?.type).toBe('error');
      expect(broken.fieldErrors).toEqual({ html: expect.stringMatching(/^line \d+, column \d+: /) });
      const stored = await apiTemplate();
      expect(stored.history).toEqual([]);
      expect(stored.parts.subject.origin).toBe('file');
      expect((await post('saveTemplate', { subject: '   ' })).fieldErrors).toEqual({ subject: 'must not be empty' });
      expect((await post('saveTemplate', { subject: 'x'.repeat(2001) })).fieldErrors).toEqual({ subject: expect.stringContaining('2000') });
    });

    it('saves an edit as version 1 over the file, with its note and author, and reverts it back to the file', async () => {
      const subject = '【{{shop.name}}】订单 {{order.number}} 已确认 ✓';
      const saved = await post('saveTemplate', { subject, note: 'a clearer subject' });
      expect(saved.notice).toEqual({ type: 'success', message: 'Saved email/zh-CN/order-confirmation: subject version 1' });
      expect(saved.template?.parts.subject).toEqual({ source: subject, origin: 'override', version: 1 });
      expect(saved.template?.history).toEqual([expect.objectContaining({ part: 'subject', version: 1, restoresFile: false, note: 'a clearer subject', createdBy: ADMIN_EMAIL })]);
      expect((await apiTemplate()).parts.subject).toMatchObject({ origin: 'override', version: 1, source: subject });
      expect((await list()).templates!.find((t) => t.channel === 'email' && t.locale === 'zh-CN' && t.event === 'order-confirmation')?.parts.subject).toMatchObject({ origin: 'override', version: 1 });

      const second = await post('saveTemplate', { subject: `${subject}!` });
      expect(second.template?.parts.subject.version).toBe(2);
      const reverted = await post('revertTemplate', { part: 'subject', version: '1' });
      expect(reverted.notice).toMatchObject({ type: 'success', message: 'email/zh-CN/order-confirmation subject is back to version 1' });
      expect(reverted.template?.parts.subject).toEqual({ source: subject, origin: 'override', version: 3 });

      const toFile = await post('revertTemplate', { part: 'subject', version: '0' });
      expect(toFile.template?.parts.subject).toMatchObject({ origin: 'file', version: 0, source: expect.stringContaining('您的订单') });
      expect(toFile.template?.history.map((entry) => [entry.version, entry.restoresFile])).toEqual([[4, true], [3, false], [2, false], [1, false]]);
      expect((await post('revertTemplate', { part: 'subject', version: '99' })).notice).toMatchObject({ type: 'error', message: expect.stringContaining('v99') });
      expect((await post('revertTemplate', { part: 'body', version: '1' })).fieldErrors).toEqual({ part: expect.any(String) });
    });

    it("sends a test to the admin's own address or a number of the test list, with the unsaved edit; nobody else", async () => {
      const to = ADMIN_EMAIL;
      const { sent, notice } = await post('testSendTemplate', { to, subject: '测试 {{order.number}}' });
      expect(sent).toMatchObject({ channel: 'email', to });
      expect(notice).toEqual({ type: 'success', message: `Test email sent to ${to}` });
      const mail = await eventually(async () => smtp.messages.find((message) => message.to.includes(to)), { what: 'the test mail' });
      expect(parseMessage(mail.raw).subject).toBe('[TEST] 测试 SO261201000042');

      const phone = `139${String(Date.now()).slice(-8)}`;
      const smsKey = { channel: 'sms', locale: 'en', event: 'order-shipped' };
      expect((await post('testSendTemplate', { to: phone }, admin.adminCookie, smsKey)).notice).toMatchObject({ type: 'error', message: expect.stringContaining('testRecipients') });
      expect((await post('testSendTemplate', { to: 'stranger@example.com' })).notice).toMatchObject({ type: 'error' });
      await admin.app.http.put('/api/settings').set(admin.auth).send({ notifications: { testRecipients: [phone] } }).expect(200);
      const sms = await post('testSendTemplate', { to: phone }, admin.adminCookie, smsKey);
      expect(sms.sent).toMatchObject({ channel: 'sms', to: `+86${phone}` });
      expect((await db().query(`SELECT text FROM captured_sms WHERE recipient = $1`, [`+86${phone}`]))[0].text).toContain('SF1234567890123');
      expect((await post('testSendTemplate', { to: 'not an address' })).fieldErrors).toEqual({ to: expect.stringContaining('email') });
      expect((await post('testSendTemplate', { to: '' })).fieldErrors).toEqual({ to: 'is required' });
    });

    it('an operator (settings.read) sees and previews templates but cannot save, revert or send; the server refuses even when asked', async () => {
      const operator = await adminSignInWithRole(admin.app, 'operator');
      const answer = await list(operator);
      expect(answer.canManage).toBe(false);
      expect((await open(KEY, operator)).template?.parts.subject.origin).toBe('file');
      expect((await post('previewTemplate', { subject: '{{order.number}}' }, operator)).preview?.subject).toBe('SO261201000042');
      for (const [action, fields] of [
        ['saveTemplate', { subject: 'operator was here' }],
        ['revertTemplate', { part: 'subject', version: '0' }],
        ['testSendTemplate', { to: 'someone@example.com' }],
      ] as const) {
        expectForbidden((await admin.app.http.post(actionUrl(action)).type('form').send({ ...KEY, ...fields }).set('Cookie', operator).expect(200)).body);
      }
      expect((await apiTemplate()).history.some((entry) => entry.createdBy !== ADMIN_EMAIL)).toBe(false);

      // an account that may not read settings does not even get the list
      const warehouse = await adminSignInWithRole(admin.app, 'warehouse');
      expectForbidden((await admin.app.http.get(actionUrl('list')).set('Cookie', warehouse).expect(200)).body);
    });

    it('a role that loses settings.manage after the login cannot save any more: the server reads the permissions again', async () => {
      await db().query(`INSERT INTO role (name, description, permissions) VALUES ('template_editor', 'edits templates', '{settings.read,settings.manage}')`);
      const email = `${unique('editor')}@test.local`.toLowerCase();
      await admin.app.running.app.get(AuthService).createUser(email, 'editor-password-1', ['template_editor']);
      const editor = await adminSignIn(admin.app, email, 'editor-password-1');
      expect((await list(editor)).canManage).toBe(true);
      await db().query(`UPDATE role SET permissions = '{settings.read}' WHERE name = 'template_editor'`);
      const refused = await post('saveTemplate', { subject: 'no longer allowed {{order.number}}' }, editor);
      // the session itself reads the role's permissions on every request (issue 11 item 3): AdminJS refuses the action
      expect(refused.notice).toMatchObject({ type: 'error' });
      expect((await apiTemplate()).history.some((entry) => entry.createdBy === email)).toBe(false);
    });

    it('changes only through the editor: a GET of a change, or a request from another site, does nothing', async () => {
      const viaGet = (await admin.app.http.get(actionUrl('saveTemplate')).query({ ...KEY, subject: 'by GET' }).set('Cookie', admin.adminCookie).expect(200)).body as Answer;
      expect(viaGet.notice?.type).toBe('error');
      const crossSite = (await admin.app.http.post(actionUrl('saveTemplate')).type('form').send({ ...KEY, subject: 'cross-site' }).set('Cookie', admin.adminCookie).set('Sec-Fetch-Site', 'cross-site').expect(403)).body;
      expect(crossSite.error.code).toBe('forbidden');
      expect((await apiTemplate()).history.map((entry) => entry.note)).not.toContain('by GET');
      expect((await apiTemplate()).parts.subject.source).not.toMatch(/by GET|cross-site/);
    });
  });

  describe('customer messages on the order and the case', () => {
    it('the order page lists each message with its attempts: channel, event, recipient, status, outcome and time', async () => {
      const order = await confirmedOrder();
      const messages = await eventually(async () => {
        const now = await orderMessages(order.id);
        return now?.items.some((message) => message.status === 'sent') ? now : undefined;
      }, { what: 'the confirmation to be sent' });
      expect(messages.total).toBe(1);
      expect(messages.items).toEqual([
        expect.objectContaining({ channel: 'email', event: 'order-confirmation', recipient: order.email, status: 'sent', attempts: [expect.objectContaining({ attempt: 1, outcome: 'sent', error: null, startedAt: expect.any(String) })] }),
      ]);
      expect(messages.listUrl).toBe(`/admin/resources/Notification/actions/list?filters.reference=${order.number}`);
    });

    it('a failed attempt shows with its error; the case page lists the case’s own messages', async () => {
      const order = await confirmedOrder();
      await admin.app.http.post(`/api/orders/${order.id}/shipments`).set(admin.auth).send({ carrier: 'sf', trackingNumber: unique('SF').slice(0, 30) }).expect(200);
      await eventually(async () => ((await getOrder(order.id)).status === 'shipped' ? true : undefined), { what: 'the order to ship' });
      const opened = (await admin.app.http.post(`/api/orders/${order.id}/after-sales`).set(admin.auth).send({ type: 'return', lines: [{ sku: order.sku, quantity: 1 }], reason: 'too small' }).expect(201)).body;
      const caseMessages = await eventually(async () => {
        const record = (await admin.app.http.get(`/admin/api/resources/AfterSalesCase/records/${opened.id}/show`).set('Cookie', admin.adminCookie).expect(200)).body.record;
        const messages = record.params.detail.messages as Messages;
        return messages.items.some((message) => message.status === 'sent') ? messages : undefined;
      }, { what: 'the case-opened message' });
      expect(caseMessages.items.map((message) => `${message.channel}:${message.event}`)).toEqual(['email:after-sales-opened']);
      // the order's page keeps the order's own: confirmation and shipping notice
      const onOrder = await orderMessages(order.id);
      expect(onOrder?.items.map((message) => `${message.channel}:${message.event}`).sort()).toEqual(['email:order-confirmation', 'email:order-shipped', 'sms:order-shipped']);

      // an attempt that failed: recorded with its error, the message waiting for the next one
      const [failing] = await db().query(
        `INSERT INTO notification (idempotency_key, channel, event, locale, recipient, reference, data, status, attempts, next_attempt_at, last_error)
         VALUES ($1, 'email', 'order-shipped', 'zh-CN', $2, $3, '{}', 'pending', 1, now() + interval '1 hour', 'SMTP 451 try later') RETURNING id`,
        [unique('failing'), order.email, order.number],
      );
      await db().query(`INSERT INTO notification_attempt (notification_id, attempt, outcome, error, started_at, duration_ms) VALUES ($1, 1, 'failed', 'SMTP 451 try later', now(), 12)`, [failing.id]);
      const pending = (await orderMessages(order.id))!.items.find((message) => message.status === 'pending');
      expect(pending).toMatchObject({ attempts: [{ attempt: 1, outcome: 'failed', error: 'SMTP 451 try later', startedAt: expect.any(String), durationMs: 12 }], nextAttemptAt: expect.any(String) });
    });
  });

  describe('undelivered messages (dead letters)', () => {
    const deadLetter = async () => {
      const reference = unique('DEAD');
      await db().transaction((manager) =>
        admin.app.running.app.get(NotificationsService).enqueue(manager, {
          idempotencyKey: `no-such-event:${reference}`, channel: 'email', event: 'no-such-event', locale: 'zh-CN', recipient: 'x@example.com', reference, data: {},
        }),
      );
      const [alert] = await eventually(async () => {
        const rows = await db().query(`SELECT id FROM system_alert WHERE reference = $1`, [reference]);
        return rows.length ? rows : undefined;
      }, { what: 'the dead-letter alert' });
      return { reference, alertId: String(alert.id) };
    };
    const dashboard = async (cookie = admin.adminCookie) => (await admin.app.http.get('/admin/api/dashboard').set('Cookie', cookie).expect(200)).body.counts;

    it('counts open alerts on the dashboard, lists them read-only, and Resolve records who resolved them', async () => {
      const before = (await dashboard()).notifications[0].count as number;
      const { reference, alertId } = await deadLetter();
      const [tile] = (await dashboard()).notifications as Array<{ label: string; count: number; url: string }>;
      expect(tile).toEqual({ label: 'Undelivered messages', count: before + 1, url: '/admin/resources/SystemAlert/actions/list?filters.kind=notification_dead&filters.status=open' });

      const listed = (await admin.app.http.get('/admin/api/resources/SystemAlert/actions/list').query({ 'filters.kind': 'notification_dead', 'filters.status': 'open' }).set('Cookie', admin.adminCookie).expect(200)).body;
      const row = listed.records.find((record: { id: string }) => record.id === alertId);
      expect(row.params).toMatchObject({ kind: 'notification_dead', reference, status: 'open', message: expect.stringContaining('given up') });
      expect(row.recordActions.map((action: { name: string }) => action.name)).toEqual(expect.arrayContaining(['show', 'resolve']));
      expect(row.recordActions.map((action: { name: string }) => action.name)).not.toContain('edit');
      expectForbidden((await admin.app.http.post('/admin/api/resources/SystemAlert/actions/new').type('form').send({ kind: 'x', message: 'y' }).set('Cookie', admin.adminCookie).expect(200)).body);

      // finance reads orders but does not change them: no Resolve
      const finance = await adminSignInWithRole(admin.app, 'finance');
      expectForbidden((await admin.app.http.get(`/admin/api/resources/SystemAlert/records/${alertId}/resolve`).set('Cookie', finance).expect(200)).body);
      expect((await db().query(`SELECT status FROM system_alert WHERE id = $1`, [alertId]))[0].status).toBe('open');

      const resolved = (await admin.app.http.get(`/admin/api/resources/SystemAlert/records/${alertId}/resolve`).set('Cookie', admin.adminCookie).expect(200)).body;
      expect(resolved.notice).toMatchObject({ type: 'success', message: 'Alert resolved' });
      expect(resolved.record.params).toMatchObject({ status: 'resolved', resolvedBy: ADMIN_EMAIL, resolvedAt: expect.any(String) });
      expect(resolved.record.recordActions.map((action: { name: string }) => action.name)).not.toContain('resolve');
      expect((await dashboard()).notifications[0].count).toBe(before);
      const [stored] = await db().query(`SELECT status, resolved_by, resolved_at FROM system_alert WHERE id = $1`, [alertId]);
      expect(stored).toMatchObject({ status: 'resolved', resolved_by: ADMIN_EMAIL, resolved_at: expect.any(Date) });
    });
  });
});

import { createServer, type Server } from 'node:net';
import { DataSource } from 'typeorm';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { OrderNotifications } from '../../src/orders/order-notifications';
import { type AppProcess, freePort, loginClient, startAppProcess } from '../helpers/app-process';
import { orderBody, stockedCatalogue, templateEvents, unique } from '../helpers/fixtures';
import { parseMessage, type SmtpCapture, startSmtpCapture } from '../helpers/smtp-capture';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase } from '../helpers/test-database';

type Outbox = { items: Array<{ id: string; channel: string; event: string; locale: string; recipient: string; status: string; attempts: Array<{ outcome: string; error: string | null }> }> };

/** Issue 7 (G3.2): customers hear of their order by email (a real SMTP server, started here) and SMS (the capture provider). */
describe('customer notifications through the outbox', () => {
  let smtp: SmtpCapture;
  let app: TestApp;
  let auth: Record<string, string>;
  const db = () => app.running.app.get(DataSource);

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    app = await startTestApp({ env: { SMTP_URL: smtp.url, SMS_PROVIDER: 'capture' } });
    auth = { Authorization: `Bearer ${await app.login()}` };
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  const outboxOf = async (reference: string): Promise<Outbox['items']> => (await app.http.get('/api/notifications').query({ reference }).set(auth).expect(200)).body.items;
  const mailsTo = (address: string) => smtp.messages.filter((message) => message.to.includes(address)).map((message) => parseMessage(message.raw));
  const smsTo = async (phone: string) => (await db().query(`SELECT text FROM captured_sms WHERE recipient = $1 ORDER BY id`, [phone])) as Array<{ text: string }>;
  const paidOrder = async (customer: Record<string, unknown>) => {
    const sku = unique('NT');
    const { warehouse } = await stockedCatalogue(app, auth.Authorization.slice(7), { [sku]: 5 });
    const created = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { customer })).expect(201)).body;
    const order = await eventually(async () => {
      const now = (await app.http.get(`/api/orders/${created.id}`).set(auth).expect(200)).body;
      return now.status === 'awaiting_shipment' ? now : undefined;
    }, { what: `order ${created.number} to await shipment` });
    return { order, sku, warehouse };
  };
  const phoneOf = () => `139${String(Date.now()).slice(-8)}`;

  it('an order confirmation arrives by email in the customer locale (subject, text and HTML), then the shipping notice by email and SMS with the tracking link', async () => {
    const email = `${unique('zh').toLowerCase()}@example.com`;
    const phone = phoneOf();
    const { order } = await paidOrder({ name: '李雷', phone, email });
    const [confirmation] = await eventually(async () => (mailsTo(email).length ? mailsTo(email) : undefined), { what: 'the confirmation mail' });
    expect(confirmation.subject).toContain(order.number);
    expect(confirmation.text).toContain(order.number);
    expect(confirmation.html).toContain(order.number);
    expect(confirmation.text).toMatch(/[\u4e00-\u9fff]/); // zh-CN: the settings' default locale
    expect(await smsTo(`+86${phone}`)).toEqual([]); // the settings send no SMS for a confirmation

    await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: 'SF7700001234' }).expect(200);
    const shipped = await eventually(async () => (mailsTo(email).length >= 2 ? mailsTo(email)[1] : undefined), { what: 'the shipping mail' });
    expect(shipped.text).toContain('SF7700001234');
    expect(shipped.html).toContain('kuaidi100.com');
    const [sms] = await eventually(async () => {
      const texts = await smsTo(`+86${phone}`);
      return texts.length ? texts : undefined;
    }, { what: 'the shipping SMS' });
    expect(sms.text).toContain('SF7700001234');
    expect(sms.text).toContain(order.number);
    const outbox = await outboxOf(order.number);
    expect(outbox.map((n) => `${n.channel}:${n.event}:${n.status}`).sort()).toEqual(['email:order-confirmation:sent', 'email:order-shipped:sent', 'sms:order-shipped:sent']);
    for (const message of outbox) expect(message.attempts).toEqual([expect.objectContaining({ outcome: 'sent', error: null })]);
  });

  it('an English-speaking customer gets the English templates; a customer name cannot inject mail headers', async () => {
    const email = `${unique('en').toLowerCase()}@example.com`;
    await paidOrder({ name: 'Ann\r\nBcc: victim@example.com', phone: phoneOf(), email, locale: 'en' });
    const [mail] = await eventually(async () => (mailsTo(email).length ? mailsTo(email) : undefined), { what: 'the English confirmation' });
    expect(mail.text).toMatch(/order/i);
    expect(mail.text).not.toMatch(/[\u4e00-\u9fff]{4}/);
    const delivered = smtp.messages.find((message) => message.to.includes(email))!;
    expect(delivered.to).toEqual([email]);
    const headers = delivered.raw.split(/\r?\n\r?\n/)[0];
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(headers).not.toContain('victim@example.com');
  });

  it('which events go out on which channel is the settings: a channel turned off sends nothing', async () => {
    await app.http.put('/api/settings').set(auth).send({ notifications: { events: { 'order-confirmation': { email: false, sms: true } } } }).expect(200);
    try {
      const email = `${unique('off').toLowerCase()}@example.com`;
      const phone = phoneOf();
      const { order } = await paidOrder({ name: '韩梅梅', phone, email });
      const [sms] = await eventually(async () => {
        const texts = await smsTo(`+86${phone}`);
        return texts.length ? texts : undefined;
      }, { what: 'the confirmation SMS' });
      expect(sms.text).toContain(order.number);
      expect(mailsTo(email)).toEqual([]);
      expect((await outboxOf(order.number)).map((n) => n.channel)).toEqual(['sms']);
    } finally {
      await app.http.put('/api/settings').set(auth).send({ notifications: { events: { 'order-confirmation': { email: true, sms: false } } } }).expect(200);
    }
  });

  it('a retried step sends once: one message per event and recipient', async () => {
    const email = `${unique('once').toLowerCase()}@example.com`;
    const { order } = await paidOrder({ name: '张三', phone: phoneOf(), email });
    await eventually(async () => (mailsTo(email).length ? true : undefined), { what: 'the confirmation' });
    // the diagram's notify.send runs again (a crash repeats the step): the idempotency key keeps it one message
    const notifications = app.running.app.get(OrderNotifications);
    expect(await db().transaction((manager) => notifications.send(manager, order.id, 'order-confirmation'))).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(mailsTo(email)).toHaveLength(1);
    expect((await outboxOf(order.number)).filter((n) => n.event === 'order-confirmation')).toHaveLength(1);
  });

  it('over the per-recipient limit a message waits (deferred, not failed) instead of flooding the customer', async () => {
    await app.http.put('/api/settings').set(auth).send({ notifications: { maxPerRecipientPerHour: 1 } }).expect(200);
    try {
      const email = `${unique('limit').toLowerCase()}@example.com`;
      const phone = phoneOf();
      const { order } = await paidOrder({ name: '王五', phone, email });
      await eventually(async () => (mailsTo(email).length ? true : undefined), { what: 'the confirmation' });
      await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'zto', trackingNumber: 'ZT7700009999' }).expect(200);
      const waiting = await eventually(async () => {
        const mail = (await outboxOf(order.number)).find((n) => n.channel === 'email' && n.event === 'order-shipped');
        return mail?.attempts.some((a) => a.outcome === 'deferred') ? mail : undefined;
      }, { what: 'the shipping mail to be deferred' });
      expect(waiting.status).toBe('pending');
      expect(waiting.attempts.map((a) => a.outcome)).toEqual(['deferred']);
      expect(mailsTo(email)).toHaveLength(1);
    } finally {
      await app.http.put('/api/settings').set(auth).send({ notifications: { maxPerRecipientPerHour: 10 } }).expect(200);
    }
  });

  it('a message that can never be sent becomes a dead letter with an alert, and the order flow goes on', async () => {
    const reference = unique('DEAD');
    await db().transaction((manager) =>
      app.running.app.get(NotificationsService).enqueue(manager, {
        idempotencyKey: `no-such-event:${reference}`, channel: 'email', event: 'no-such-event', locale: 'zh-CN', recipient: 'x@example.com', reference, data: {},
      }),
    );
    const dead = await eventually(async () => {
      const [message] = await outboxOf(reference);
      return message?.status === 'dead' ? message : undefined;
    }, { what: 'the dead letter' });
    expect(dead.attempts).toEqual([expect.objectContaining({ outcome: 'dead', error: expect.stringContaining('no-such-event') })]);
    const alerts = await db().query(`SELECT kind, message, status FROM system_alert WHERE reference = $1`, [reference]);
    expect(alerts).toEqual([{ kind: 'notification_dead', message: expect.stringContaining('given up after 1 attempt'), status: 'open' }]);
  });

  describe('templates admins edit (stored versions override the files)', () => {
    const base = '/api/notification-templates/email/zh-CN/order-confirmation';

    it('lists every event for both channels and locales, from the files', async () => {
      const list = (await app.http.get('/api/notification-templates').set(auth).expect(200)).body as Array<{ channel: string; locale: string; event: string; parts: Record<string, { origin: string }> }>;
      expect(templateEvents().length).toBeGreaterThanOrEqual(12);
      expect(list).toHaveLength(2 * 2 * templateEvents().length);
      expect([...new Set(list.map((entry) => entry.event))].sort()).toEqual([...templateEvents()].sort());
      for (const entry of list) for (const part of Object.values(entry.parts)) expect(part.origin).toBe('file');
      await app.http.get('/api/notification-templates/fax/zh-CN/order-confirmation').set(auth).expect(404);
    });

    it('a template that does not compile is refused with its line and column, and nothing is saved', async () => {
      const broken = await app.http.put(base).set(auth).send({ subject: '订单 {{order.number}}', html: '<p>\n{{#if order.number}}已确认\n</p>' }).expect(422);
      expect(broken.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'html', message: expect.stringMatching(/line \d+/) }] });
      expect((await app.http.get(base).set(auth).expect(200)).body.history).toEqual([]);
      const unescaped = await app.http.put(base).set(auth).send({ html: '<p>{{{order.customer.name}}}</p>' }).expect(422);
      expect(unescaped.body.error.details[0]).toMatchObject({ path: 'html', message: expect.stringContaining('line 1') });
    });

    it('a preview renders an edit with a real order; saved, it is what the next customer gets; revert goes back', async () => {
      const email = `${unique('tpl').toLowerCase()}@example.com`;
      const { order } = await paidOrder({ name: '<b>周杰</b>', phone: phoneOf(), email });
      const subject = '【已确认】订单 {{order.number}} / {{order.customer.name}}';
      const preview = (await app.http.post(`${base}/preview`).set(auth).send({ orderId: order.number, subject }).expect(200)).body;
      expect(preview.subject).toBe(`【已确认】订单 ${order.number} / <b>周杰</b>`);
      expect(preview.html).toContain('&lt;b&gt;周杰&lt;/b&gt;');
      expect((await app.http.post(`${base}/preview`).set(auth).send({ subject: '{{order.number}}' }).expect(200)).body.subject).toBe('SO261201000042'); // sample data
      await app.http.post(`${base}/preview`).set(auth).send({ subject: '{{order.nope}}' }).expect(422); // strict: a field the data lacks

      const saved = (await app.http.put(base).set(auth).send({ subject, note: 'clearer subject' }).expect(200)).body;
      expect(saved.parts.subject).toMatchObject({ origin: 'override', version: 1, source: subject });
      expect(saved.history).toEqual([expect.objectContaining({ part: 'subject', version: 1, note: 'clearer subject', createdBy: ADMIN_EMAIL })]);
      const second = `${unique('tpl2').toLowerCase()}@example.com`;
      const { order: next } = await paidOrder({ name: '蔡依林', phone: phoneOf(), email: second });
      const [mail] = await eventually(async () => (mailsTo(second).length ? mailsTo(second) : undefined), { what: 'a confirmation with the saved subject' });
      expect(mail.subject).toBe(`【已确认】订单 ${next.number} / 蔡依林`);

      const reverted = (await app.http.post(`${base}/revert`).set(auth).send({ part: 'subject', version: 0 }).expect(200)).body;
      expect(reverted.parts.subject.origin).toBe('file');
      expect(reverted.history.map((h: { version: number; restoresFile: boolean }) => [h.version, h.restoresFile])).toEqual([[2, true], [1, false]]);
      await app.http.post(`${base}/revert`).set(auth).send({ part: 'subject', version: 9 }).expect(404);
    });

    it("a test send reaches the sender's own address or the settings' test recipients, nobody else (issue 11 item 6)", async () => {
      const own = (await app.http.post(`${base}/test-send`).set(auth).send({ to: ADMIN_EMAIL.toUpperCase() }).expect(200)).body;
      expect(own).toMatchObject({ channel: 'email', to: ADMIN_EMAIL });
      const [mail] = await eventually(async () => (mailsTo(ADMIN_EMAIL).length ? mailsTo(ADMIN_EMAIL) : undefined), { what: 'the test mail' });
      expect(mail.subject).toMatch(/^\[TEST\]/);

      const stranger = `${unique('stranger').toLowerCase()}@example.com`;
      const phone = phoneOf();
      const sms = '/api/notification-templates/sms/en/order-shipped/test-send';
      expect((await app.http.post(`${base}/test-send`).set(auth).send({ to: stranger }).expect(403)).body.error.code).toBe('forbidden');
      expect((await app.http.post(sms).set(auth).send({ to: phone }).expect(403)).body.error.message).toContain('testRecipients');
      expect(mailsTo(stranger)).toEqual([]);
      expect(await smsTo(`+86${phone}`)).toEqual([]);

      await app.http.put('/api/settings').set(auth).send({ notifications: { testRecipients: [stranger, phone] } }).expect(200);
      await app.http.post(`${base}/test-send`).set(auth).send({ to: stranger }).expect(200);
      await app.http.post(sms).set(auth).send({ to: `+86 ${phone}` }).expect(200);
      expect((await smsTo(`+86${phone}`))[0].text).toContain('SF1234567890123');
      await app.http.post(`${base}/test-send`).set(auth).send({ to: 'a@b.c\r\nBcc: x@y.z' }).expect(422);
      await app.http.post(sms).set(auth).send({ to: '12345' }).expect(422);
      const badList = await app.http.put('/api/settings').set(auth).send({ notifications: { testRecipients: ['not a recipient'] } }).expect(422);
      expect(badList.body.error.details).toEqual([expect.objectContaining({ path: 'notifications.testRecipients.0' })]);
    });
  });
});

describe('the outbox survives SMTP outages and crashes', () => {
  it('SMTP down for a while: the message is retried with backoff and delivered when the server is back', async () => {
    const port = await freePort();
    // something that refuses SMTP: connections are closed at once
    const refusing: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => refusing.listen(port, '127.0.0.1', resolve));
    const app = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}?connectionTimeout=2000&greetingTimeout=2000` } });
    let smtp: SmtpCapture | undefined;
    try {
      const auth = { Authorization: `Bearer ${await app.login()}` };
      const sku = unique('DOWN');
      await stockedCatalogue(app, auth.Authorization.slice(7), { [sku]: 3 });
      const email = `${unique('down').toLowerCase()}@example.com`;
      const order = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { customer: { name: '赵六', phone: '13700137000', email } })).expect(201)).body;
      const outbox = async () => (await app.http.get('/api/notifications').query({ reference: order.number }).set(auth).expect(200)).body.items as Outbox['items'];
      const failing = await eventually(async () => {
        const [message] = await outbox();
        return message && message.attempts.filter((a) => a.outcome === 'failed').length >= 2 ? message : undefined;
      }, { timeoutMs: 30_000, what: 'two failed attempts' });
      expect(failing.status).toBe('pending');
      // the server comes back on the same port
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
      smtp = await startSmtpCapture({ port });
      await app.running.app.get(DataSource).query(`UPDATE notification SET next_attempt_at = now() WHERE reference = $1 AND status = 'pending'`, [order.number]);
      const [mail] = await smtp.waitFor(1, 20_000);
      expect(parseMessage(mail.raw).subject).toContain(order.number);
      const [sent] = await eventually(async () => {
        const items = await outbox();
        return items[0]?.status === 'sent' ? items : undefined;
      }, { what: 'the message to be marked sent' });
      expect(sent.attempts.at(-1)?.outcome).toBe('sent');
      expect(sent.attempts.slice(0, -1).every((a) => a.outcome === 'failed' && a.error)).toBe(true);
      expect(smtp.messages).toHaveLength(1);
    } finally {
      await app.close();
      await smtp?.stop();
      if (refusing.listening) refusing.close();
    }
  });

  it('killed between the commit and the send: after the restart the message is sent exactly once', async () => {
    const database = await createTestDatabase();
    const smtp = await startSmtpCapture();
    const env = { ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, SMTP_URL: smtp.url, NOTIFICATION_LEASE_SECONDS: '2', WORKER_LEASE_SECONDS: '2', WORKER_POLL_MS: '50' };
    let app: AppProcess | undefined;
    try {
      app = await startAppProcess({ ...env, FAULT_CRASH_BEFORE_SEND: 'true' });
      const api = await loginClient(app, ADMIN_EMAIL, ADMIN_PASSWORD);
      const sku = unique('KILL');
      expect((await api('POST', '/api/warehouses', { code: 'KILL-WH', name: 'Kill test', province: '上海市', city: '上海市', priority: 1 })).status).toBe(201);
      expect((await api('POST', '/api/products', { sku, name: 'Kill test product', price: '10.00' })).status).toBe(201);
      expect((await api('PUT', `/api/inventory/KILL-WH/${sku}`, { onHand: 10 })).status).toBe(200);
      const email = 'killed@example.com';
      const created = await api('POST', '/api/orders', orderBody([{ sku, quantity: 1 }], { customer: { name: '孙七', phone: '13600136000', email } }));
      expect(created.status).toBe(201);
      // the confirmation commits with the workflow step; the process dies as it picks the message up to send it
      const died = await Promise.race([app.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000))]);
      expect(died).toEqual({ code: null, signal: 'SIGKILL' });
      expect(smtp.messages).toEqual([]);

      app = await startAppProcess(env);
      const [mail] = await smtp.waitFor(1, 30_000);
      expect(parseMessage(mail.raw).subject).toContain(created.body.number);
      await new Promise((resolve) => setTimeout(resolve, 3000)); // a second send would arrive by now
      expect(smtp.messages.filter((message) => message.to.includes(email))).toHaveLength(1);
      const restarted = await loginClient(app, ADMIN_EMAIL, ADMIN_PASSWORD);
      const { body } = await restarted('GET', `/api/notifications?reference=${created.body.number}`);
      expect(body.items).toEqual([expect.objectContaining({ event: 'order-confirmation', status: 'sent' })]);
    } finally {
      await app?.kill('SIGKILL').catch(() => undefined);
      await smtp.stop();
      await database.drop();
    }
  });
});

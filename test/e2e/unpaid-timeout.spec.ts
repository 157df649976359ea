import { DataSource } from 'typeorm';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { parseMessage, startSmtpCapture } from '../helpers/smtp-capture';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

/** Issue 5 item 3: pending payments wait; unpaid orders are cancelled after the diagram's deadline (PT30M) and notified. */
describe('the payment deadline', () => {
  let app: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  let auth: Record<string, string>;
  let sku: string;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    app = await startTestApp({ env: { SMTP_URL: smtp.url } });
    const token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
    sku = unique('UNPAID');
    await stockedCatalogue(app, token, { [sku]: 10 });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  const unpaidOrder = async (email: string) => {
    const body = orderBody([{ sku, quantity: 1 }], { payment: { method: 'bank_transfer', status: 'pending' } });
    const created = (await app.http.post('/api/orders').set(auth).send({ ...body, customer: { ...body.customer, email } }).expect(201)).body;
    const instance = await eventually(async () => {
      const found = (await app.http.get(`/api/process-instances/${created.processInstanceId}`).set(auth).expect(200)).body;
      return found.status === 'waiting' ? found : undefined;
    });
    expect(instance.waitingAt.map((w: { elementId: string }) => w.elementId).sort()).toEqual(['Task_AwaitPayment', 'Timer_PaymentDeadline']);
    return created;
  };
  const deadlineJobs = (instanceId: string) =>
    app.running.app.get(DataSource).query(`SELECT id, run_at, status FROM workflow_job WHERE instance_id = $1 AND kind = 'timer'`, [instanceId]);

  it('an order not paid within 30 minutes is cancelled and the customer is told', async () => {
    const order = await unpaidOrder('late-payer@example.com');
    expect(order.status).toBe('pending_payment');
    const [deadline] = await deadlineJobs(order.processInstanceId);
    const minutes = (new Date(deadline.run_at).getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);

    await app.running.app.get(DataSource).query(`UPDATE workflow_job SET run_at = now() WHERE id = $1`, [deadline.id]); // 30 minutes pass
    const instance = await eventually(async () => {
      const found = (await app.http.get(`/api/process-instances/${order.processInstanceId}`).set(auth).expect(200)).body;
      return found.status === 'completed' ? found : undefined;
    });
    expect(instance.activity.map((a: { elementId: string }) => a.elementId)).toEqual(
      expect.arrayContaining(['Timer_PaymentDeadline', 'Task_CancelUnpaid', 'Task_NotifyCancelled', 'End_Unpaid']),
    );
    const cancelled = (await app.http.get(`/api/orders/${order.id}`).set(auth).expect(200)).body;
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(cancelled.history.at(-1)).toMatchObject({ from: 'pending_payment', to: 'cancelled', by: 'system', note: 'not paid within the time limit' });

    const mail = await eventually(async () => {
      const found = smtp.messages.find((message) => message.to.includes('late-payer@example.com'));
      return found ? parseMessage(found.raw) : undefined;
    });
    expect(mail.subject).toContain(order.number);
    expect(mail.subject).toContain('已取消');
    expect(mail.text).toContain('超过付款时限未付款，系统已自动取消');
    expect(mail.text).not.toContain('not paid within the time limit');
  });

  it('a payment before the deadline moves the order on and drops the deadline', async () => {
    const order = await unpaidOrder('prompt-payer@example.com');
    await app.http.post(`/api/orders/${order.id}/payments`).set(auth).send({ amount: order.totals.grand, reference: 'BANK-42' }).expect(200);
    await eventually(async () => {
      const found = (await app.http.get(`/api/orders/${order.id}`).set(auth).expect(200)).body;
      return found.status === 'awaiting_shipment' ? found : undefined;
    });
    await eventually(async () => ((await deadlineJobs(order.processInstanceId)).every((job: { status: string }) => job.status !== 'pending') ? true : undefined), {
      what: 'the deadline job to be dropped',
    });
  });
});

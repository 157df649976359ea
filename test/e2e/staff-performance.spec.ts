import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { orderBody, shippedOrder, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

type History = { id: string; from: string | null; to: string; by: string; action: string | null };
type Milestone = [(row: History) => boolean, string];

const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
};

/** The scripted day, in the shop's time zone (Asia/Shanghai, the default). */
const DAY = '2026-03-10';
const at = (time: string, day = DAY) => `${day}T${time.length === 5 ? `${time}:00` : time}+08:00`;

/**
 * G5.3 / issue 14 item 11: a day of work by two operators, done through the API (approve, reject, amend, cancel, a case
 * approved and refunded, a tasklist decision, a logistics alert), then placed on a known day at known times; the report's
 * figures are checked one by one against what the script did.
 */
describe('staff performance report', () => {
  const test = useTestApp();
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);
  const as = (auth: Record<string, string>) => ({
    post: (path: string, body: Record<string, unknown> = {}) => http().post(path).set(auth).send(body),
    patch: (path: string, body: Record<string, unknown>) => http().patch(path).set(auth).send(body),
  });
  const getOrder = async (id: string) => (await http().get(`/api/orders/${id}`).set(test.auth).expect(200)).body as { id: string; status: string; history: Array<{ note: string | null }> };
  const orderIn = (id: string, status: string, held = false) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === status && (!held || order.history.some((entry) => entry.note?.startsWith('held for review'))) ? order : undefined;
    }, { what: `order ${id} to be ${status}` });
  const caseIn = (id: string, status: string) =>
    eventually(async () => ((await http().get(`/api/after-sales/${id}`).set(test.auth).expect(200)).body.status === status ? true : undefined), { what: `case ${id} to be ${status}` });
  const taskOf = (caseNumber: string, elementId: string) =>
    eventually(async () => {
      const items = (await http().get('/api/tasks').query({ status: 'open' }).set(test.auth).expect(200)).body.items as Array<{ id: string; businessKey: string; elementId: string }>;
      return items.find((task) => task.businessKey === caseNumber && task.elementId === elementId);
    }, { what: `the ${elementId} task of ${caseNumber}` });

  /** Gives the rows of an order's or a case's history the times of the script: each row takes the time of the last milestone it reached. */
  async function timeline(table: 'order_status_history' | 'after_sales_case_history', id: string, milestones: Milestone[]) {
    const key = table === 'order_status_history' ? 'order_id' : 'case_id';
    const action = table === 'order_status_history' ? 'action' : 'NULL AS action';
    const rows: History[] = await db().query(`SELECT id, from_status AS "from", to_status AS "to", by, ${action} FROM ${table} WHERE ${key} = $1 ORDER BY id`, [id]);
    let next = 0;
    let time: string | undefined;
    for (const row of rows) {
      if (next < milestones.length && milestones[next][0](row)) time = milestones[next++][1];
      if (!time) throw new Error(`${table} of ${id}: the first row ${JSON.stringify(row)} is no milestone`);
      await db().query(`UPDATE ${table} SET at = $2 WHERE id = $1`, [row.id, time]);
    }
    expect(next).toBe(milestones.length); // every milestone of the script happened
  }
  const intake: Milestone[0] = (row) => row.from === null;
  const did = (action: string): Milestone[0] => (row) => row.action === action;
  const enters = (status: string): Milestone[0] => (row) => row.to === status && row.from !== status;

  let alice: { email: string; auth: Record<string, string> };
  let bob: { email: string; auth: Record<string, string> };

  beforeAll(async () => {
    const user = async (name: string, roles: string[]) => {
      const email = `${unique(name)}@test.local`.toLowerCase();
      const password = `${name} works the orders 2026`;
      await http().post('/api/users').set(test.auth).send({ email, name: name === 'alice' ? '小李' : '=HYPERLINK("http://evil.example")', password, roles }).expect(201);
      return { email, auth: { Authorization: `Bearer ${await test.app.login(email, password)}` } };
    };
    alice = await user('alice', ['operator']);
    bob = await user('bob', ['operator', 'warehouse', 'finance']);
  });

  it('counts each operator\'s reviews, exceptions, cases and tasks of the day and times them from queue entry or claim to done', async () => {
    // orders over 100.00 wait for a person; cheaper ones pass by themselves
    await http().put('/api/settings').set(test.auth).send({ autoReview: { enabled: true, manualReviewAbove: '100.00' } }).expect(200);
    const [sku, none] = [unique('SP'), unique('SP0')];
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 200, [none]: 0 });
    const place = async (lines: Array<{ sku: string; quantity: number }>, overrides: Record<string, unknown> = {}) =>
      (await http().post('/api/orders').set(test.auth).send(orderBody(lines, overrides)).expect(201)).body.id as string;
    const badPhone = { customer: { name: '王五', phone: '12345', email: 'wangwu@example.com' } };

    const o1 = await place([{ sku, quantity: 6 }]);
    const o2 = await place([{ sku, quantity: 6 }]);
    const o3 = await place([{ sku, quantity: 6 }]);
    const o4 = await place([{ sku, quantity: 6 }]);
    const o5 = await place([{ sku, quantity: 1 }], badPhone);
    const o6 = await place([{ sku, quantity: 1 }], badPhone);
    const o7 = await place([{ sku: none, quantity: 1 }]);
    for (const id of [o1, o2, o3, o4]) await orderIn(id, 'pending_review', true);
    for (const id of [o5, o6]) await orderIn(id, 'exception');
    await orderIn(o7, 'awaiting_stock');

    await as(alice.auth).post(`/api/orders/${o1}/approve`).expect(200);
    await as(alice.auth).post(`/api/orders/${o2}/approve`).expect(200);
    await as(alice.auth).post(`/api/orders/${o3}/reject`, { reason: 'address looks wrong' }).expect(200);
    await as(bob.auth).post(`/api/orders/${o3}/approve`).expect(200);
    await as(bob.auth).post(`/api/orders/${o4}/cancel`, { reason: 'customer asked' }).expect(200);
    await as(alice.auth).patch(`/api/orders/${o5}`, { customer: { name: '王五', phone: '13900139000' } }).expect(200);
    await as(bob.auth).patch(`/api/orders/${o6}`, { customer: { name: '王五', phone: '54321' } }).expect(200); // still wrong: flagged again
    await as(alice.auth).post(`/api/orders/${o7}/cancel`, { reason: 'no restock date' }).expect(200);
    for (const id of [o1, o2, o3, o5]) await orderIn(id, 'awaiting_shipment');
    expect((await getOrder(o6)).status).toBe('exception');

    // after-sales: bob approves and refunds one case through the API; alice decides another in the tasklist
    const [s1, s2] = [await shippedOrder(test.app, test.auth, [1]), await shippedOrder(test.app, test.auth, [1])];
    const openCase = async ({ order, skus }: typeof s1) =>
      (await http().post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'refund_only', lines: [{ sku: skus[0], quantity: 1 }], reason: 'late' }).expect(201)).body as { id: string; number: string };
    const [c1, c2] = [await openCase(s1), await openCase(s2)];
    const shipment = s1.order.shipments[0] as { id: string; trackingNumber: string };
    await taskOf(c1.number, 'Task_Review');
    await as(bob.auth).post(`/api/after-sales/${c1.id}/approve`).expect(200);
    await taskOf(c1.number, 'Task_Refund');
    await as(bob.auth).post(`/api/after-sales/${c1.id}/refund`, { amount: '19.90' }).expect(200);
    await caseIn(c1.id, 'closed');
    const review = await taskOf(c2.number, 'Task_Review');
    await as(alice.auth).post(`/api/tasks/${review.id}/claim`).expect(200);
    await as(alice.auth).post(`/api/tasks/${review.id}/complete`, { variables: { approved: true } }).expect(200);
    await caseIn(c2.id, 'approved');

    // a delivery exception reported by the carrier, resolved by bob
    await http().post('/api/carriers/sf/events').set(test.auth)
      .send({ trackingNumber: shipment.trackingNumber, events: [{ at: new Date().toISOString(), status: 'exception', description: 'parcel held at the depot' }] })
      .expect(200);
    const [{ id: alert }] = await db().query(`SELECT id FROM logistics_alert WHERE shipment_id = $1`, [shipment.id]);
    await as(bob.auth).post(`/api/logistics-alerts/${alert}/resolve`).expect(200);

    // the script's clock: when each piece of work entered its queue and when it was done
    await timeline('order_status_history', o1, [[intake, at('09:00')], [did('approve'), at('09:10')]]);
    await timeline('order_status_history', o2, [[intake, at('09:00')], [did('approve'), at('00:30', '2026-03-11')]]); // the next shop day (16:30 UTC)
    await timeline('order_status_history', o3, [[intake, at('09:00')], [did('reject'), at('09:20')], [did('approve'), at('10:00')]]);
    await timeline('order_status_history', o4, [[intake, at('09:00')], [did('cancel'), at('09:30')]]);
    await timeline('order_status_history', o5, [[intake, at('09:00')], [enters('exception'), at('09:05')], [did('amend'), at('09:35')]]);
    await timeline('order_status_history', o6, [[intake, at('09:00')], [enters('exception'), at('09:05')], [did('amend'), at('09:45')]]);
    await timeline('order_status_history', o7, [[intake, at('09:00')], [enters('awaiting_stock'), at('10:00')], [did('cancel'), at('11:00')]]);
    await timeline('after_sales_case_history', c1.id, [[intake, at('09:00')], [enters('approved'), at('12:00')], [enters('refunded'), at('12:30')]]);
    await timeline('after_sales_case_history', c2.id, [[intake, at('09:00')], [enters('approved'), at('13:15:30')]]);
    await db().query(`UPDATE user_task SET created_at = $2, claimed_at = $3, completed_at = $4 WHERE id = $1`, [review.id, at('09:00'), at('13:00'), at('13:15')]);
    await db().query(`UPDATE logistics_alert SET created_at = $2, resolved_at = $3 WHERE id = $1`, [alert, at('14:00'), at('14:45')]);

    const report = (await http().get('/api/reports/staff-performance').query({ from: DAY, to: DAY }).set(alice.auth).expect(200)).body;
    expect(report).toEqual({
      report: 'staff-performance',
      from: DAY,
      to: DAY,
      rows: [
        {
          // O3 approved (40 min, an exception resolved), O4 cancelled (30), O6 amended but flagged again (40), case C1 approved (180) and
          // refunded (30), the alert (45): median of 30 30 40 40 45 180 = 40, p90 = 45 + 0.5 × 135
          operator: bob.email, operatorName: '=HYPERLINK("http://evil.example")', ordersReviewed: 2, ordersApproved: 1, ordersRejected: 0, ordersCancelled: 1,
          exceptionsResolved: 2, casesHandled: 1, tasksCompleted: 0, workItems: 6, medianMinutes: 40, p90Minutes: 112.5,
        },
        {
          // O1 approved (10), O3 rejected (20), O5 amended out of its exception (30), O7 cancelled while waiting for stock (60), the review
          // task from claim to done (15; the case step it applied is not timed twice); O2's approval fell on the next day
          operator: alice.email, operatorName: '小李', ordersReviewed: 2, ordersApproved: 1, ordersRejected: 1, ordersCancelled: 1,
          exceptionsResolved: 2, casesHandled: 1, tasksCompleted: 1, workItems: 5, medianMinutes: 20, p90Minutes: 48,
        },
      ],
    });

    const nextDay = (await http().get('/api/reports/staff-performance').query({ from: '2026-03-11', to: '2026-03-11' }).set(test.auth).expect(200)).body;
    expect(nextDay.rows).toEqual([expect.objectContaining({ operator: alice.email, ordersReviewed: 1, ordersApproved: 1, workItems: 1, medianMinutes: 930, p90Minutes: 930 })]);
    const before = (await http().get('/api/reports/staff-performance').query({ from: '2026-03-09', to: '2026-03-09' }).set(test.auth).expect(200)).body;
    expect(before.rows).toEqual([]);

    // CSV: the header of the JSON fields, a name that looks like a formula as text; XLSX: numbers as numbers
    const csv = (await http().get('/api/reports/staff-performance').query({ from: DAY, to: DAY, format: 'csv' }).set(test.auth).buffer(true).parse(binary).expect(200));
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="staff-performance_${DAY}_${DAY}.csv"`);
    const lines = (csv.body as Buffer).subarray(3).toString('utf8').trim().split('\n');
    expect(lines).toEqual([
      'operator,operatorName,ordersReviewed,ordersApproved,ordersRejected,ordersCancelled,exceptionsResolved,casesHandled,tasksCompleted,workItems,medianMinutes,p90Minutes',
      `${bob.email},"'=HYPERLINK(""http://evil.example"")",2,1,0,1,2,1,0,6,40,112.5`,
      `${alice.email},小李,2,1,1,1,2,1,1,5,20,48`,
    ]);
    const xlsx = await http().get('/api/reports/staff-performance').query({ from: DAY, to: DAY, format: 'xlsx' }).set(test.auth).buffer(true).parse(binary).expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(String(sheet.getCell('A1').value)).toContain('员工绩效');
    expect(sheet.getRow(4).values).toEqual([undefined, alice.email, '小李', 2, 1, 1, 1, 2, 1, 1, 5, 20, 48]);
    expect(sheet.getCell('L3').type).toBe(ExcelJS.ValueType.Number);
    expect(sheet.getCell('B3').type).toBe(ExcelJS.ValueType.String);
  });

  it('takes the same range checks and permission as the other reports', async () => {
    const get = (query: Record<string, string>, auth = test.auth) => http().get('/api/reports/staff-performance').query(query).set(auth);
    expect((await get({ from: '2026-03-02', to: '2026-03-01' }).expect(422)).body.error.details[0].path).toBe('to');
    expect((await get({ from: '2025-01-01', to: '2026-01-02' }).expect(422)).body.error.details[0].path).toBe('from');
    expect((await get({ format: 'pdf' }).expect(422)).body.error.code).toBe('validation_failed');
    const email = `${unique('wh')}@test.local`.toLowerCase();
    await http().post('/api/users').set(test.auth).send({ email, name: 'wh', password: 'warehouse keeps stock 2026', roles: ['warehouse'] }).expect(201);
    const token = await test.app.login(email, 'warehouse keeps stock 2026');
    expect((await get({}, { Authorization: `Bearer ${token}` }).expect(403)).body.error.code).toBe('forbidden');
    expect((await get({}).expect(200)).body).toMatchObject({ report: 'staff-performance', rows: expect.any(Array) });
  });
});

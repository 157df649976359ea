import { DataSource } from 'typeorm';
import { adminSignInWithRole, useAdminApp } from '../helpers/admin-session';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually } from '../helpers/test-app';

// a whole 1 × 1 PNG: uploads are decoded in full (issue 11 item 7)
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154089963f8ffffff7f0009fb03fd08d1e81e0000000049454e44ae426082', 'hex');

type CaseRecord = { id: string; params: { [key: string]: unknown; detail: Detail }; populated?: { [key: string]: { params: { number: string } } }; recordActions: Array<{ name: string }> };
type Detail = { [key: string]: unknown; history: Array<{ from: string | null; to: string; by: string; note: string | null }> };
type Answer = { record: CaseRecord; notice?: { type: string; message: string }; fieldErrors?: { [path: string]: string }; redirectUrl?: string; form?: Form };
type Form = { title: string; values: { [key: string]: unknown }; sections: Array<{ fields: Array<{ name: string; options?: Array<{ value: string }> }> }>; blocked?: string };

/** G1.6 / issue 6 item 7: the after-sales queue, the case page and its steps in the AdminJS back office. */
describe('after-sales in the admin', () => {
  const admin = useAdminApp();
  let app: typeof admin.app;
  let auth: typeof admin.auth;
  let adminCookie: string;
  beforeAll(() => ({ app, auth, adminCookie } = admin));

  const db = () => app.running.app.get(DataSource);
  const token = () => auth.Authorization.slice('Bearer '.length);
  const userWithRole = (role: string) => adminSignInWithRole(app, role);

  const getOrder = async (id: string) => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
  const getCase = async (id: string) => (await app.http.get(`/api/after-sales/${id}`).set(auth).expect(200)).body;
  const waitFor = <T>(read: () => Promise<T & { status: string }>, status: string, what: string) =>
    eventually(async () => {
      const now = await read();
      return now.status === status ? now : undefined;
    }, { what: `${what} to be ${status}` });
  /** A paid order (19.90 a unit) of fresh SKUs, shipped from a fresh warehouse. */
  const shippedOrder = async (quantities: number[]) => {
    const skus = quantities.map(() => unique('AAS'));
    const { warehouse } = await stockedCatalogue(app, token(), Object.fromEntries(skus.map((sku) => [sku, 10])));
    const created = await app.http.post('/api/orders').set(auth).send(orderBody(skus.map((sku, i) => ({ sku, quantity: quantities[i] })))).expect(201);
    await waitFor(() => getOrder(created.body.id), 'awaiting_shipment', 'the order');
    await app.http.post(`/api/orders/${created.body.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: unique('SF').slice(0, 30) }).expect(200);
    return { id: created.body.id as string, number: created.body.number as string, skus, warehouse };
  };
  /** A case opened through the API on a new shipped order of one SKU, two units. */
  const openedCase = async (type = 'return', body: { [key: string]: unknown } = {}) => {
    const order = await shippedOrder([2]);
    const opened = await app.http.post(`/api/orders/${order.id}/after-sales`).set(auth).send({ type, lines: [{ sku: order.skus[0], quantity: 2 }], reason: 'does not fit', ...body }).expect(201);
    return { order, view: opened.body as { id: string; number: string; processInstanceId: string } };
  };

  const caseUrl = (id: string, action: string) => `/admin/api/resources/AfterSalesCase/records/${id}/${action}`;
  const openForm = async (id: string, action: string, cookie = adminCookie): Promise<Form> => {
    const answer = (await app.http.get(caseUrl(id, action)).set('Cookie', cookie).expect(200)).body as Answer;
    if (!answer.form) throw new Error(`no form for ${action}: ${JSON.stringify(answer.notice)}`);
    return answer.form;
  };
  const submit = async (id: string, action: string, form: { [key: string]: string }, cookie = adminCookie): Promise<Answer> =>
    (await app.http.post(caseUrl(id, action)).type('form').send(form).set('Cookie', cookie).expect(200)).body;
  const shown = async (id: string, cookie = adminCookie): Promise<CaseRecord> => (await app.http.get(caseUrl(id, 'show')).set('Cookie', cookie).expect(200)).body.record;
  const buttons = (record: CaseRecord) => record.recordActions.map((action) => action.name);
  const STEPS = ['approve', 'reject', 'receive', 'inspect', 'refund', 'close'];
  const steps = (record: CaseRecord) => buttons(record).filter((name) => STEPS.includes(name));
  const list = async (filters: { [key: string]: string }, cookie = adminCookie) =>
    (
      await app.http
        .get('/admin/api/resources/AfterSalesCase/actions/list')
        .query(Object.fromEntries(Object.entries(filters).map(([key, value]) => [`filters.${key}`, value])))
        .set('Cookie', cookie)
        .expect(200)
    ).body as { records: CaseRecord[]; meta: { total: number }; notice?: { type: string; message: string } };
  const ids = (body: { records: CaseRecord[] }) => body.records.map((record) => record.id);

  it('opens a case from a shipped order’s page: the form lists the shipped lines, bad input is field errors beside its row, then the new case shows', async () => {
    const order = await shippedOrder([2, 1]);
    const orderAction = `/admin/api/resources/Order/records/${order.id}/openCase`;
    const orderShown = (await app.http.get(`/admin/api/resources/Order/records/${order.id}/show`).set('Cookie', adminCookie).expect(200)).body.record as CaseRecord;
    expect(buttons(orderShown)).toContain('openCase');

    const { form } = (await app.http.get(orderAction).set('Cookie', adminCookie).expect(200)).body as Answer;
    expect(form?.values).toEqual({
      type: '',
      lines: [
        { sku: order.skus[0], name: `Product ${order.skus[0]}`, shipped: 2 },
        { sku: order.skus[1], name: `Product ${order.skus[1]}`, shipped: 1 },
      ],
    });
    expect(form?.sections[0].fields.find((field) => field.name === 'type')?.options?.map((option) => option.value)).toEqual(['', 'return', 'exchange', 'refund_only', 'lost', 'damaged', 'wrong_item', 'missing_item']);
    const post = async (fields: { [key: string]: string }) => (await app.http.post(orderAction).type('form').send(fields).set('Cookie', adminCookie).expect(200)).body as Answer;
    const rows = (first: string, second: string) => ({ 'lines.0.sku': order.skus[0], 'lines.0.quantity': first, 'lines.1.sku': order.skus[1], 'lines.1.quantity': second });

    const empty = await post({ type: '', ...rows('', ''), reason: '' });
    expect(empty.notice?.type).toBe('error');
    expect(empty.fieldErrors).toEqual({ type: 'is required', lines: 'must name at least one line', reason: 'is required' });
    // the first row is left out; the service's problem with the second comes back on the second row
    const tooMany = await post({ type: 'return', ...rows('', '3'), reason: 'too small' });
    expect(tooMany.fieldErrors).toEqual({ 'lines.1.quantity': expect.stringContaining('more than the 1 left') });
    expect((await app.http.get('/api/after-sales').query({ orderId: order.id }).set(auth).expect(200)).body.total).toBe(0);

    const opened = await post({ type: 'exchange', ...rows('', '1'), reason: 'wrong colour', description: 'ordered blue, got red' });
    expect(opened.notice).toMatchObject({ type: 'success', message: expect.stringMatching(/^Case AS\d{12} \(exchange\) opened on order/) });
    const caseId = /AfterSalesCase\/records\/([^/]+)\/show$/.exec(opened.redirectUrl ?? '')?.[1] as string;
    expect(await getCase(caseId)).toMatchObject({ orderId: order.id, type: 'exchange', status: 'requested', lines: [{ sku: order.skus[1], quantity: 1, name: expect.any(String) }], description: 'ordered blue, got red' });
    expect((await getCase(caseId)).history[0]).toMatchObject({ by: ADMIN_EMAIL });

    // not before the goods left
    const placed = await app.http.post('/api/orders').set(auth).send(orderBody([{ sku: order.skus[0], quantity: 1 }])).expect(201);
    const waiting = (await app.http.get(`/admin/api/resources/Order/records/${placed.body.id}/show`).set('Cookie', adminCookie).expect(200)).body.record as CaseRecord;
    expect(buttons(waiting)).not.toContain('openCase');
  });

  it('lists the queue newest first with number, type, status, order, owner, SLA and overdue, filtered as GET /api/after-sales filters', async () => {
    const first = await openedCase('return');
    const second = await openedCase('refund_only');
    await app.http.post(`/api/after-sales/${second.view.id}/approve`).set(auth).send({ owner: 'lead@test.local' }).expect(200);

    const all = await list({});
    expect(ids(all).slice(0, 2)).toEqual([second.view.id, first.view.id]);
    const [row] = all.records;
    expect(row.params).toMatchObject({ number: second.view.number, type: 'refund_only', status: 'approved', orderId: second.order.id, owner: 'lead@test.local', overdue: false, slaDueAt: expect.any(String) });
    expect(row.populated?.orderId.params.number).toBe(second.order.number);

    expect(ids(await list({ orderId: first.order.number }))).toEqual([first.view.id]);
    expect(ids(await list({ orderId: first.order.id }))).toEqual([first.view.id]);
    expect(ids(await list({ orderId: second.order.id, status: 'requested' }))).toEqual([]);
    expect(ids(await list({ orderId: second.order.id, status: 'requested,approved', type: 'refund_only' }))).toEqual([second.view.id]);
    expect(ids(await list({ orderId: first.order.id, type: 'refund_only' }))).toEqual([]);
    expect(ids(await list({ owner: 'lead@test.local' }))).toEqual([second.view.id]);

    expect(ids(await list({ orderId: first.order.id, overdue: 'true' }))).toEqual([]);
    await db().query(`UPDATE after_sales_case SET sla_due_at = now() - interval '1 hour' WHERE id = $1`, [first.view.id]);
    const overdue = await list({ overdue: 'true' });
    expect(ids(overdue)).toContain(first.view.id);
    expect(ids(overdue)).not.toContain(second.view.id);
    expect(overdue.records.find((record) => record.id === first.view.id)?.params.overdue).toBe(true);
    expect(ids(await list({ orderId: first.order.id, overdue: 'false' }))).toEqual([]);

    // a bad filter is a notice, never a failed request
    expect(await list({ status: 'lost' })).toMatchObject({ records: [], notice: { type: 'error', message: expect.stringContaining('Unknown case status lost') } });
    expect((await list({ overdue: 'maybe' })).notice?.message).toContain('true or false');
    expect((await list({ type: 'refund' })).notice?.message).toContain('Unknown case type refund');
  });

  it('counts open and overdue cases on the dashboard, each linking to the case list filtered the same way', async () => {
    const { view } = await openedCase('damaged');
    await db().query(`UPDATE after_sales_case SET sla_due_at = now() - interval '1 hour' WHERE id = $1`, [view.id]);
    const dashboard = (await app.http.get('/admin/api/dashboard').set('Cookie', adminCookie).expect(200)).body;
    const [open, overdue] = dashboard.counts.afterSales as Array<{ label: string; count: number; url: string }>;
    expect(open).toMatchObject({ label: 'Open after-sales cases', url: expect.stringMatching(/^\/admin\/resources\/AfterSalesCase\/actions\/list\?filters\.status=requested%2Capproved/) });
    expect(overdue).toEqual({ label: 'Overdue after-sales cases', count: expect.any(Number), url: '/admin/resources/AfterSalesCase/actions/list?filters.overdue=true' });
    expect(overdue.count).toBeGreaterThanOrEqual(1);
    for (const queue of [open, overdue]) {
      const filters = Object.fromEntries([...new URLSearchParams(queue.url.split('?')[1])].map(([key, value]) => [key.slice('filters.'.length), value]));
      expect((await list(filters)).meta.total).toBe(queue.count);
    }
    expect(dashboard.counts.statuses.length).toBeGreaterThan(0); // the order figures are still there
  });

  it('shows a case with its lines, type and path, reason, owner, SLA, evidence, history, its order and its process instance', async () => {
    const { order, view } = await openedCase('return', { description: 'the left shoe is too small' });
    const attached = await app.http.post(`/api/after-sales/${view.id}/attachments`).set(auth).attach('file', PNG, 'box.png').expect(201);
    const attachment = attached.body.attachments[0] as { id: string };
    const record = await shown(view.id);
    const { detail } = record.params;
    expect(detail).toMatchObject({
      id: view.id,
      number: view.number,
      type: 'return',
      status: 'requested',
      path: { needsReturn: true, resolution: 'refund' },
      reason: 'does not fit',
      description: 'the left shoe is too small',
      lines: [{ sku: order.skus[0], name: `Product ${order.skus[0]}`, quantity: 2 }],
      owner: null,
      openedBy: ADMIN_EMAIL,
      sla: { dueAt: expect.any(String), overdue: false, escalatedAt: null },
      inspection: null,
      refund: null,
      refundable: '39.80',
      replacementShipments: [],
      order: { id: order.id, number: order.number, url: `/admin/resources/Order/records/${order.id}/show` },
      process: {
        instanceId: view.processInstanceId,
        diagramUrl: `/admin/workflow-ui/instance?id=${view.processInstanceId}`,
        recordUrl: `/admin/resources/ProcessInstance/records/${view.processInstanceId}/show`,
      },
    });
    expect(detail.attachments).toEqual([
      expect.objectContaining({ fileName: 'box.png', contentType: 'image/png', sizeBytes: PNG.length, url: `/admin/after-sales/cases/${view.id}/attachments/${attachment.id}` }),
    ]);
    expect(detail.history.map((entry) => [entry.from, entry.to, entry.by])).toEqual([
      [null, 'requested', ADMIN_EMAIL],
      ['requested', 'requested', ADMIN_EMAIL], // evidence attached
    ]);
    expect(steps(record).sort()).toEqual(['approve', 'close', 'reject']);

    // "Open diagram": the process instance, waiting at the review (its current step)
    const diagram = (await app.http.get(caseUrl(view.id, 'openDiagram')).set('Cookie', adminCookie).expect(200)).body as Answer;
    expect(diagram.redirectUrl).toBe(`/admin/workflow-ui/instance?id=${view.processInstanceId}`);
    const instance = await eventually(async () => {
      const body = (await app.http.get(`/api/process-instances/${view.processInstanceId}`).set(auth).expect(200)).body;
      return body.waitingAt?.some((wait: { elementId: string }) => wait.elementId === 'Task_Review') ? body : undefined;
    }, { what: 'the case to wait for review' });
    expect(instance.definitionKey).toBe('after-sales');

    // the evidence opens with the admin session (the API's route wants a bearer token)
    const url = (detail.attachments as Array<{ url: string }>)[0].url;
    const file = await app.http.get(url).set('Cookie', adminCookie).buffer(true).parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200).expect('Content-Type', 'image/png').expect('X-Content-Type-Options', 'nosniff');
    expect(Buffer.compare(file.body as Buffer, PNG)).toBe(0);
    await app.http.get(url).expect(302).expect('Location', '/admin/login');
    await app.http.get(`/admin/after-sales/cases/${view.id}/attachments/${view.id}`).set('Cookie', adminCookie).expect(404);
    const analyst = await userWithRole('analyst'); // no aftersales.read
    await app.http.get(url).set('Cookie', analyst).expect(403);
  });

  it('works a return through its buttons: approve with an owner, receive where it was shipped from, QC, refund prefilled with what is left, closed by its process', async () => {
    const { order, view } = await openedCase('return');

    const approveForm = await openForm(view.id, 'approve');
    expect(approveForm.sections[0].fields.map((field) => field.name)).toEqual(['owner', 'note']);
    const approved = await submit(view.id, 'approve', { owner: 'cs-lead@test.local', note: 'photos look fine' });
    expect(approved.notice).toMatchObject({ type: 'success', message: `Case ${view.number} approved; cs-lead@test.local owns it, it is now approved` });
    expect(approved.redirectUrl).toBe(`/admin/resources/AfterSalesCase/records/${view.id}/show`);
    expect(approved.record.params.detail).toMatchObject({ status: 'approved', owner: 'cs-lead@test.local' });
    expect(steps(approved.record)).toEqual(['receive']);

    const receiveForm = await openForm(view.id, 'receive');
    expect(receiveForm.values).toEqual({ warehouse: order.warehouse });
    expect(receiveForm.sections[0].fields[0].options?.map((option) => option.value)).toContain(order.warehouse);
    const received = await submit(view.id, 'receive', { warehouse: order.warehouse, notes: 'box dented' });
    expect(received.record.params.detail).toMatchObject({ status: 'received', receivedWarehouse: order.warehouse });
    expect(steps(received.record)).toEqual(['inspect']);

    expect((await submit(view.id, 'inspect', { result: '' })).fieldErrors).toEqual({ result: 'is required' });
    const inspected = await submit(view.id, 'inspect', { result: 'pass', notes: 'unworn' });
    expect(inspected.record.params.detail).toMatchObject({ status: 'inspected', inspection: { result: 'pass', notes: 'unworn' } });
    expect(steps(inspected.record)).toEqual(['refund']);

    const refundForm = await openForm(view.id, 'refund');
    expect(refundForm.values).toEqual({ amount: '39.80' });
    const tooMuch = await submit(view.id, 'refund', { amount: '39.81' });
    expect(tooMuch.notice?.type).toBe('error');
    expect(tooMuch.fieldErrors).toEqual({ amount: expect.stringContaining('39.80') });
    expect((await getCase(view.id)).status).toBe('inspected');
    const refunded = await submit(view.id, 'refund', { amount: '39.8', reference: 'RF-20261201-1' });
    expect(refunded.notice).toMatchObject({ type: 'success', message: expect.stringContaining('39.80 refunded') });
    expect(refunded.record.params.detail).toMatchObject({ refund: { amount: '39.80', reference: 'RF-20261201-1' }, refundable: '0.00' });

    const closed = await waitFor(() => getCase(view.id), 'closed', 'the case');
    expect(closed.history.map((entry: { to: string }) => entry.to)).toEqual(['requested', 'approved', 'received', 'inspected', 'refunded', 'closed']);
    expect(closed.history[1]).toMatchObject({ by: ADMIN_EMAIL, note: 'photos look fine' });
    expect(steps(await shown(view.id))).toEqual([]);
  });

  it('rejecting needs a reason; a refused step comes back as a notice and changes nothing; a rejected case is closed with a note', async () => {
    const { view } = await openedCase('lost');
    const noReason = await submit(view.id, 'reject', { reason: '  ' });
    expect(noReason.notice?.type).toBe('error');
    expect(noReason.fieldErrors).toEqual({ reason: 'is required' });
    expect((await getCase(view.id)).status).toBe('requested');

    // receive is no step of a lost parcel: the service says why
    const refused = await submit(view.id, 'receive', { warehouse: 'NOWHERE' });
    expect(refused.notice).toMatchObject({ type: 'error', message: expect.stringContaining('no goods come back') });
    expect(refused.record.params.detail).toMatchObject({ status: 'requested' });

    const rejected = await submit(view.id, 'reject', { reason: 'the parcel was delivered, signed by the customer' });
    expect(rejected.notice).toMatchObject({ type: 'success', message: `Case ${view.number} rejected; it is now rejected` });
    expect(steps(rejected.record)).toEqual(['close']);
    const closed = await submit(view.id, 'close', { note: 'customer informed' });
    expect(closed.record.params.detail).toMatchObject({ status: 'closed', closedAt: expect.any(String) });
    expect((await getCase(view.id)).history.at(-1)).toMatchObject({ from: 'rejected', to: 'closed', by: ADMIN_EMAIL, note: 'customer informed' });
  });

  it('shows each role only the steps its API routes allow, and checks the permission again when acting', async () => {
    const { order, view } = await openedCase('return');
    await app.http.post(`/api/after-sales/${view.id}/approve`).set(auth).send({}).expect(200);
    const warehouse = await userWithRole('warehouse');
    const finance = await userWithRole('finance');

    // the warehouse receives and inspects, never approves, refunds or opens cases
    const seenByWarehouse = await shown(view.id, warehouse);
    expect(steps(seenByWarehouse)).toEqual(['receive']);
    expect(seenByWarehouse.params.detail).toMatchObject({ process: { diagramUrl: null, recordUrl: null } }); // no workflows.read
    expect(steps(await shown(view.id, finance))).toEqual([]);
    await submit(view.id, 'receive', {}, warehouse);
    expect(steps(await shown(view.id, warehouse))).toEqual(['inspect']);
    await submit(view.id, 'inspect', { result: 'pass' }, warehouse);
    expect((await getCase(view.id)).status).toBe('inspected');
    expect(steps(await shown(view.id, warehouse))).toEqual([]);
    const orderSeenByWarehouse = (await app.http.get(`/admin/api/resources/Order/records/${order.id}/show`).set('Cookie', warehouse).expect(200)).body.record as CaseRecord;
    expect(buttons(orderSeenByWarehouse)).not.toContain('openCase');

    // a refund sent anyway is refused
    const forged = await app.http.post(caseUrl(view.id, 'refund')).type('form').send({ amount: '1.00' }).set('Cookie', warehouse);
    expect(forged.status === 403 || forged.body.notice?.type === 'error').toBe(true);
    expect((await getCase(view.id)).refund).toBeNull();

    // finance refunds
    expect(steps(await shown(view.id, finance))).toEqual(['refund']);
    const refunded = await submit(view.id, 'refund', { amount: '10.00' }, finance);
    expect(refunded.notice?.type).toBe('success');
    expect((await getCase(view.id)).refund).toMatchObject({ amount: '10.00' });

    // and the queue is there for everyone who reads cases, with the dashboard's after-sales figures
    expect(ids(await list({ orderId: order.id }, warehouse))).toEqual([view.id]);
    expect((await app.http.get('/admin/api/dashboard').set('Cookie', finance).expect(200)).body.counts.afterSales).toHaveLength(2);
  });
});

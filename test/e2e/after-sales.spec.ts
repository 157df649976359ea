import { DataSource } from 'typeorm';
import { orderBody, shippedOrder as shipOrder, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually, useTestApp } from '../helpers/test-app';

type Line = { sku: string; quantity: number };
type Order = { id: string; number: string; status: string; lines: Array<Line & { shipped: number }>; shipments: Array<{ id: string; warehouse: string; status: string }> };
type Case = {
  id: string;
  number: string;
  orderId: string;
  type: string;
  status: string;
  lines: Array<Line & { name: string }>;
  refund: { amount: string } | null;
  refundable: string;
  inspection: { result: string } | null;
  receivedWarehouse: string | null;
  replacementShipments: Array<{ id: string; warehouse: string; status: string; lines: Line[] }>;
  attachments: Array<{ id: string; fileName: string }>;
  history: Array<{ from: string | null; to: string; by: string; note: string | null }>;
  processInstanceId: string;
  slaDueAt: string | null;
  escalatedAt: string | null;
};

/** API.md "After-sales" (G1.6, issue 6): every case type's path through workflows/after-sales.bpmn, on the real PostgreSQL. */
describe('after-sales cases', () => {
  const test = useTestApp();
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);

  const getOrder = async (id: string): Promise<Order> => (await http().get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const getCase = async (id: string): Promise<Case> => (await http().get(`/api/after-sales/${id}`).set(test.auth).expect(200)).body;
  const waitForOrder = (id: string, status: string) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === status ? order : undefined;
    }, { what: `order ${id} to be ${status}` });
  const shippedOrder = (quantities: number[], stock = 10) => shipOrder(test.app, test.auth, quantities, stock);
  const open = (orderId: string, body: Record<string, unknown>) => http().post(`/api/orders/${orderId}/after-sales`).set(test.auth).send(body);
  const act = (caseId: string, action: string, body: Record<string, unknown> = {}) => http().post(`/api/after-sales/${caseId}/${action}`).set(test.auth).send(body);
  const waitingAt = (instanceId: string, elementId: string) =>
    eventually(async () => {
      const body = (await http().get(`/api/process-instances/${instanceId}`).set(test.auth).expect(200)).body;
      return (body.waitingAt as Array<{ elementId: string }>).some((wait) => wait.elementId === elementId) ? body : undefined;
    }, { what: `process ${instanceId} to wait at ${elementId}` });
  const processEnded = (instanceId: string) =>
    eventually(async () => {
      const body = (await http().get(`/api/process-instances/${instanceId}`).set(test.auth).expect(200)).body;
      return ['completed', 'terminated'].includes(body.status) ? body : undefined;
    }, { what: `process ${instanceId} to end` });
  const level = async (sku: string, warehouse: string) => (await http().get('/api/inventory').query({ sku, warehouse }).set(test.auth).expect(200)).body.items[0];
  const ledger = async (sku: string) =>
    (await db().query(`SELECT kind, on_hand_delta AS "onHand", reference FROM stock_movement WHERE sku = $1 ORDER BY id`, [sku])) as Array<{ kind: string; onHand: number; reference: string | null }>;
  const caseNow = (id: string, status: string) =>
    eventually(async () => {
      const view = await getCase(id);
      return view.status === status ? view : undefined;
    }, { what: `case ${id} to be ${status}` });

  it('a return: review, receipt, QC pass restocks through the ledger, the refund, and the diagram closes the case', async () => {
    const { order, skus, warehouse } = await shippedOrder([2]);
    const opened = await open(order.number, { type: 'return', lines: [{ sku: skus[0], quantity: 2 }], reason: '尺码不合适', description: 'too small' }).expect(201);
    const view = opened.body as Case;
    expect(view).toMatchObject({ number: expect.stringMatching(/^AS\d{12}$/), orderId: order.id, type: 'return', status: 'requested', refund: null, refundable: '39.80' });
    expect(view.lines).toEqual([{ sku: skus[0], name: expect.any(String), quantity: 2 }]);
    expect(Date.parse(view.slaDueAt!)).toBeGreaterThan(Date.now() + 23 * 3_600_000); // the review SLA of the settings: 24 h
    await waitingAt(view.processInstanceId, 'Task_Review');
    const tasks = (await http().get('/api/tasks').query({ role: 'operator' }).set(test.auth).expect(200)).body.items as Array<{ businessKey: string; elementId: string }>;
    expect(tasks).toContainEqual(expect.objectContaining({ businessKey: view.number, elementId: 'Task_Review' }));

    expect((await act(view.id, 'approve').expect(200)).body.status).toBe('approved');
    await waitingAt(view.processInstanceId, 'Task_Receive');
    // the review task was answered by the API: it left the tasklist
    const after = (await http().get('/api/tasks').query({ status: 'cancelled' }).set(test.auth).expect(200)).body.items as Array<{ businessKey: string; elementId: string }>;
    expect(after).toContainEqual(expect.objectContaining({ businessKey: view.number, elementId: 'Task_Review' }));

    expect((await act(view.id, 'refund', { amount: '39.80' }).expect(409)).body.error.code).toBe('invalid_state'); // not before QC
    expect((await act(view.id, 'receive').expect(200)).body).toMatchObject({ status: 'received', receivedWarehouse: warehouse });
    await waitingAt(view.processInstanceId, 'Task_Inspect');
    const before = await level(skus[0], warehouse);
    const inspected = (await act(view.id, 'inspect', { result: 'pass', notes: 'unworn, tags on' }).expect(200)).body as Case;
    expect(inspected).toMatchObject({ status: 'inspected', inspection: { result: 'pass' } });
    expect(await level(skus[0], warehouse)).toMatchObject({ onHand: before.onHand + 2 });
    expect((await ledger(skus[0])).filter((m) => m.kind === 'return')).toEqual([{ kind: 'return', onHand: 2, reference: `case:${view.id}` }]);

    await waitingAt(view.processInstanceId, 'Task_Refund');
    const over = await act(view.id, 'refund', { amount: '39.81' }).expect(422);
    expect(over.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'amount', message: expect.stringContaining('39.80') }] });
    expect((await getCase(view.id)).status).toBe('inspected');
    expect((await act(view.id, 'refund', { amount: '39.8' }).expect(200)).body).toMatchObject({ status: 'refunded', refund: { amount: '39.80' }, refundable: '0.00' });
    const closed = await caseNow(view.id, 'closed');
    expect(closed.history.map((h) => h.to)).toEqual(['requested', 'approved', 'received', 'inspected', 'refunded', 'closed']);
    const instance = await processEnded(view.processInstanceId);
    expect(instance.status).toBe('completed');
    expect(instance.activity.map((a: { elementId: string }) => a.elementId)).toEqual(
      expect.arrayContaining(['Msg_Reviewed', 'Msg_Received', 'Msg_Inspected', 'Msg_Refunded', 'Task_CloseCase', 'End_Closed']),
    );
  });

  it('a failed QC quarantines the goods: no restock in the ledger, no refund, the case closes', async () => {
    const { order, skus, warehouse } = await shippedOrder([1]);
    const view = (await open(order.id, { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'changed my mind' }).expect(201)).body as Case;
    await act(view.id, 'approve').expect(200);
    await act(view.id, 'receive', { warehouse }).expect(200);
    const before = await level(skus[0], warehouse);
    expect((await act(view.id, 'inspect', { result: 'fail', notes: 'worn, stained' }).expect(200)).body).toMatchObject({ status: 'inspected', inspection: { result: 'fail' } });
    expect(await level(skus[0], warehouse)).toEqual(before);
    expect((await ledger(skus[0])).filter((m) => m.kind === 'return')).toEqual([]);
    expect(await db().query(`SELECT sku, quantity FROM stock_quarantine WHERE reference = $1`, [`case:${view.id}`])).toEqual([{ sku: skus[0], quantity: 1 }]);
    const closed = await caseNow(view.id, 'closed');
    expect(closed.refund).toBeNull();
    await act(view.id, 'refund', { amount: '1.00' }).expect(409);
  });

  it('an exchange reserves the replacement like an order, ships it through pack and ship, and closes when it left', async () => {
    const { order, skus, warehouse } = await shippedOrder([1], 3);
    const view = (await open(order.id, { type: 'exchange', lines: [{ sku: skus[0], quantity: 1 }], reason: 'wrong colour' }).expect(201)).body as Case;
    await act(view.id, 'approve').expect(200);
    await act(view.id, 'receive').expect(200);
    await act(view.id, 'inspect', { result: 'pass' }).expect(200);
    // 3 on hand - 1 shipped + 1 returned = 3; the replacement reserves 1 of them
    const reserved = await eventually(async () => {
      const now = await getCase(view.id);
      return now.replacementShipments.length ? now : undefined;
    }, { what: 'the replacement shipment' });
    const [shipment] = reserved.replacementShipments;
    expect(shipment).toMatchObject({ warehouse, status: 'allocated', lines: [{ sku: skus[0], quantity: 1 }] });
    expect(await level(skus[0], warehouse)).toMatchObject({ onHand: 3, reserved: 1, available: 2 });
    // the order's own shipments and status are untouched by the replacement
    expect((await getOrder(order.id)).shipments.map((s) => s.id)).not.toContain(shipment.id);
    await act(view.id, 'refund', { amount: '1.00' }).expect(409);

    await http().post(`/api/shipments/${shipment.id}/pack`).set(test.auth).expect(200);
    await http().post(`/api/shipments/${shipment.id}/ship`).set(test.auth).send({ carrier: 'zto', trackingNumber: unique('ZT').slice(0, 30) }).expect(200);
    expect(await level(skus[0], warehouse)).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
    expect((await ledger(skus[0])).filter((m) => m.reference === `case:${view.id}`).map((m) => m.kind)).toEqual(['return', 'reservation', 'outbound']);
    const closed = await caseNow(view.id, 'closed');
    expect(closed.history.map((h) => h.to).filter((to, i, all) => all.indexOf(to) === i)).toEqual(['requested', 'approved', 'received', 'inspected', 'replacement_shipped', 'closed']);
    expect((await getOrder(order.id)).status).toBe('shipped');
  });

  it('a missing item is sent again without anything coming back; wrong_item comes back first', async () => {
    const { order, skus, warehouse } = await shippedOrder([2, 1], 5);
    const missing = (await open(order.id, { type: 'missing_item', lines: [{ sku: skus[0], quantity: 1 }], reason: 'only one in the box' }).expect(201)).body as Case;
    await act(missing.id, 'receive').expect(409); // nothing comes back before approval, nor after
    await act(missing.id, 'approve').expect(200);
    expect((await act(missing.id, 'receive').expect(409)).body.error.message).toContain('no goods come back');
    const withShipment = await eventually(async () => {
      const now = await getCase(missing.id);
      return now.replacementShipments.length ? now : undefined;
    }, { what: 'the missing item to be reserved' });
    expect(withShipment.replacementShipments[0]).toMatchObject({ warehouse, lines: [{ sku: skus[0], quantity: 1 }] });

    const wrong = (await open(order.id, { type: 'wrong_item', lines: [{ sku: skus[1], quantity: 1 }], reason: 'received another tea' }).expect(201)).body as Case;
    await act(wrong.id, 'approve').expect(200);
    await waitingAt(wrong.processInstanceId, 'Task_Receive');
    expect((await getCase(wrong.id)).replacementShipments).toEqual([]);
    // the wrong item comes back and passes QC: then the right one is sent
    await act(wrong.id, 'receive').expect(200);
    await act(wrong.id, 'inspect', { result: 'pass' }).expect(200);
    const replaced = await eventually(async () => {
      const now = await getCase(wrong.id);
      return now.replacementShipments.length ? now : undefined;
    }, { what: 'the right item to be reserved' });
    expect(replaced.replacementShipments[0]).toMatchObject({ status: 'allocated', lines: [{ sku: skus[1], quantity: 1 }] });
  });

  it('refund_only, lost and damaged are refunded after approval; refunds of one order never exceed what was paid', async () => {
    const { order, skus } = await shippedOrder([3]);
    const first = (await open(order.id, { type: 'refund_only', lines: [{ sku: skus[0], quantity: 1 }], reason: 'price protection' }).expect(201)).body as Case;
    const second = (await open(order.id, { type: 'lost', lines: [{ sku: skus[0], quantity: 2 }], reason: 'parcel lost in transit' }).expect(201)).body as Case;
    await act(first.id, 'approve').expect(200);
    await act(second.id, 'approve').expect(200);
    await waitingAt(first.processInstanceId, 'Task_Refund');
    expect((await act(first.id, 'refund', { amount: '20.00' }).expect(200)).body.refundable).toBe('39.70');
    // paid 59.70, 20.00 refunded: 39.71 is more than is left
    expect((await act(second.id, 'refund', { amount: '39.71' }).expect(422)).body.error.details[0]).toMatchObject({ path: 'amount', message: expect.stringContaining('39.70') });
    expect((await getCase(second.id)).status).toBe('approved');
    await act(second.id, 'refund', { amount: '39.70' }).expect(200);
    await caseNow(first.id, 'closed');
    await caseNow(second.id, 'closed');
    expect((await getCase(second.id)).refundable).toBe('0.00');

    // damaged: once the order is delivered (lost needs a shipped order)
    const { order: delivered, skus: other } = await shippedOrder([1]);
    await http().post(`/api/orders/${delivered.id}/confirm-receipt`).set(test.auth).expect(200);
    expect((await open(delivered.id, { type: 'lost', lines: [{ sku: other[0], quantity: 1 }], reason: 'x' }).expect(409)).body.error.message).toContain('completed');
    const damaged = (await open(delivered.id, { type: 'damaged', lines: [{ sku: other[0], quantity: 1 }], reason: 'crushed box' }).expect(201)).body as Case;
    await act(damaged.id, 'approve').expect(200);
    await act(damaged.id, 'refund', { amount: '5.00' }).expect(200);
    await caseNow(damaged.id, 'closed');
  });

  it('10 refunds of one order at once never refund more than was paid', async () => {
    const { order, skus } = await shippedOrder([10]);
    const cases: Case[] = [];
    for (let i = 0; i < 10; i++) {
      const opened = (await open(order.id, { type: 'refund_only', lines: [{ sku: skus[0], quantity: 1 }], reason: `unit ${i}` }).expect(201)).body as Case;
      await act(opened.id, 'approve').expect(200);
      cases.push(opened);
    }
    // paid 199.00; ten refunds of 30.00 at once: six fit
    const answers = await Promise.all(cases.map((c) => act(c.id, 'refund', { amount: '30.00' })));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(6);
    expect(answers.filter((r) => r.status === 422)).toHaveLength(4);
    const [{ refunded }] = await db().query(`SELECT sum(refund_amount)::text AS refunded FROM after_sales_case WHERE order_id = $1`, [order.id]);
    expect(refunded).toBe('180.00');
  });

  it('rejects quantities above what was shipped minus earlier cases, unknown SKUs and orders not yet shipped; nothing is created', async () => {
    const { order, skus } = await shippedOrder([2]);
    const count = async () => (await db().query(`SELECT count(*)::int AS n FROM after_sales_case WHERE order_id = $1`, [order.id]))[0].n as number;
    const tooMany = await open(order.id, { type: 'return', lines: [{ sku: skus[0], quantity: 3 }], reason: 'x' }).expect(422);
    expect(tooMany.body.error.details).toEqual([{ path: 'lines[0].quantity', message: expect.stringContaining('2 left') }]);
    await open(order.id, { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'first' }).expect(201);
    const second = await open(order.id, { type: 'exchange', lines: [{ sku: skus[0], quantity: 2 }], reason: 'second' }).expect(422);
    expect(second.body.error.details[0].message).toContain('1 in earlier cases');
    expect((await open(order.id, { type: 'return', lines: [{ sku: 'NOPE', quantity: 1 }], reason: 'x' }).expect(422)).body.error.details[0].path).toBe('lines[0].sku');
    expect(await count()).toBe(1);

    for (const body of [
      { type: 'swap', lines: [{ sku: skus[0], quantity: 1 }], reason: 'x' },
      { type: 'return', lines: [], reason: 'x' },
      { type: 'return', lines: [{ sku: skus[0], quantity: 0 }], reason: 'x' },
      { type: 'return', lines: [{ sku: skus[0], quantity: 1 }] },
      { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'x', extra: true },
      { type: 'return', lines: [{ sku: skus[0], quantity: 1 }, { sku: skus[0], quantity: 1 }], reason: 'x' },
    ]) {
      expect((await open(order.id, body).expect(422)).body.error.code).toBe('validation_failed');
    }
    expect(await count()).toBe(1);

    const sku = unique('AS');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
    const notShipped = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
    await waitForOrder(notShipped.id, 'awaiting_shipment');
    expect((await open(notShipped.id, { type: 'return', lines: [{ sku, quantity: 1 }], reason: 'x' }).expect(409)).body.error).toMatchObject({
      code: 'invalid_state', message: expect.stringContaining('awaiting_shipment'),
    });
    await open('SO000000000000', { type: 'return', lines: [{ sku, quantity: 1 }], reason: 'x' }).expect(404);
    await http().get('/api/after-sales/AS000000000000').set(test.auth).expect(404);
    await http().post(`/api/orders/${order.id}/after-sales`).send({}).expect(401);
  });

  it('outside the after-sales window of the settings a case is refused', async () => {
    const { order, skus } = await shippedOrder([1]);
    await db().query(`UPDATE order_status_history SET at = now() - interval '16 days' WHERE order_id = $1 AND to_status = 'shipped'`, [order.id]);
    const late = await open(order.id, { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'x' }).expect(422);
    expect(late.body.error.message).toContain('window of 15 days');
    await http().put('/api/settings').set(test.auth).send({ afterSales: { windowDays: 30 } }).expect(200);
    try {
      await open(order.id, { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'x' }).expect(201);
    } finally {
      await http().put('/api/settings').set(test.auth).send({ afterSales: { windowDays: 15 } }).expect(200);
    }
  });

  it('a rejected case can only be closed; a closed case ends its process and takes no action', async () => {
    const { order, skus } = await shippedOrder([1]);
    const view = (await open(order.id, { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'x' }).expect(201)).body as Case;
    await act(view.id, 'reject').expect(422); // a reason is required
    expect((await act(view.id, 'reject', { reason: 'outside policy' }).expect(200)).body.status).toBe('rejected');
    await act(view.id, 'approve').expect(409);
    await processEnded(view.processInstanceId);
    // a rejected case's units can be claimed again
    await open(order.id, { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'again' }).expect(201);
    expect((await act(view.id, 'close', { note: 'customer informed' }).expect(200)).body.status).toBe('closed');
    expect((await act(view.id, 'close').expect(409)).body.error.message).toContain('closed');
    for (const action of ['approve', 'receive', 'refund']) await act(view.id, action, action === 'refund' ? { amount: '1.00' } : {}).expect(action === 'refund' ? 409 : 409);
    await act(view.id, 'inspect', { result: 'maybe' }).expect(422);
  });

  it('the tasklist works a case too: completing the review and refund tasks applies them through the same rules', async () => {
    const { order, skus } = await shippedOrder([1]);
    const view = (await open(order.id, { type: 'refund_only', lines: [{ sku: skus[0], quantity: 1 }], reason: 'late delivery' }).expect(201)).body as Case;
    const taskAt = async (elementId: string) =>
      eventually(async () => {
        const items = (await http().get('/api/tasks').set(test.auth).expect(200)).body.items as Array<{ id: string; businessKey: string; elementId: string }>;
        return items.find((task) => task.businessKey === view.number && task.elementId === elementId);
      }, { what: `the ${elementId} task of ${view.number}` });
    await http().post(`/api/tasks/${(await taskAt('Task_Review')).id}/complete`).set(test.auth).send({ variables: { approved: true } }).expect(200);
    await caseNow(view.id, 'approved');
    await http().post(`/api/tasks/${(await taskAt('Task_Refund')).id}/complete`).set(test.auth).send({ variables: { refundAmount: '19.90', refundReference: 'RF-1' } }).expect(200);
    const closed = await caseNow(view.id, 'closed');
    expect(closed.refund).toMatchObject({ amount: '19.90', reference: 'RF-1' });
    expect(closed.history.find((h) => h.to === 'approved')?.by).toBe(ADMIN_EMAIL);
  });

  it('an overdue review escalates the case through the SLA timer, while the review task stays open', async () => {
    const { order, skus } = await shippedOrder([1]);
    const view = (await open(order.id, { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'x' }).expect(201)).body as Case;
    await waitingAt(view.processInstanceId, 'Timer_ReviewOverdue');
    expect((await getCase(view.id)).escalatedAt).toBeNull();
    // 24 hours pass
    await db().query(`UPDATE workflow_job SET run_at = now() WHERE instance_id = $1 AND kind = 'timer' AND status = 'pending' AND payload->>'elementId' = 'Timer_ReviewOverdue'`, [
      view.processInstanceId,
    ]);
    const escalated = await eventually(async () => {
      const now = await getCase(view.id);
      return now.escalatedAt ? now : undefined;
    }, { what: 'the case to be escalated' });
    expect(escalated.status).toBe('requested');
    expect(escalated.history.at(-1)).toMatchObject({ by: 'system', note: 'escalated: the requested step is overdue' });
    const instance = await waitingAt(view.processInstanceId, 'Task_Review');
    expect(instance.activity.map((a: { elementId: string }) => a.elementId)).toEqual(expect.arrayContaining(['Timer_ReviewOverdue', 'Task_Escalate', 'End_Escalated']));
    // the review goes on as before; approving clears the escalation and sets the next step's SLA
    const approved = (await act(view.id, 'approve').expect(200)).body;
    expect(approved).toMatchObject({ status: 'approved', escalatedAt: null });
    expect(Date.parse(approved.slaDueAt)).toBeGreaterThan(Date.now() + 167 * 3_600_000); // receive: 168 h
  });

  it('lists cases by status, type, order and overdue; evidence images are checked by their bytes', async () => {
    const { order, skus } = await shippedOrder([1]);
    const view = (await open(order.id, { type: 'damaged', lines: [{ sku: skus[0], quantity: 1 }], reason: 'broken' }).expect(201)).body as Case;
    const list = async (query: Record<string, string>) => (await http().get('/api/after-sales').query(query).set(test.auth).expect(200)).body;
    expect((await list({ orderId: order.id })).items.map((c: Case) => c.id)).toEqual([view.id]);
    expect((await list({ orderId: order.number, type: 'damaged', status: 'requested' })).total).toBe(1);
    expect((await list({ orderId: order.id, type: 'return' })).total).toBe(0);
    expect((await list({ orderId: order.id, overdue: 'true' })).total).toBe(0);
    await db().query(`UPDATE after_sales_case SET sla_due_at = now() - interval '1 hour' WHERE id = $1`, [view.id]);
    expect((await list({ orderId: order.id, overdue: 'true' })).items).toEqual([expect.objectContaining({ id: view.id, overdue: true })]);
    await http().get('/api/after-sales').query({ status: 'pending' }).set(test.auth).expect(422);
    await http().get('/api/after-sales').query({ overdue: 'yes' }).set(test.auth).expect(422);

    // a whole 1 × 1 PNG: uploads are decoded in full (issue 11 item 7), so the bytes must be a real image
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154089963f8ffffff7f0009fb03fd08d1e81e0000000049454e44ae426082', 'hex');
    const attached = await http().post(`/api/after-sales/${view.id}/attachments`).set(test.auth).attach('file', png, 'box.png').expect(201);
    const [attachment] = attached.body.attachments;
    expect(attachment).toMatchObject({ fileName: 'box.png', contentType: 'image/png', sizeBytes: png.length });
    const fetched = await http().get(`/api/after-sales/${view.id}/attachments/${attachment.id}`).set(test.auth).expect(200).expect('Content-Type', 'image/png');
    expect(Buffer.compare(fetched.body as Buffer, png)).toBe(0);
    const notImage = await http().post(`/api/after-sales/${view.id}/attachments`).set(test.auth).attach('file', Buffer.from('<script>alert(1)</script>'), 'photo.png').expect(422);
    expect(notImage.body.error.details[0].path).toBe('file');
    await http().post(`/api/after-sales/${view.id}/attachments`).set(test.auth).attach('file', Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024)]), 'huge.png').expect(413);
    expect((await getCase(view.id)).attachments).toHaveLength(1);
  });
});

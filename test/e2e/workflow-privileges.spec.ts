import { DataSource } from 'typeorm';
import { diagram, reviewThenRefund } from '../helpers/bpmn';
import { orderBody, shippedOrder, stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

type Instance = { id: string; status: string; startedBy: { kind: string; name: string }; waitingAt: Array<{ elementId: string }>; incidents: Array<{ id: string; message: string; elementId: string }> };
type Case = { id: string; status: string; refund: { amount: string } | null; history: Array<{ to: string; by: string }>; processInstanceId: string };

/** start → one service task of `type` (with optional extension elements) → end. */
const oneTask = (key: string, type: string, extensions = '') =>
  diagram(
    key,
    `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Act" />
     <bpmn:serviceTask id="Act" name="Act" oms:taskType="${type}">${extensions}</bpmn:serviceTask>
     <bpmn:sequenceFlow id="F2" sourceRef="Act" targetRef="End" /><bpmn:endEvent id="End" />`,
  );

/**
 * DESIGN "A diagram can never do more than the people behind it" (issue 11 item 1, G3.3): the attacks of the outside review,
 * on the real PostgreSQL.
 */
describe('workflow privileges', () => {
  const test = useTestApp();
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);
  let analyst: Awaited<ReturnType<typeof userWithRoles>>;
  let operator: Awaited<ReturnType<typeof userWithRoles>>;
  let finance: Awaited<ReturnType<typeof userWithRoles>>;

  beforeAll(async () => {
    analyst = await userWithRoles(test.app, 'analyst');
    operator = await userWithRoles(test.app, 'operator');
    finance = await userWithRoles(test.app, 'finance');
  });

  const deploy = (key: string, xml: string, auth = test.auth) => http().post(`/api/workflows/${key}/versions`).set(auth).set('Content-Type', 'application/xml').send(xml);
  const start = async (key: string, variables: Record<string, unknown>, auth: Record<string, string>, businessKey?: string): Promise<Instance> =>
    (await http().post('/api/process-instances').set(auth).send({ key, variables, ...(businessKey ? { businessKey } : {}) }).expect(201)).body;
  const instance = async (id: string): Promise<Instance> => (await http().get(`/api/process-instances/${id}`).set(test.auth).expect(200)).body;
  const untilIncident = (id: string) =>
    eventually(async () => {
      const found = await instance(id);
      return found.status === 'incident' ? found : undefined;
    }, { what: `instance ${id} to fail to an incident` });
  const getCase = async (id: string): Promise<Case> => (await http().get(`/api/after-sales/${id}`).set(test.auth).expect(200)).body;
  const getOrder = async (id: string) => (await http().get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const taskAt = (instanceId: string, elementId: string) =>
    eventually(async () => {
      const items = (await http().get('/api/tasks').query({ instanceId }).set(test.auth).expect(200)).body.items as Array<{ id: string; elementId: string }>;
      return items.find((task) => task.elementId === elementId);
    }, { what: `task ${elementId} of ${instanceId}` });

  /** A refund_only case on a shipped order, approved by customer service: its flow now waits for finance's refund. */
  const approvedRefundCase = async (): Promise<Case> => {
    const { order, skus } = await shippedOrder(test.app, test.auth, [1]);
    const opened = (await http().post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'refund_only', lines: [{ sku: skus[0], quantity: 1 }], reason: 'arrived broken' }).expect(201)).body as Case;
    await http().post(`/api/after-sales/${opened.id}/approve`).set(test.auth).send({}).expect(200);
    await taskAt(opened.processInstanceId, 'Task_Refund');
    return getCase(opened.id);
  };

  it('the catalogue shows what each task type needs', async () => {
    const types = (await http().get('/api/workflows/task-types').set(test.auth).expect(200)).body as Array<{ type: string; permissions: string[] }>;
    const needs = Object.fromEntries(types.map((type) => [type.type, type.permissions]));
    expect(needs).toMatchObject({
      'aftersales.refund': ['aftersales.refund'],
      'aftersales.review': ['aftersales.write'],
      'aftersales.inspect': ['aftersales.warehouse'],
      'order.complete': ['orders.write'],
      'order.review': ['orders.approve'],
      'workflow.set-variables': [],
    });
    expect(types.every((type) => Array.isArray(type.permissions))).toBe(true);
  });

  it('an analyst cannot deploy a diagram that refunds: 403 naming each task type and permission, nothing deployed', async () => {
    const key = unique('analyst-refund');
    const refused = await deploy(key, reviewThenRefund(key), analyst.auth).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(refused.body.error.message).toContain('aftersales.review needs aftersales.write');
    expect(refused.body.error.message).toContain('aftersales.refund needs aftersales.refund');
    expect(refused.body.error.details).toEqual([
      { path: 'Review', message: 'task type aftersales.review needs permission aftersales.write, which you do not hold' },
      { path: 'Refund', message: 'task type aftersales.refund needs permission aftersales.refund, which you do not hold' },
    ]);
    const workflows = (await http().get('/api/workflows').set(test.auth).expect(200)).body as Array<{ key: string }>;
    expect(workflows.map((workflow) => workflow.key)).not.toContain(key);
    // what the analyst may do themselves deploys
    await deploy(unique('analyst-own'), oneTask('own', 'workflow.set-variables', '<bpmn:extensionElements><oms:input name="priority" value="high" /></bpmn:extensionElements>'), analyst.auth).expect(201);
  });

  it('a diagram an admin deployed, started by an analyst, fails to an incident: nothing refunded, the fake completer ignored', async () => {
    const key = unique('admin-refund');
    await deploy(key, reviewThenRefund(key)).expect(201);
    const target = await approvedRefundCase();
    const started = await start(key, { caseId: target.id, approved: true, refundAmount: '20.00', Fake_completedBy: 'finance@test.local', Review_completedBy: finance.email }, analyst.auth);
    expect(started.startedBy).toMatchObject({ kind: 'user', name: analyst.email });
    const failed = await untilIncident(started.id);
    expect(failed.incidents).toEqual([expect.objectContaining({ elementId: 'Review', message: expect.stringContaining(`needs permission aftersales.write, which ${analyst.email} (who started this instance) does not hold`) })]);
    const after = await getCase(target.id);
    expect(after).toMatchObject({ status: 'approved', refund: null });
    expect(after.history).toEqual(target.history);
  });

  it('even a starter holding every permission cannot point a diagram at a case of another process', async () => {
    const key = unique('admin-own-refund');
    await deploy(key, oneTask(key, 'aftersales.refund')).expect(201);
    const target = await approvedRefundCase();
    const started = await start(key, { caseId: target.id, refundAmount: '20.00' }, test.auth);
    const failed = await untilIncident(started.id);
    expect(failed.incidents[0].message).toContain(`case ${target.id} belongs to another process instance`);
    expect(await getCase(target.id)).toMatchObject({ status: 'approved', refund: null });
    // a refusal is not retried: one failed attempt, then the incident
    const [job] = await db().query(`SELECT attempts, status FROM workflow_job WHERE instance_id = $1 AND kind = 'start'`, [started.id]);
    expect(job).toEqual({ attempts: 1, status: 'failed' });
  });

  describe('every task type that changes money, stock or a status refuses a starter without its permission', () => {
    const orderTypes = ['order.review', 'stock.reserve', 'order.complete', 'order.cancel-unpaid', 'notify.send'];
    const caseTypes = ['aftersales.review', 'aftersales.receive', 'aftersales.inspect', 'aftersales.refund', 'aftersales.reserve-replacement', 'aftersales.escalate', 'aftersales.close'];

    it.each(orderTypes)('%s on a shipped order: incident, the order and its messages untouched', async (type) => {
      const key = unique(`attack-${type.replace('.', '-')}`);
      await deploy(key, oneTask(key, type)).expect(201);
      const { order } = await shippedOrder(test.app, test.auth, [1]);
      const [{ messages }] = await db().query(`SELECT count(*)::int AS messages FROM notification WHERE reference = $1`, [order.number]);
      const started = await start(key, { orderId: order.id }, analyst.auth);
      const failed = await untilIncident(started.id);
      expect(failed.incidents[0].message).toMatch(new RegExp(`needs permission orders\\.(write|approve), which ${analyst.email.replace(/[.]/g, '\\.')}`));
      const after = await getOrder(order.id);
      expect(after.status).toBe('shipped');
      expect(after.history).toEqual(order.history);
      expect((await db().query(`SELECT count(*)::int AS messages FROM notification WHERE reference = $1`, [order.number]))[0].messages).toBe(messages);
    });

    it.each(caseTypes)('%s on an approved case: incident, the case untouched', async (type) => {
      const key = unique(`attack-${type.replace('.', '-')}`);
      await deploy(key, oneTask(key, type)).expect(201);
      const target = await approvedRefundCase();
      const started = await start(key, { caseId: target.id, approved: true, refundAmount: '5.00', qcResult: 'pass' }, analyst.auth);
      const failed = await untilIncident(started.id);
      expect(failed.incidents[0].message).toMatch(new RegExp(`needs permission aftersales\\.(write|warehouse|refund), which ${analyst.email.replace(/[.]/g, '\\.')}`));
      const after = await getCase(target.id);
      expect(after).toMatchObject({ status: 'approved', refund: null });
      expect(after.history).toEqual(target.history);
    });
  });

  it('the step applying a task acts for the person who completed it, and only with their permissions', async () => {
    const target = await approvedRefundCase();
    const task = await taskAt(target.processInstanceId, 'Task_Refund');
    await db().query(`UPDATE role SET permissions = array_remove(permissions, 'aftersales.refund') WHERE name = 'finance'`);
    try {
      await http().post(`/api/tasks/${task.id}/complete`).set(finance.auth).send({ variables: { refundAmount: '5.00', refundReference: 'RF-9' } }).expect(200);
      const failed = await untilIncident(target.processInstanceId);
      expect(failed.incidents[0]).toMatchObject({ elementId: 'Task_ApplyRefund', message: expect.stringContaining(`needs permission aftersales.refund, which ${finance.email} (who completed Task_Refund) does not hold`) });
      expect((await getCase(target.id)).refund).toBeNull();
    } finally {
      await db().query(`UPDATE role SET permissions = array_append(permissions, 'aftersales.refund') WHERE name = 'finance' AND NOT 'aftersales.refund' = ANY(permissions)`);
    }
    const [incident] = (await instance(target.processInstanceId)).incidents;
    await http().post(`/api/incidents/${incident.id}/retry`).set(test.auth).expect(200);
    const refunded = await eventually(async () => {
      const found = await getCase(target.id);
      return found.refund ? found : undefined;
    }, { what: 'the refund after the retry' });
    expect(refunded.refund).toMatchObject({ amount: '5.00' });
    // the history names who completed the task, as authenticated, not the admin who retried or a variable
    expect(refunded.history.find((entry) => entry.to === 'refunded')?.by).toBe(finance.email);
    const [audited] = await db().query(`SELECT actor, details FROM audit_log WHERE action = 'aftersales.refund' AND target = $1`, [`after_sales_case:${target.id}`]);
    expect(audited).toMatchObject({ actor: finance.email, details: { amount: '5.00', viaWorkflow: true } });
  });

  it('completing the review with a variable its form does not declare is 422 and completes nothing (needsReturn cannot skip QC)', async () => {
    const { order, skus } = await shippedOrder(test.app, test.auth, [1]);
    const opened = (await http().post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'too small' }).expect(201)).body as Case;
    const review = await taskAt(opened.processInstanceId, 'Task_Review');
    const refused = await http().post(`/api/tasks/${review.id}/complete`).set(operator.auth).send({ variables: { approved: true, needsReturn: false } }).expect(422);
    expect(refused.body.error.details).toEqual([{ path: 'variables.needsReturn', message: expect.stringContaining('not a field of this task') }]);
    expect((await http().get(`/api/tasks/${review.id}`).set(operator.auth).expect(200)).body).toMatchObject({
      status: 'open',
      formFields: expect.arrayContaining([expect.objectContaining({ name: 'approved', type: 'boolean', required: true })]),
    });
    await http().post(`/api/tasks/${review.id}/complete`).set(operator.auth).send({ variables: { approved: true } }).expect(200);
    await taskAt(opened.processInstanceId, 'Task_Receive'); // the return still goes through receipt and QC
    const approved = await getCase(opened.id);
    expect(approved.status).toBe('approved');
    expect(approved.history.at(-1)).toMatchObject({ to: 'approved', by: operator.email });
  });

  it("an instance started through the API under an order's number never takes the order's messages", async () => {
    const sku = unique('PAY');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
    const created = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { payment: { method: 'bank_transfer', status: 'pending' } })).expect(201)).body;
    await eventually(async () => ((await getOrder(created.id)).status === 'pending_payment' ? true : undefined), { what: 'the order to await payment' });
    const key = unique('hijack');
    await deploy(key, diagram(key, `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Steal" />
      <bpmn:receiveTask id="Steal" messageRef="Msg_Paid" /><bpmn:sequenceFlow id="F2" sourceRef="Steal" targetRef="End" /><bpmn:endEvent id="End" />`,
      '<bpmn:message id="Msg_Paid" name="PaymentReceived" />')).expect(201);
    const hijack = await start(key, {}, test.auth, created.number);
    await eventually(async () => ((await instance(hijack.id)).status === 'waiting' ? true : undefined));
    await http().post(`/api/orders/${created.id}/payments`).set(test.auth).send({ amount: '19.90', reference: unique('BANK') }).expect(200);
    await eventually(async () => ((await getOrder(created.id)).status === 'awaiting_shipment' ? true : undefined), { what: 'the order to move on after its payment' });
    expect((await instance(hijack.id)).waitingAt.map((wait) => wait.elementId)).toEqual(['Steal']);
  });
});

/** The domain services have the last word over any diagram, even one an admin deployed as the product's own flow. */
describe('the domain refuses what a changed product diagram asks', () => {
  const test = useTestApp();
  const http = () => test.app.http;

  it('an order-fulfillment version that skips the review reserves nothing: the order waits for a person, the step is an incident', async () => {
    const original = (await http().get('/api/workflows/order-fulfillment/versions/1').set(test.auth).expect(200)).body.xml as string;
    await http().post('/api/workflows/order-fulfillment/versions').set(test.auth).set('Content-Type', 'application/xml').send(oneTask('order-fulfillment', 'stock.reserve')).expect(201);
    try {
      const sku = unique('SKIP');
      const { warehouse } = await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
      const created = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
      // the step fails (and is retried with backoff until it becomes an incident): the refusal is its error
      const [job] = await eventually(async () => {
        const jobs = await test.app.running.app.get(DataSource).query(`SELECT attempts, last_error FROM workflow_job WHERE instance_id = $1 AND last_error IS NOT NULL`, [created.processInstanceId]);
        return jobs.length ? jobs : undefined;
      }, { what: 'the reserve step to fail' });
      expect(job.last_error).toContain('is pending_review and not approved; stock is reserved for approved orders only');
      const order = (await http().get(`/api/orders/${created.id}`).set(test.auth).expect(200)).body;
      expect(order).toMatchObject({ status: 'pending_review', approvedBy: null });
      expect(order.lines[0].reserved).toBe(0);
      const level = (await http().get('/api/inventory').query({ sku, warehouse }).set(test.auth).expect(200)).body.items[0];
      expect(level).toMatchObject({ onHand: 5, reserved: 0 });
    } finally {
      await http().post('/api/workflows/order-fulfillment/versions').set(test.auth).set('Content-Type', 'application/xml').send(original).expect(201);
    }
  });

  it('an order the automatic review approved says so', async () => {
    const sku = unique('AUTO');
    await stockedCatalogue(test.app, test.auth.Authorization.slice(7), { [sku]: 5 });
    const created = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
    const ready = await eventually(async () => {
      const order = (await http().get(`/api/orders/${created.id}`).set(test.auth).expect(200)).body;
      return order.status === 'awaiting_shipment' ? order : undefined;
    });
    expect(ready.approvedBy).toBe('auto-review');
  });
});

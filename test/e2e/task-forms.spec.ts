import { diagram } from '../helpers/bpmn';
import { shippedOrder, unique, userWithRoles } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

type Task = { id: string; elementId: string; name: string; status: string; formFields: Array<{ name: string; label?: string; type: string; required: boolean; options?: string[]; optionLabels?: Record<string, string> }> };

/**
 * Issue 14 item 9: a user task's form is what its diagram declares (labels, option names, limits), the tasklist gets the
 * order or case it concerns, and completing it takes the declared fields only (the same check as issue 11).
 */
describe('task forms', () => {
  const test = useTestApp();
  const http = () => test.app.http;

  const taskOf = (instanceId: string, elementId: string) =>
    eventually(async () => {
      const items = (await http().get('/api/tasks').query({ instanceId }).set(test.auth).expect(200)).body.items as Task[];
      return items.find((task) => task.elementId === elementId && task.status === 'open');
    }, { what: `the open task ${elementId}` });

  it('the shipped after-sales review declares its form in Chinese, shows the case, and refuses an undeclared variable', async () => {
    const { order, skus } = await shippedOrder(test.app, test.auth, [2]);
    const view = (await http().post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: '尺码不合适' }).expect(201)).body;
    const review = await taskOf(view.processInstanceId, 'Task_Review');
    expect(review.name).toBe('客服审核');
    expect(review.formFields).toEqual([
      { name: 'approved', label: '同意售后申请', type: 'boolean', required: true },
      { name: 'reason', label: '拒绝原因（拒绝时填写，客户可见）', type: 'string', required: false },
    ]);

    const { subject } = (await http().get(`/api/tasks/${review.id}/subject`).set(test.auth).expect(200)).body;
    expect(subject).toMatchObject({
      kind: 'after_sales_case', number: view.number, type: 'return', status: 'requested', reason: '尺码不合适',
      lines: [{ sku: skus[0], quantity: 1 }], order: { number: order.number, customer: { name: '张三', phone: '13800138000' } },
    });

    // issue 11's attack: skipping the return by setting a variable the form does not have
    const refused = await http().post(`/api/tasks/${review.id}/complete`).set(test.auth).send({ variables: { approved: true, needsReturn: false } }).expect(422);
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'variables.needsReturn', message: expect.stringContaining('is not a field of this task') }] });
    const missing = await http().post(`/api/tasks/${review.id}/complete`).set(test.auth).send({ variables: { reason: '' } }).expect(422);
    expect(missing.body.error.details).toEqual([{ path: 'variables.approved', message: 'is required' }]);
    expect((await http().get(`/api/tasks/${review.id}`).set(test.auth).expect(200)).body.status).toBe('open');
    expect((await http().get(`/api/after-sales/${view.id}`).set(test.auth).expect(200)).body.status).toBe('requested');

    // a user without tasks.work, and a worker who is not a candidate, see no subject
    const analyst = await userWithRoles(test.app, 'analyst');
    await http().get(`/api/tasks/${review.id}/subject`).set(analyst.auth).expect(403);
    const warehouse = await userWithRoles(test.app, 'warehouse');
    await http().get(`/api/tasks/${review.id}/subject`).set(warehouse.auth).expect(403);

    await http().post(`/api/tasks/${review.id}/complete`).set(test.auth).send({ variables: { approved: true } }).expect(200);
    await eventually(async () => ((await http().get(`/api/after-sales/${view.id}`).set(test.auth).expect(200)).body.status === 'approved' ? true : undefined), { what: 'the case approved' });
    // the return's receipt is the next task: its enum QC form comes later with option names
    const receive = await taskOf(view.processInstanceId, 'Task_Receive');
    expect(receive.formFields.map((field) => field.label)).toEqual(['收货仓库编码（默认：原发货仓）', '收货备注']);
  });

  it('a Camunda 7 form checks its limits, and its task shows the order of the instance', async () => {
    const key = unique('form-limits').toLowerCase();
    const xml = diagram(key, `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="Count" />
      <bpmn:userTask id="Count" name="清点件数"><bpmn:extensionElements><camunda:formData xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
        <camunda:formField id="count" type="long" label="件数"><camunda:validation><camunda:constraint name="required" /><camunda:constraint name="max" config="5" /></camunda:validation></camunda:formField>
        <camunda:formField id="result" type="enum" label="结果"><camunda:value id="ok" name="正常" /><camunda:value id="short" name="短少" /></camunda:formField>
      </camunda:formData></bpmn:extensionElements></bpmn:userTask>
      <bpmn:sequenceFlow id="F2" sourceRef="Count" targetRef="E" /><bpmn:endEvent id="E" />`);
    await http().post(`/api/workflows/${key}/versions`).set(test.auth).set('Content-Type', 'application/xml').send(xml).expect(201);
    const { order } = await shippedOrder(test.app, test.auth, [1]);
    const started = (await http().post('/api/process-instances').set(test.auth).send({ key, businessKey: order.number, variables: { orderId: order.id } }).expect(201)).body;
    const task = await taskOf(started.id, 'Count');
    expect(task.formFields[1]).toEqual({ name: 'result', label: '结果', type: 'enum', required: false, options: ['ok', 'short'], optionLabels: { ok: '正常', short: '短少' } });
    const { subject } = (await http().get(`/api/tasks/${task.id}/subject`).set(test.auth).expect(200)).body;
    expect(subject).toMatchObject({ kind: 'order', number: order.number, status: order.status, customer: { name: '张三' }, total: order.totals.grand });

    const over = await http().post(`/api/tasks/${task.id}/complete`).set(test.auth).send({ variables: { count: 6, result: 'lost' } }).expect(422);
    expect(over.body.error.details).toEqual([
      { path: 'variables.count', message: 'must be at most 5' },
      { path: 'variables.result', message: 'must be one of ok, short' },
    ]);
    await http().post(`/api/tasks/${task.id}/complete`).set(test.auth).send({ variables: { count: 5, result: 'ok' } }).expect(200);
    const ended = await eventually(async () => {
      const body = (await http().get(`/api/process-instances/${started.id}`).set(test.auth).expect(200)).body;
      return body.status === 'completed' ? body : undefined;
    }, { what: 'the instance to complete' });
    expect(ended.variables).toMatchObject({ count: 5, result: 'ok' });
  });
});

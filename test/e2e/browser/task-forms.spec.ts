import type { Page } from 'playwright-core';
import { adminLogin, realErrors, collectPageErrors, useAdminBrowser } from '../../helpers/browser';
import { diagram } from '../../helpers/bpmn';
import { shippedOrder, unique } from '../../helpers/fixtures';
import { eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';
const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });
const PASSWORD = 'operator-password-forms-1';

/** A count task drawn with Camunda 7's generated form, its labels and option names in Chinese. */
const countTask = (key: string) =>
  diagram(key, `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="Count" />
    <bpmn:userTask id="Count" name="清点退回件数" oms:candidateRoles="operator"><bpmn:extensionElements><camunda:formData xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
      <camunda:formField id="count" type="long" label="实收件数"><camunda:validation><camunda:constraint name="required" /><camunda:constraint name="max" config="5" /></camunda:validation></camunda:formField>
      <camunda:formField id="result" label="包裹状况" type="enum"><camunda:validation><camunda:constraint name="required" /></camunda:validation><camunda:value id="intact" name="完好" /><camunda:value id="damaged" name="破损" /></camunda:formField>
      <camunda:formField id="note" type="string" label="备注" />
    </camunda:formData></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Count" targetRef="E" /><bpmn:endEvent id="E" />`);

/** The count task with a layout, so the modeler can draw it. */
const drawnCountTask = (key: string) =>
  countTask(key).replace(
    '</bpmn:definitions>',
    `<bpmndi:BPMNDiagram id="D" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI">
      <bpmndi:BPMNPlane id="Plane" bpmnElement="${key}">
        <bpmndi:BPMNShape id="S_S" bpmnElement="S"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
        <bpmndi:BPMNShape id="S_Count" bpmnElement="Count"><dc:Bounds x="200" y="78" width="100" height="80" /></bpmndi:BPMNShape>
        <bpmndi:BPMNShape id="S_E" bpmnElement="E"><dc:Bounds x="360" y="100" width="36" height="36" /></bpmndi:BPMNShape>
        <bpmndi:BPMNEdge id="E1" bpmnElement="F1"><di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" /></bpmndi:BPMNEdge>
        <bpmndi:BPMNEdge id="E2" bpmnElement="F2"><di:waypoint x="300" y="118" /><di:waypoint x="360" y="118" /></bpmndi:BPMNEdge>
      </bpmndi:BPMNPlane>
    </bpmndi:BPMNDiagram></bpmn:definitions>`,
  );

type Modeler = { get(name: string): { get?(id: string): unknown; select?(element: unknown): void }; saveXML(options: object): Promise<{ xml: string }> };

/** Issue 14 item 9 acceptance: a user task completed through its form in the tasklist, in Chinese (Debian chromium). */
describe('a task form in the tasklist', () => {
  const test = useAdminBrowser({ component: 'UserComponents.LoggedIn' });

  it('shows the diagram\'s Chinese labels and the order, refuses an empty required field and a value over its limit, then completes', async () => {
    const email = `${unique('forms')}@test.local`.toLowerCase();
    await test.app.http.post('/api/users').set(test.auth).send({ email, name: '赵客服', password: PASSWORD, roles: ['operator'], locale: 'zh-CN' }).expect(201);
    const key = unique('count').toLowerCase();
    await test.app.http.post(`/api/workflows/${key}/versions`).set(test.auth).set('Content-Type', 'application/xml').send(countTask(key)).expect(201);
    const { order } = await shippedOrder(test.app, test.auth, [2]);
    const instance = (await test.app.http.post('/api/process-instances').set(test.auth).send({ key, businessKey: order.number, variables: { orderId: order.id } }).expect(201)).body;
    await eventually(async () => ((await test.app.http.get('/api/tasks').query({ instanceId: instance.id }).set(test.auth).expect(200)).body.items.length ? true : undefined), { what: 'the task' });

    const context = await test.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors = collectPageErrors(page);
    try {
      await adminLogin(page, test.base, email, PASSWORD);
      await page.goto(`${test.base}/admin/workflow-ui/tasks`);
      const row = page.locator('[data-testid=tasks] tr', { hasText: order.number });
      await row.getByRole('button', { name: '完成…' }).click();
      const form = page.locator('.oms-complete-form');
      await expect(form.locator('h2').innerText()).resolves.toBe('清点退回件数');

      // the order it concerns, in Chinese, and the fields by their labels: no variable names or types
      const subject = form.getByTestId('task-subject');
      await subject.locator('h3').waitFor();
      const about = await subject.innerText();
      expect(about).toContain(`订单 ${order.number}`);
      expect(about).toMatch(/状态\s*已发货/);
      expect(about).toMatch(/客户\s*张三/);
      expect(about).toContain(order.lines[0].name);
      const labels = await form.locator('.oms-variable-row > label').allInnerTexts();
      expect(labels.map((label) => label.trim())).toEqual(['实收件数 *', '包裹状况 *', '备注']);
      const text = await form.innerText();
      for (const raw of ['count', 'result', 'long', 'enum', 'intact', 'Count']) expect(text).not.toMatch(new RegExp(`\\b${raw}\\b`));
      await expect(form.getByLabel('包裹状况').locator('option').allInnerTexts()).resolves.toEqual(['— 请选择 —', '完好', '破损']);

      // a required field left empty: its error under it, nothing sent
      await form.getByLabel('包裹状况').selectOption({ label: '完好' });
      await form.getByRole('button', { name: '完成任务' }).click();
      await expect(form.locator('[data-field=count] .oms-field-error').innerText()).resolves.toBe('必填');
      await expect(form.locator('.oms-form-error').innerText()).resolves.toBe('请检查标红的字段');
      await shot(page, 'task-form-required-zh');
      expect((await test.app.http.get('/api/tasks').query({ instanceId: instance.id }).set(test.auth).expect(200)).body.items[0].status).toBe('open');

      // over the diagram's limit: the API's 422 shown at the field, in Chinese
      await form.getByLabel('实收件数').fill('6');
      await form.getByRole('button', { name: '完成任务' }).click();
      await expect(form.locator('[data-field=count] .oms-field-error').innerText()).resolves.toBe('不能大于 5');
      await expect(form.locator('[data-field=count] input').getAttribute('aria-invalid')).resolves.toBe('true');
      await shot(page, 'task-form-limit-zh');

      await form.getByLabel('实收件数').fill('2');
      await form.getByLabel('备注').fill('外箱轻微压痕');
      await form.getByRole('button', { name: '完成任务' }).click();
      await page.locator('#oms-notice.oms-notice-success', { hasText: '任务已完成：清点退回件数' }).waitFor();
      const ended = await eventually(async () => {
        const body = (await test.app.http.get(`/api/process-instances/${instance.id}`).set(test.auth).expect(200)).body;
        return body.status === 'completed' ? body : undefined;
      }, { what: 'the instance to move on and end' });
      expect(ended.variables).toMatchObject({ count: 2, result: 'intact', note: '外箱轻微压痕' });
      expect(realErrors(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the shipped after-sales review shows the case beside its Chinese form, and a yes-or-no has no silent default', async () => {
    const email = `${unique('forms-case')}@test.local`.toLowerCase();
    await test.app.http.post('/api/users').set(test.auth).send({ email, name: '孙客服', password: PASSWORD, roles: ['operator'], locale: 'zh-CN' }).expect(201);
    const { order, skus } = await shippedOrder(test.app, test.auth, [1]);
    const view = (await test.app.http.post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: '尺码偏小' }).expect(201)).body;
    await eventually(async () => ((await test.app.http.get('/api/tasks').query({ instanceId: view.processInstanceId }).set(test.auth).expect(200)).body.items.length ? true : undefined), { what: 'the review task' });
    const context = await test.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors = collectPageErrors(page);
    try {
      await adminLogin(page, test.base, email, PASSWORD);
      await page.goto(`${test.base}/admin/workflow-ui/tasks`);
      const row = page.locator('[data-testid=tasks] tr', { hasText: view.number });
      await expect(row.innerText()).resolves.toMatch(/客服审核[\s\S]*客服/);
      await row.getByRole('button', { name: '完成…' }).click();
      const form = page.locator('.oms-complete-form');
      const subject = form.getByTestId('task-subject');
      await subject.locator('h3').waitFor();
      const about = await subject.innerText();
      expect(about).toContain(`售后单 ${view.number}`);
      expect(about).toMatch(/售后类型\s*退货退款/);
      expect(about).toMatch(/状态\s*待审核/);
      expect(about).toMatch(/申请原因\s*尺码偏小/);
      expect(about).toContain(order.number);
      await expect(form.getByLabel('同意售后申请').locator('option').allInnerTexts()).resolves.toEqual(['— 请选择 —', '是', '否']);
      await form.getByRole('button', { name: '完成任务' }).click();
      await expect(form.locator('[data-field=approved] .oms-field-error').innerText()).resolves.toBe('必填');
      await shot(page, 'task-form-case-zh');
      await form.getByLabel('同意售后申请').selectOption({ label: '是' });
      await form.getByRole('button', { name: '完成任务' }).click();
      await page.locator('#oms-notice.oms-notice-success', { hasText: '任务已完成：客服审核' }).waitFor();
      await eventually(async () => ((await test.app.http.get(`/api/after-sales/${view.id}`).set(test.auth).expect(200)).body.status === 'approved' ? true : undefined), { what: 'the case approved' });
      expect(realErrors(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the modeler\'s panel edits a Camunda 7 form in place: labels, option names and limits', async () => {
    const key = unique('count-panel').toLowerCase();
    await test.app.http.post(`/api/workflows/${key}/versions`).set(test.auth).set('Content-Type', 'application/xml').send(drawnCountTask(key)).expect(201);
    const page = test.page;
    await page.goto(`${test.base}/admin/workflow-ui/modeler?key=${key}`);
    await page.locator('[data-element-id="Count"]').first().waitFor();
    await page.evaluate(() => {
      const modeler = (globalThis as unknown as { bpmnModeler: Modeler }).bpmnModeler;
      modeler.get('selection').select!(modeler.get('elementRegistry').get!('Count'));
    });
    const fields = page.locator('#bio-properties-panel-omsFormFields');
    await expect(fields.inputValue()).resolves.toBe('count: long*{max=5} 实收件数\nresult: enum(intact=完好,damaged=破损)* 包裹状况\nnote: string 备注');
    await fields.fill('count: long*{min=1,max=9} 实收件数\nresult: enum(intact=完好,damaged=破损,lost=丢失)* 包裹状况');
    const xml = await eventually(async () => {
      const { xml: saved } = await page.evaluate(() => (globalThis as unknown as { bpmnModeler: Modeler }).bpmnModeler.saveXML({ format: false }));
      return saved.includes('丢失') ? saved : undefined;
    }, { what: 'the edited form in the diagram' });
    expect(xml).toMatch(/<camunda:formField id="result" label="包裹状况" type="enum">.*<camunda:value id="lost" name="丢失" \/><\/camunda:formField>/);
    expect(xml).toMatch(/<camunda:constraint name="min" config="1" \/><camunda:constraint name="max" config="9" \/>/);
    expect(xml).not.toContain('oms:formField');
    expect(xml).not.toContain('id="note"');
  });
});

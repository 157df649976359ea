import type { Browser, BrowserContext, Page } from 'playwright-core';
import { adminLogin, baseUrl, buildWorkflowUiBundles, collectPageErrors, launchChromium, setOwnLocale } from '../../helpers/browser';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestApp, type TestApp } from '../../helpers/test-app';
import { AuthService } from '../../../src/auth/auth.service';
import { reviewThenRefund } from '../../helpers/bpmn';

// AdminJS: no component bundling and no rollup watcher in tests (STACK trap 4); jest runs this file with
// --experimental-vm-modules because AdminJS is ESM-only (trap 2).
const savedEnv = { NODE_ENV: process.env.NODE_ENV, ADMIN_JS_SKIP_BUNDLE: process.env.ADMIN_JS_SKIP_BUNDLE };
process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_SKIP_BUNDLE = 'true';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

/** The outside review's attack, drawn: start → aftersales.review → aftersales.refund → end, with a layout to show. */
const refundAttack = (key: string) =>
  reviewThenRefund(key, 'StartEvent_1').replace(
    '</bpmn:definitions>',
    `<bpmndi:BPMNDiagram id="D" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI">
      <bpmndi:BPMNPlane id="Plane" bpmnElement="${key}">
        <bpmndi:BPMNShape id="S_Start" bpmnElement="StartEvent_1"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
        <bpmndi:BPMNShape id="S_Review" bpmnElement="Review"><dc:Bounds x="200" y="78" width="100" height="80" /></bpmndi:BPMNShape>
        <bpmndi:BPMNShape id="S_Refund" bpmnElement="Refund"><dc:Bounds x="360" y="78" width="100" height="80" /></bpmndi:BPMNShape>
        <bpmndi:BPMNShape id="S_End" bpmnElement="End"><dc:Bounds x="520" y="100" width="36" height="36" /></bpmndi:BPMNShape>
        <bpmndi:BPMNEdge id="E1" bpmnElement="F1"><di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" /></bpmndi:BPMNEdge>
        <bpmndi:BPMNEdge id="E2" bpmnElement="F2"><di:waypoint x="300" y="118" /><di:waypoint x="360" y="118" /></bpmndi:BPMNEdge>
        <bpmndi:BPMNEdge id="E3" bpmnElement="F3"><di:waypoint x="460" y="118" /><di:waypoint x="520" y="118" /></bpmndi:BPMNEdge>
      </bpmndi:BPMNPlane>
    </bpmndi:BPMNDiagram></bpmn:definitions>`,
  );
const WORKFLOW = 'order-fulfillment';

type Modeler = {
  get(name: string): {
    get?(id: string): unknown;
    select?(element: unknown): void;
  };
};

describe('the workflow pages in a browser (Debian chromium)', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png` });
  /** Selects an element on the canvas the way a click does, so the properties panel shows it. */
  const select = (elementId: string) =>
    page.evaluate((id) => {
      const modeler = (globalThis as unknown as { bpmnModeler: Modeler }).bpmnModeler;
      modeler.get('selection').select!(modeler.get('elementRegistry').get!(id));
    }, elementId);
  /** An attribute of an element's business object (`name`, `oms:dueIn`, ...), as the modeler holds it. */
  const attributeOf = (elementId: string, attribute: string) =>
    page.evaluate(([id, name]) => {
      const modeler = (globalThis as unknown as { bpmnModeler: Modeler }).bpmnModeler;
      return (modeler.get('elementRegistry').get!(id) as { businessObject: { get(name: string): string | undefined } }).businessObject.get(name);
    }, [elementId, attribute]);
  const nameOf = (elementId: string) => attributeOf(elementId, 'name');
  /** The panel writes a typed value after a short debounce; wait for it before selecting something else. */
  const committed = (elementId: string, attribute: string, value: string) =>
    eventually(async () => ((await attributeOf(elementId, attribute)) === value ? true : undefined), { what: `${elementId} ${attribute} = ${value}` });
  const problem = (elementId: string, source: 'lint' | 'server' = 'lint') => page.locator(`[data-testid=problems] li.oms-problem-error[data-source=${source}][data-element-id="${elementId}"]`);

  beforeAll(async () => {
    const esmMode = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('--experimental-vm-modules');
    if (!esmMode) throw new Error('AdminJS is ESM-only: run this file with node --experimental-vm-modules node_modules/jest/bin/jest.js (STACK.md trap 2)');
    buildWorkflowUiBundles();
    browser = await launchChromium();
    app = await startTestApp({ admin: true });
    auth = { Authorization: `Bearer ${await app.login()}` };
    // the English pages (the first admin has the install's default, zh-CN)
    await setOwnLocale(app, auth, 'en');
    base = baseUrl(app);
    context = await browser.newContext({ viewport: { width: 1600, height: 950 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    pageErrors = collectPageErrors(page);
    await adminLogin(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    process.env.NODE_ENV = savedEnv.NODE_ENV;
    if (savedEnv.ADMIN_JS_SKIP_BUNDLE === undefined) delete process.env.ADMIN_JS_SKIP_BUNDLE;
    else process.env.ADMIN_JS_SKIP_BUNDLE = savedEnv.ADMIN_JS_SKIP_BUNDLE;
  });

  afterEach(async () => {
    // network answers such as a 404 for "no draft yet" are logged by chromium as "Failed to load resource"
    expect(pageErrors.filter((error) => !/Failed to load resource/.test(error))).toEqual([]);
    // a page whose start-up failed says why in data-failed
    if (page.url().includes('/admin/workflow-ui/')) await expect(page.locator('body').getAttribute('data-failed')).resolves.toBeNull();
  });

  it('sends a visitor without an admin session to the login, and hands API tokens only to the pages of a session', async () => {
    await app.http.get('/admin/workflow-ui/modeler?key=order-fulfillment').expect(302).expect('Location', '/admin/login');
    await app.http.post('/admin/workflow-ui/token').set('X-Requested-With', 'oms-workflow-ui').expect(302).expect('Location', '/admin/login');
    await app.http.get('/workflow-ui/modeler?key=x').expect(302).expect('Location', '/admin/workflow-ui/modeler?key=x');
    await app.http.get('/workflow-ui/assets/modeler.js').expect(200).expect('Content-Type', /javascript/);
    await app.http.get('/workflow-ui/assets/..%2Fpackage.json').expect(404);

    const cookies = (await context.cookies()).filter((cookie) => cookie.name === 'oms_admin');
    expect(cookies).toHaveLength(1);
    const cookie = `oms_admin=${cookies[0].value}`;
    // a request another site could make (no marker header, or a cross-site fetch) gets nothing
    await app.http.post('/admin/workflow-ui/token').set('Cookie', cookie).expect(403);
    await app.http.post('/admin/workflow-ui/token').set('Cookie', cookie).set('X-Requested-With', 'oms-workflow-ui').set('Sec-Fetch-Site', 'cross-site').expect(403);
    const issued = await app.http.post('/admin/workflow-ui/token').set('Cookie', cookie).set('X-Requested-With', 'oms-workflow-ui').expect(200);
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(issued.body.user).toMatchObject({ email: ADMIN_EMAIL, roles: ['admin'] });
    // the token is an ordinary API token of the signed-in user
    await app.http.get('/api/workflows').set('Authorization', `Bearer ${issued.body.accessToken}`).expect(200);

    const html = await app.http.get('/admin/workflow-ui/modeler').set('Cookie', cookie).expect(200).expect('Content-Type', /html/);
    expect(html.headers['content-security-policy']).toContain("script-src 'self'");
    await app.http.get('/admin/workflow-ui/nothing-here').set('Cookie', cookie).expect(404);
  });

  it('changes order-fulfillment in the modeler, shows a lint problem and the server refusal, and deploys the fix as version 2', async () => {
    await page.goto(`${base}/admin/workflow-ui/modeler?key=${WORKFLOW}`);
    await page.locator('[data-element-id="Task_Review"]').first().waitFor();
    await expect(page.getByTestId('diagram-status').textContent()).resolves.toMatch(/^version 1 · deployed/);
    // the shipped diagram lints without errors, and the bpmn.io watermark is there
    await expect(page.locator('[data-testid=problems] li.oms-problem-error').count()).resolves.toBe(0);
    await expect(page.locator('.bjs-powered-by').isVisible()).resolves.toBe(true);

    // rename a task in the properties panel
    await page.locator('[data-element-id="Task_Review"]').first().click();
    // an English user gets bpmn-js's texts as bpmn-js writes them (a zh-CN user: admin-language.spec.ts)
    await expect(page.locator('.djs-palette [data-action="create.start-event"]').getAttribute('aria-label')).resolves.toBe('Create start event');
    await expect(page.locator('.djs-context-pad [data-action="append.append-task"]').getAttribute('title')).resolves.toBe('Append task');
    await expect(page.locator('.bio-properties-panel-header-type').textContent()).resolves.toBe('Service Task');
    await expect(page.locator('.bio-properties-panel-group-header-title').allInnerTexts()).resolves.toEqual(expect.arrayContaining(['General', 'Documentation']));
    const name = page.locator('#bio-properties-panel-name');
    await expect(name.inputValue()).resolves.toBe('Review order');
    await name.fill('Review the order');
    await committed('Task_Review', 'name', 'Review the order');
    await expect(page.locator('g.djs-element[data-element-id="Task_Review"] text').textContent()).resolves.toContain('Review the order');
    await expect(page.getByTestId('diagram-status').textContent()).resolves.toMatch(/unsaved changes/);
    await shot('modeler-renamed');

    // save as draft: stored on the server, and what the modeler opens next time (it is newer than version 1)
    await page.locator('[data-action=save-draft]').click();
    await page.locator('#oms-notice.oms-notice-success', { hasText: 'Draft saved' }).waitFor();
    const draft = await app.http.get(`/api/workflows/${WORKFLOW}/draft`).set(auth).expect(200);
    expect(draft.body).toMatchObject({ updatedBy: ADMIN_EMAIL });
    expect(draft.body.xml).toContain('name="Review the order"');
    await page.reload();
    await page.locator('[data-element-id="Task_Review"]').first().waitFor();
    await expect(page.getByTestId('diagram-status').textContent()).resolves.toMatch(/^draft · saved .* by admin@test\.local · v1 is deployed$/);
    await expect(nameOf('Task_Review')).resolves.toBe('Review the order');

    // the "OMS task" group: take the task type away from the confirmation → live lint reports it
    await select('Task_SendConfirmation');
    const taskType = page.locator('#bio-properties-panel-omsTaskType');
    await expect(taskType.inputValue()).resolves.toBe('notify.send');
    await expect(page.locator('#bio-properties-panel-omsInput-template').inputValue()).resolves.toBe('order-confirmation');
    await taskType.selectOption('');
    await problem('Task_SendConfirmation').first().waitFor();
    await expect(problem('Task_SendConfirmation').first().textContent()).resolves.toMatch(/names no task type/);
    await shot('modeler-lint-problem');

    // a deploy now is refused by the server (422), and the problem names the element
    await page.locator('[data-action=deploy]').click();
    await page.locator('#oms-notice.oms-notice-error', { hasText: 'Not deployed' }).waitFor();
    await problem('Task_SendConfirmation', 'server').first().waitFor();
    await expect(problem('Task_SendConfirmation', 'server').first().textContent()).resolves.toMatch(/names no task type/);
    await expect(page.locator('g.djs-element.oms-problem[data-element-id="Task_SendConfirmation"]').count()).resolves.toBe(1);
    await shot('modeler-refused');
    const unchanged = await app.http.get('/api/workflows').set(auth).expect(200);
    expect(unchanged.body.find((workflow: { key: string }) => workflow.key === WORKFLOW).latestVersion).toBe(1);

    // fix it: the lint problem goes away
    await select('Task_SendConfirmation');
    await page.locator('#bio-properties-panel-omsTaskType').selectOption('notify.send');
    await eventually(async () => ((await problem('Task_SendConfirmation').count()) === 0 ? true : undefined), { what: 'the lint problem to go' });
    // changing the element also clears what the server said about it
    await expect(page.locator('[data-testid=problems] li.oms-problem-error').count()).resolves.toBe(0);

    // deploy
    await page.locator('[data-action=deploy]').click();
    await page.locator('#oms-notice.oms-notice-success', { hasText: 'Deployed as version 2' }).waitFor();
    await expect(page.getByTestId('diagram-status').textContent()).resolves.toMatch(/^version 2 · deployed/);
    await expect(page.locator('[data-testid=problems] li.oms-problem-error').count()).resolves.toBe(0);
    await shot('modeler-deployed');

    // conditions on the flows leaving a gateway are edited in the "Condition" group
    await select('Flow_Approved');
    await expect(page.locator('#bio-properties-panel-omsCondition').inputValue()).resolves.toBe('${reviewOutcome == "approved"}');

    // token simulation: on (modeling palette hidden, play buttons on the start event), then off again
    await page.locator('[data-action=simulate]').click();
    await page.locator('.bjs-container.simulation').waitFor();
    await page.locator('.djs-overlay-container .bts-context-pad').first().waitFor();
    await shot('modeler-simulation');
    await page.locator('[data-action=simulate]').click();
    await expect(page.locator('.bjs-container.simulation').count()).resolves.toBe(0);

    const workflows = await app.http.get('/api/workflows').set(auth).expect(200);
    expect(workflows.body.find((workflow: { key: string }) => workflow.key === WORKFLOW).latestVersion).toBe(2);
    const version2 = await app.http.get(`/api/workflows/${WORKFLOW}/versions/2`).set(auth).expect(200);
    expect(version2.body.xml).toContain('name="Review the order"');
    expect(version2.body.xml).toMatch(/<bpmn:serviceTask id="Task_SendConfirmation"[^>]*oms:taskType="notify.send"/);
    expect(version2.body.xml).toMatch(/<oms:input name="template" value="order-confirmation"/);
    expect(version2.body.deployedBy).toBe(ADMIN_EMAIL);
  });

  it("opens an order's process instance from the admin and marks the element it waits at", async () => {
    const sku = unique('UI');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const order = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
    const instanceId = order.processInstanceId as string;
    const instance = await eventually(async () => {
      const body = (await app.http.get(`/api/process-instances/${instanceId}`).set(auth).expect(200)).body;
      return body.waitingAt?.some((wait: { elementId: string }) => wait.elementId === 'Event_OrderShipped') ? body : undefined;
    }, { what: 'the order to wait for shipment' });
    expect(instance).toMatchObject({ definitionKey: WORKFLOW, version: 2 });

    // from the instance's page in AdminJS, its "Open diagram" action
    await page.goto(`${base}/admin/resources/ProcessInstance/records/${instanceId}/show`);
    await page.locator('[data-testid="action-openDiagram"]').first().waitFor();
    await shot('admin-instance');
    await Promise.all([page.waitForURL(`${base}/admin/workflow-ui/instance?id=${instanceId}`), page.locator('[data-testid="action-openDiagram"]').first().click()]);

    const current = page.locator('g.djs-element[data-element-id="Event_OrderShipped"]');
    await page.locator('g.djs-element.oms-current[data-element-id="Event_OrderShipped"]').waitFor();
    await expect(current.getAttribute('class')).resolves.toMatch(/\boms-current\b/);
    await expect(page.locator('g.djs-element[data-element-id="Task_Review"]').getAttribute('class')).resolves.toMatch(/\boms-completed\b/);
    await expect(page.locator('g.djs-element[data-element-id="End_Shipped"]').getAttribute('class')).resolves.not.toMatch(/\boms-(current|completed)\b/);
    await expect(page.getByTestId('instance-status').textContent()).resolves.toBe('waiting');
    await expect(page.getByTestId('history').textContent()).resolves.toContain('Review the order');
    await expect(page.getByTestId('variables').textContent()).resolves.toContain(order.number);
    await shot('instance');
  });

  it('draws a new workflow with a user task, deploys it, and works the task in the tasklist', async () => {
    const key = unique('ui-refund').toLowerCase();
    await page.goto(`${base}/admin/workflow-ui/modeler`);
    await page.getByRole('cell', { name: WORKFLOW, exact: true }).waitFor();
    await page.locator('input[name=key]').fill(key);
    await Promise.all([page.waitForURL(`${base}/admin/workflow-ui/modeler?key=${key}`), page.getByRole('button', { name: 'Create' }).click()]);
    await page.locator('[data-element-id="StartEvent_1"]').first().waitFor();
    await expect(page.getByTestId('diagram-status').textContent()).resolves.toBe('new diagram · not deployed yet');

    // start → user task → service task → end, placed the way the context pad's "append" does
    await page.evaluate(() => {
      type Shape = { id: string };
      const modeler = (globalThis as unknown as { bpmnModeler: { get(name: string): Record<string, (...args: unknown[]) => unknown> } }).bpmnModeler;
      const append = (source: unknown, type: string, name: string, id: string) => {
        const shape = modeler.get('elementFactory').createShape({ type }) as Shape;
        const placed = modeler.get('autoPlace').append(source, shape) as Shape;
        modeler.get('modeling').updateProperties(placed, { id, name });
        return placed;
      };
      const review = append(modeler.get('elementRegistry').get('StartEvent_1'), 'bpmn:UserTask', 'Approve refund', 'Task_Approve');
      const mark = append(review, 'bpmn:ServiceTask', 'Mark approved', 'Task_Mark');
      append(mark, 'bpmn:EndEvent', 'Done', 'End_Done');
    });
    // the user task's candidate roles and due time, in the "Tasklist" group
    await select('Task_Approve');
    await page.locator('#bio-properties-panel-omsCandidateRoles').fill('operator, finance');
    await page.locator('#bio-properties-panel-omsDueIn').fill('P2D');
    await committed('Task_Approve', 'oms:dueIn', 'P2D');
    await committed('Task_Approve', 'oms:candidateRoles', 'operator, finance');
    // its form: the only variables completing it may set (issue 11)
    await page.locator('#bio-properties-panel-omsFormFields').fill('refundAmount: number* Refund amount\ncomment: string');
    await eventually(async () => ((await page.evaluate(() => {
      const modeler = (globalThis as unknown as { bpmnModeler: Modeler }).bpmnModeler;
      const task = modeler.get('elementRegistry').get!('Task_Approve') as { businessObject: { extensionElements?: { values: Array<{ $type: string }> } } };
      return (task.businessObject.extensionElements?.values ?? []).filter((value) => value.$type === 'oms:FormField').length;
    })) === 2 ? true : undefined), { what: 'the two form fields in the diagram' });
    // the service task has no type yet: a lint error until one is chosen
    await problem('Task_Mark').first().waitFor();
    await select('Task_Mark');
    await page.locator('#bio-properties-panel-omsTaskType').selectOption('workflow.set-variables');
    await page.locator('#bio-properties-panel-omsOtherInputs').fill('approved=true\nchannel=tasklist');
    await eventually(async () => ((await page.locator('[data-testid=problems] li.oms-problem-error').count()) === 0 ? true : undefined), { what: 'no lint errors' });
    await page.locator('[data-action=deploy]').click();
    await page.locator('#oms-notice.oms-notice-success', { hasText: 'Deployed as version 1' }).waitFor();
    const deployed = await app.http.get(`/api/workflows/${key}/versions/1`).set(auth).expect(200);
    expect(deployed.body.xml).toMatch(/<bpmn:userTask id="Task_Approve" name="Approve refund" oms:candidateRoles="operator, finance" oms:dueIn="P2D"/);
    expect(deployed.body.xml).toContain('<oms:input name="channel" value="tasklist" />');
    expect(deployed.body.xml).toMatch(/<oms:formField name="refundAmount" label="Refund amount" type="number" required="true" \/>/);

    const started = await app.http.post('/api/process-instances').set(auth).send({ key, businessKey: 'RMA-UI-1' }).expect(201);
    const instanceId = started.body.id as string;
    await eventually(async () => {
      const tasks = (await app.http.get(`/api/tasks?instanceId=${instanceId}`).set(auth).expect(200)).body.items;
      return tasks.length ? tasks : undefined;
    }, { what: 'the user task' });

    await page.goto(`${base}/admin/workflow-ui/tasks?role=finance`);
    const row = page.locator('[data-testid=tasks] tr', { hasText: 'RMA-UI-1' });
    await row.getByRole('button', { name: 'Claim' }).click();
    await page.locator('#oms-notice.oms-notice-success', { hasText: 'Claimed' }).waitFor();
    await expect(row.textContent()).resolves.toContain(ADMIN_EMAIL);
    await row.getByRole('button', { name: 'Complete…' }).click();
    const form = page.locator('.oms-complete-form');
    await form.getByLabel('Refund amount *').fill('12.50');
    await form.getByLabel('comment').fill('客户已确认');
    await shot('tasks');
    await form.getByRole('button', { name: 'Complete task' }).click();
    await page.locator('#oms-notice.oms-notice-success', { hasText: 'Completed "Approve refund"' }).waitFor();

    const finished = await eventually(async () => {
      const body = (await app.http.get(`/api/process-instances/${instanceId}`).set(auth).expect(200)).body;
      return body.status === 'completed' ? body : undefined;
    }, { what: 'the instance to complete' });
    expect(finished.variables).toMatchObject({ refundAmount: 12.5, comment: '客户已确认', approved: true, channel: 'tasklist' });
  });

  it('an analyst deploying a diagram that refunds is refused in the modeler, each task naming the permission it needs', async () => {
    const email = `${unique('analyst')}@test.local`.toLowerCase();
    await app.running.app.get(AuthService).createUser(email, 'analyst-password-1', ['analyst']);
    const analystContext = await browser.newContext({ viewport: { width: 1600, height: 950 } });
    const analystPage = await analystContext.newPage();
    analystPage.setDefaultTimeout(20_000);
    const analystErrors = collectPageErrors(analystPage);
    try {
      await adminLogin(analystPage, base, email, 'analyst-password-1');
      const key = unique('analyst-refund').toLowerCase();
      await analystPage.goto(`${base}/admin/workflow-ui/modeler?key=${key}`);
      await analystPage.locator('[data-element-id="StartEvent_1"]').first().waitFor();
      await analystPage.evaluate(async (xml) => {
        await (globalThis as unknown as { bpmnModeler: { importXML(xml: string): Promise<unknown> } }).bpmnModeler.importXML(xml);
      }, refundAttack(key));
      await analystPage.locator('[data-action=deploy]').click();
      await analystPage.locator('#oms-notice.oms-notice-error', { hasText: 'aftersales.refund needs aftersales.refund' }).waitFor();
      const refused = analystPage.locator('[data-testid=problems] li.oms-problem-error[data-source=server]');
      await expect(refused.filter({ hasText: 'task type aftersales.refund needs permission aftersales.refund' }).getAttribute('data-element-id')).resolves.toBe('Refund');
      await expect(refused.filter({ hasText: 'task type aftersales.review needs permission aftersales.write' }).getAttribute('data-element-id')).resolves.toBe('Review');
      await analystPage.screenshot({ path: `${SCREENSHOTS}/oms-modeler-deploy-refused.png` });
      await app.http.get(`/api/workflows/${key}/versions/1`).set(auth).expect(404);
      expect(analystErrors.filter((error) => !/Failed to load resource/.test(error))).toEqual([]);
    } finally {
      await analystContext.close();
    }
  });
});

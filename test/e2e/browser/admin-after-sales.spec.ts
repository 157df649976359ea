import { useAdminBrowser } from '../../helpers/browser';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

/** Issue 6 acceptance: a case's process instance is visible on its diagram in the admin with its current step. */
describe('after-sales cases in a browser (Debian chromium)', () => {
  const admin = useAdminBrowser({ component: 'CaseDetail' });
  let app: typeof admin.app;
  let auth: typeof admin.auth;
  let base: string;
  let page: typeof admin.page;
  beforeAll(() => ({ app, auth, base, page } = admin));

  const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });
  const instanceOf = async (id: string) => (await app.http.get(`/api/process-instances/${id}`).set(auth).expect(200)).body;
  const waitingAt = (instanceId: string, elementId: string) =>
    eventually(async () => ((await instanceOf(instanceId)).waitingAt?.some((wait: { elementId: string }) => wait.elementId === elementId) ? true : undefined), {
      what: `the case's process to wait at ${elementId}`,
    });

  it('opens a case from its order, finds it in the queue, approves it with its button, and "Open diagram" shows its process waiting at the receipt', async () => {
    const sku = unique('BAS');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const order = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
    await eventually(async () => ((await app.http.get(`/api/orders/${order.id}`).set(auth).expect(200)).body.status === 'awaiting_shipment' ? true : undefined), { what: 'the order to be allocated' });
    await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: unique('SF').slice(0, 30) }).expect(200);

    // "Open after-sales case" on the order's page: the shipped lines as rows, a quantity for the one the case is about
    await page.goto(`${base}/admin/resources/Order/records/${order.id}/show`);
    await page.getByTestId('action-openCase').click();
    await page.getByTestId('action-form').waitFor();
    await expect(page.getByTestId('value-lines.0.sku').textContent()).resolves.toBe(sku);
    await page.locator('select[name="type"]').selectOption('return');
    await page.locator('input[name="lines.0.quantity"]').fill('1');
    await page.locator('input[name="reason"]').fill('too small');
    await shot('admin-open-case');
    await page.getByTestId('form-submit').click();
    await page.waitForURL(/\/admin\/resources\/AfterSalesCase\/records\/[0-9a-f-]+\/show/);
    const caseId = /records\/([0-9a-f-]+)\/show/.exec(page.url())![1];
    const opened = (await app.http.get(`/api/after-sales/${caseId}`).set(auth).expect(200)).body;
    expect(opened).toMatchObject({ orderId: order.id, type: 'return', status: 'requested', lines: [expect.objectContaining({ sku, quantity: 1 })], reason: 'too small' });
    await page.getByTestId('case-detail').waitFor();

    // the dashboard's after-sales tiles, then the queue filtered by the order, whose row opens the case page
    await page.goto(`${base}/admin`);
    await page.getByTestId('after-sales-queue').first().waitFor();
    await shot('admin-dashboard-after-sales');
    await page.goto(`${base}/admin/resources/AfterSalesCase?filters.orderId=${encodeURIComponent(order.number)}`);
    const row = page.locator('tr', { hasText: opened.number });
    await row.waitFor();
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    await shot('admin-case-list');
    await row.getByText(opened.number).click();
    await page.waitForURL(`${base}/admin/resources/AfterSalesCase/records/${opened.id}/show**`);
    await page.getByTestId('case-detail').waitFor();
    await expect(page.getByTestId('case-status').getAttribute('data-status')).resolves.toBe('requested');
    await expect(page.getByTestId('case-status').textContent()).resolves.toBe('Awaiting review');
    await expect(page.getByTestId('lines').textContent()).resolves.toContain(sku);
    await expect(page.getByTestId('history').textContent()).resolves.toContain('too small');
    await expect(page.getByTestId('case-order').getAttribute('href')).resolves.toBe(`/admin/resources/Order/records/${order.id}/show`);
    await shot('admin-case-detail');

    await page.getByTestId('action-approve').click();
    await page.getByTestId('action-form').waitFor();
    await page.locator('input[name="owner"]').fill('cs-lead@test.local');
    await page.getByTestId('form-submit').click();
    await page.waitForURL(`${base}/admin/resources/AfterSalesCase/records/${opened.id}/show**`);
    // the page may still show the record it had until the answer's arrives
    await page.locator('[data-testid="case-status"][data-status="approved"]').waitFor();
    await expect(page.getByTestId('case-status').textContent()).resolves.toBe('Approved');
    await waitingAt(opened.processInstanceId, 'Task_Receive');

    await Promise.all([page.waitForURL(`${base}/admin/workflow-ui/instance?id=${opened.processInstanceId}`), page.getByTestId('process-diagram').click()]);
    await page.locator('g.djs-element.oms-current[data-element-id="Task_Receive"]').waitFor();
    await expect(page.locator('g.djs-element[data-element-id="Task_Review"]').getAttribute('class')).resolves.toMatch(/\boms-completed\b/);
    await expect(page.locator('g.djs-element[data-element-id="Task_Refund"]').getAttribute('class')).resolves.not.toMatch(/\boms-(current|completed)\b/);
    await expect(page.getByTestId('instance-status').textContent()).resolves.toBe('waiting');
    await expect(page.getByTestId('variables').textContent()).resolves.toContain(opened.number);
    await shot('admin-case-instance');
  });
});

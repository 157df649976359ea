import type { BrowserContext, Page, Response } from 'playwright-core';
import { adminLogin, collectPageErrors, realErrors, useAdminBrowser } from '../../helpers/browser';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';
const PASSWORD = 'warehouse-password-zh-1';

/**
 * Issue 14 item 5 acceptance (G1.4, G2.3, G2.4), as a Chinese warehouse team works: a zh-CN user of the warehouse role
 * restocks from the admin (入库) and the order waiting for the stock goes on; creates a wave (创建波次), prints the pick
 * list, confirms it picked (确认拣货); opens a shipment's label (打印面单) as a PDF.
 */
describe('the warehouse screens in Chinese (Debian chromium)', () => {
  const test = useAdminBrowser({ component: 'PickListDetail' });
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const token = () => test.auth.Authorization.slice('Bearer '.length);
  const shot = (name: string, on: Page = page) => on.screenshot({ path: `${SCREENSHOTS}/oms-warehouse-${name}.png`, fullPage: true });
  const getOrder = async (id: string) => (await test.app.http.get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const orderIn = (id: string, status: string) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === status ? order : undefined;
    }, { what: `order ${id} to be ${status}` });

  beforeAll(async () => {
    const email = `${unique('wh')}@test.local`.toLowerCase();
    await test.app.http.post('/api/users').set(test.auth).send({ email, name: '赵仓管', password: PASSWORD, roles: ['warehouse'], locale: 'zh-CN' }).expect(201);
    context = await test.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    errors = collectPageErrors(page);
    await adminLogin(page, test.base, email, PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  afterEach(() => {
    expect(realErrors(errors)).toEqual([]);
  });

  it('入库 from the admin releases an order waiting for stock; the stock list finds it by product name', async () => {
    const sku = unique('RST');
    const { warehouse } = await stockedCatalogue(test.app, token(), { [sku]: 0 });
    const created = (await test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 2 }])).expect(201)).body;
    await orderIn(created.id, 'awaiting_stock');

    await page.goto(`${test.base}/admin/resources/StockLevel`);
    await page.getByTestId('action-receiveStock').click();
    const form = page.getByTestId('action-form');
    await form.waitFor();
    await expect(form.textContent()).resolves.toContain('入库数量');
    await page.locator('select[name="warehouse"]').selectOption(warehouse);
    await page.locator('input[name="sku"]').fill(sku);
    await page.locator('input[name="quantity"]').fill('-4');
    await page.getByTestId('form-submit').click();
    await expect(page.getByTestId('field-error').first().textContent()).resolves.toBe('须为正整数');
    expect((await getOrder(created.id)).status).toBe('awaiting_stock');

    await page.locator('input[name="quantity"]').fill('10');
    await page.locator('input[name="reference"]').fill('PO-20261207');
    await shot('receive-form');
    await page.getByTestId('form-submit').click();
    await page.waitForURL(/\/admin\/resources\/StockLevel\/records\/[^/]+\/show/);
    await expect(page.getByText(`${warehouse} 已入库 ${sku} × 10`).first().textContent()).resolves.toContain('可用');

    const allocated = await orderIn(created.id, 'awaiting_shipment');
    expect(allocated.lines[0].reserved).toBe(2);
    await page.goto(`${test.base}/admin/resources/StockLevel?filters.q=${encodeURIComponent(`Product ${sku}`)}`);
    const row = page.locator('tbody tr', { hasText: sku });
    await row.waitFor();
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toContain(`Product ${sku}`);
    await expect(page.locator('thead').textContent()).resolves.toContain('商品名称');
    await shot('stock-list');
  });

  it('创建波次, 打印拣货单 with the lines in walking order, 确认拣货; 打印面单 on the shipment opens the PDF', async () => {
    const skus = [unique('PKB'), unique('PKA')];
    const { warehouse } = await stockedCatalogue(test.app, token(), { [skus[0]]: 10, [skus[1]]: 10 });
    // bins: the second SKU's bin comes first on the walk
    await test.app.http.put(`/api/inventory/${warehouse}/${skus[0]}`).set(test.auth).send({ onHand: 10, bin: 'B-10-1' }).expect(200);
    await test.app.http.put(`/api/inventory/${warehouse}/${skus[1]}`).set(test.auth).send({ onHand: 10, bin: 'A-2-3' }).expect(200);
    const created = (await test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku: skus[0], quantity: 1 }, { sku: skus[1], quantity: 3 }])).expect(201)).body;
    const order = await orderIn(created.id, 'awaiting_shipment');
    const shipmentId = order.shipments[0].id as string;

    await page.goto(`${test.base}/admin/resources/PickList`);
    await page.getByTestId('action-createWave').click();
    await page.getByTestId('action-form').waitFor();
    await page.locator('select[name="warehouse"]').selectOption(warehouse);
    await shot('wave-form');
    await page.getByTestId('form-submit').click();
    await page.waitForURL(/\/admin\/resources\/PickList\/records\/[^/]+\/show/);
    const detail = page.getByTestId('pick-list-detail');
    await detail.waitFor();
    await expect(page.getByTestId('pick-list-status').textContent()).resolves.toBe('待拣货');
    const lines = await page.getByTestId('pick-lines').locator('tbody tr').allTextContents();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('A-2-3');
    expect(lines[0]).toContain(skus[1]);
    expect(lines[1]).toContain(skus[0]);
    await expect(page.getByTestId('wave-shipments').textContent()).resolves.toContain(order.number);
    expect((await getOrder(created.id)).shipments[0].status).toBe('picking');
    await shot('pick-list');

    // 打印拣货单: a print-friendly page in a new tab, the lines in walking order
    const [printPage] = await Promise.all([context.waitForEvent('page'), page.getByTestId('print-pick-list').click()]);
    await printPage.waitForLoadState();
    const printed = await printPage.locator('[data-testid="print-lines"] tbody tr').allTextContents();
    expect(printed.map((text) => text.includes(skus[1]))).toEqual([true, false]);
    expect(printed[0]).toContain('A-2-3');
    expect(printed[0]).toContain(`Product ${skus[1]}`);
    expect(printed[0]).toContain('3');
    await expect(printPage.locator('h1').textContent()).resolves.toMatch(/^拣货单 PL\d+$/);
    await expect(printPage.locator('#print').textContent()).resolves.toBe('打印');
    await shot('pick-list-print', printPage);
    await printPage.close();

    // 确认拣货 (with AdminJS's confirmation)
    await page.getByTestId('action-confirmPicked').click();
    await page.getByText('确认此拣货单的所有商品都已拣货并送到打包台？').waitFor();
    await shot('pick-list-confirm');
    await page.getByRole('button', { name: '确认', exact: true }).click();
    await eventually(async () => ((await page.getByTestId('pick-list-status').getAttribute('data-status')) === 'picked' ? true : undefined), { what: 'the pick list to show as picked' });
    await expect(page.getByTestId('pick-list-status').textContent()).resolves.toBe('已拣货');
    await shot('pick-list-picked');
    await page.goto(`${test.base}/admin/resources/PickList`);
    await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('已拣货');
    await shot('pick-list-list');

    // the shipment's page: 打印面单 / 打印装箱单 / 打印发票
    await page.goto(`${test.base}/admin/resources/Shipment/records/${shipmentId}/show`);
    const documents = page.getByTestId('shipment-documents');
    await documents.waitFor();
    await expect(documents.textContent()).resolves.toBe('打印面单打印装箱单打印发票');
    await expect(page.getByText(`${skus[0]} × 1`).count()).resolves.toBe(1);
    await shot('shipment');
    const labelUrl = `${test.base}/admin/warehouse/shipments/${shipmentId}/label.pdf`;
    const pdf = context.waitForEvent('response', (response: Response) => response.url() === labelUrl);
    const [tab] = await Promise.all([context.waitForEvent('page'), page.getByTestId('print-label').click()]);
    const label = await pdf;
    expect(label.status()).toBe(200);
    expect(label.headers()['content-type']).toBe('application/pdf');
    await tab.waitForLoadState();
    await tab.waitForTimeout(1500); // the PDF viewer draws the page
    await shot('label-tab', tab);
    await tab.close();
    // the same address with the browser's session (Chromium's viewer answers the tab's body with its own page)
    const fetched = await context.request.get(labelUrl);
    expect(fetched.headers()['content-type']).toBe('application/pdf');
    expect((await fetched.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // 打包 on the same page
    await page.getByTestId('action-pack').click();
    await page.getByText('确认此发货单已装箱并放入单据？快递揽收后库存出库。').waitFor();
    await page.getByRole('button', { name: '确认', exact: true }).click();
    await eventually(async () => ((await getOrder(created.id)).shipments[0].status === 'packed' ? true : undefined), { what: 'the shipment to be packed' });
    await page.locator('[data-status="packed"]').waitFor();
    await shot('shipment-packed');
  });

  it('the product page shows the stock in each warehouse', async () => {
    const sku = unique('PRS');
    const { warehouse } = await stockedCatalogue(test.app, token(), { [sku]: 6 });
    const product = (await test.app.http.get(`/api/products/${encodeURIComponent(sku)}`).set(test.auth).expect(200)).body;
    await page.goto(`${test.base}/admin/resources/Product/records/${product.id}/show`);
    const stock = page.getByTestId('product-stock');
    await stock.waitFor();
    const rows = await stock.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(warehouse);
    expect(rows[0]).toContain('6');
    await expect(stock.locator('thead').textContent()).resolves.toContain('可用库存');
    await shot('product');
  });
});

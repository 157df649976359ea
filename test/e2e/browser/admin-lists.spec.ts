import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { adminLogin, baseUrl, collectPageErrors, launchChromium, setOwnLocale } from '../../helpers/browser';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestApp, type TestApp } from '../../helpers/test-app';

// issue 14 items 6-7 (G2.5, G2.1): the order list's search box, batch approve, export; the customers page. In zh-CN.
const savedEnv = { NODE_ENV: process.env.NODE_ENV, ADMIN_JS_SKIP_BUNDLE: process.env.ADMIN_JS_SKIP_BUNDLE };
process.env.NODE_ENV = 'production';
delete process.env.ADMIN_JS_SKIP_BUNDLE;

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

describe('the order list and customers in a browser (zh-CN)', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let base: string;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const sku = unique('LST');
  const phone = `139${String(Date.now()).slice(-8)}`;
  const name = `批量${String(Date.now()).slice(-4)}`;
  const orders: Array<{ id: string; number: string }> = [];

  const shot = (file: string) => page.screenshot({ path: `${SCREENSHOTS}/oms-${file}.png`, fullPage: true });
  const statusOf = async (id: string) => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body.status as string;

  beforeAll(async () => {
    const esmMode = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('--experimental-vm-modules');
    if (!esmMode) throw new Error('AdminJS is ESM-only: run this file with node --experimental-vm-modules node_modules/jest/bin/jest.js (STACK.md trap 2)');
    browser = await launchChromium();
    app = await startTestApp({ admin: true });
    auth = { Authorization: `Bearer ${await app.login()}` };
    await setOwnLocale(app, auth, 'zh-CN');
    base = baseUrl(app);
    await eventually(async () => {
      const bundle = await app.http.get('/admin/frontend/assets/components.bundle.js');
      return bundle.status === 200 && bundle.text.includes('BatchAction') ? true : undefined;
    }, { timeoutMs: 90_000, intervalMs: 500, what: 'AdminJS to bundle the list screens' });
    // 20 paid orders held for review (auto-review off), one customer, one SKU
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 100 });
    await app.http.put('/api/settings').set(auth).send({ autoReview: { enabled: false } }).expect(200);
    for (let i = 0; i < 20; i += 1) {
      const body = orderBody([{ sku, quantity: 1, unitPrice: '10.00' }], { customer: { name, phone, email: 'pi@example.com' }, shippingFee: '5.00' });
      orders.push((await app.http.post('/api/orders').set(auth).send(body).expect(201)).body);
    }
    await eventually(async () => ((await Promise.all(orders.map((o) => statusOf(o.id)))).every((s) => s === 'pending_review') ? true : undefined), { what: 'the orders to wait for review' });
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })).newPage();
    page.setDefaultTimeout(30_000);
    pageErrors = collectPageErrors(page);
    await adminLogin(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await app?.http.put('/api/settings').set(auth).send({ autoReview: { enabled: true } });
    await browser?.close();
    await app?.close();
    process.env.NODE_ENV = savedEnv.NODE_ENV;
    if (savedEnv.ADMIN_JS_SKIP_BUNDLE !== undefined) process.env.ADMIN_JS_SKIP_BUNDLE = savedEnv.ADMIN_JS_SKIP_BUNDLE;
  });

  afterEach(() => {
    expect(pageErrors.filter((error) => !/Failed to load resource/.test(error))).toEqual([]);
  });

  const search = async (text: string) => {
    await page.locator('[data-testid="order-search"] input[name="q"]').fill(text);
    await page.getByTestId('search-submit').click();
    await page.waitForURL(/filters\.q=/);
    await page.locator('tbody tr').first().waitFor();
  };
  const listedNumbers = async () => (await page.locator('tbody tr td').allTextContents()).join(' ');

  it('the search box finds orders by part of the number, the name, the phone and the SKU', async () => {
    await page.goto(`${base}/admin/resources/Order`);
    await page.getByTestId('order-search').waitFor();
    await expect(page.getByTestId('order-search').textContent()).resolves.toContain('搜索');
    const target = orders[7];
    await search(target.number.slice(-8));
    await eventually(async () => ((await listedNumbers()).includes(target.number) ? true : undefined), { what: 'the number search' });
    await shot('admin-list-search');
    for (const text of [name, phone.slice(2, 9), sku.slice(4).toLowerCase()]) {
      await search(text);
      await eventually(async () => ((await page.locator('tbody tr').count()) === 20 ? true : undefined), { what: `20 orders for ${text}` });
    }
  });

  it('exports the filtered list as CSV and XLSX with exactly the filter\'s orders', async () => {
    await page.goto(`${base}/admin/resources/Order?filters.q=${encodeURIComponent(sku)}`);
    await page.getByTestId('export-csv').waitFor();
    const expected = orders.map((o) => o.number).sort();
    const csvDownload = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]).then(([d]) => d);
    const csv = (await import('node:fs')).readFileSync((await csvDownload.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = csv.slice(1).trim().split(/\r?\n/);
    expect(rows[0].split(',').slice(0, 2)).toEqual(['number', 'status']);
    expect(rows.slice(1).map((row) => row.split(',')[0]).sort()).toEqual(expected);
    expect(csv).toContain(name);
    const xlsxDownload = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]).then(([d]) => d);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsxDownload.path())!);
    const sheet = workbook.getWorksheet('orders')!;
    const numbers: string[] = [];
    sheet.eachRow((row, index) => { if (index > 1) numbers.push(String(row.getCell(1).value)); });
    expect(numbers.sort()).toEqual(expected);
    expect(sheet.getRow(2).getCell(13).value).toBe(15);
  });

  it('a zh-CN operator selects 20 orders awaiting review and approves them in one go; the list shows their new status without a reload', async () => {
    await page.goto(`${base}/admin/resources/Order?filters.q=${encodeURIComponent(sku)}&filters.status=pending_review&perPage=50`);
    await eventually(async () => ((await page.locator('tbody tr').count()) === 20 ? true : undefined), { what: '20 orders awaiting review' });
    await expect(page.locator('tbody').textContent()).resolves.toContain('待审核');
    // select all on the page: AdminJS's header checkbox
    await page.locator('thead .adminjs_Checkbox a').first().click();
    await page.waitForTimeout(500);
    await shot('admin-list-selected');
    const batchButton = page.locator('[data-css$="table-selected-records"], caption').getByText('批量审核', { exact: true }).first();
    await batchButton.waitFor();
    await batchButton.click();
    await page.getByTestId('batch-action').waitFor();
    await expect(page.getByTestId('batch-action').textContent()).resolves.toContain('批量审核 20 个订单');
    await page.getByTestId('batch-run').click();
    const summary = page.getByTestId('batch-summary');
    await summary.waitFor();
    await expect(summary.textContent()).resolves.toContain('20 个已审核，0 个跳过，0 个失败');
    await expect(page.locator('[data-testid="batch-row"][data-outcome="done"]').count()).resolves.toBe(20);
    await shot('admin-batch-approved');
    // every order left pending_review (the service's approval, then the workflow reserved its stock)
    await eventually(async () => ((await Promise.all(orders.map((o) => statusOf(o.id)))).every((s) => s === 'awaiting_shipment') ? true : undefined), { what: 'the 20 orders to be allocated' });

    // back to the list without a page reload: it reads the orders again and shows 待发货
    await page.getByTestId('batch-back').click();
    await page.waitForURL(/\/admin\/resources\/Order/);
    await page.goto(`${base}/admin/resources/Order?filters.q=${encodeURIComponent(sku)}&perPage=50`); // the whole filter, no status
    await eventually(async () => ((await page.locator('tbody tr').count()) === 20 ? true : undefined), { what: 'the 20 orders listed' });
    await eventually(async () => ((await page.locator('tbody').textContent())!.includes('待审核') ? undefined : true), { what: 'no order shown awaiting review' });
    await expect(page.locator('tbody').textContent()).resolves.toContain('待发货');
    await shot('admin-list-after-batch');

    // a second approval of the same orders: each skipped with the status it is in, nothing changed
    await page.locator('thead .adminjs_Checkbox a').first().click();
    await page.locator('[data-css$="table-selected-records"], caption').getByText('批量审核', { exact: true }).first().click();
    await page.getByTestId('batch-run').click();
    await expect(page.getByTestId('batch-summary').textContent()).resolves.toContain('0 个已审核，20 个跳过');
    await expect(page.getByTestId('batch-orders').textContent()).resolves.toContain('状态：待发货');
  });

  it('the customers page lists the customer with figures from their orders; the detail shows orders, spend and last order', async () => {
    // one order cancelled: it counts as an order, not as spend
    await app.http.post(`/api/orders/${orders[0].id}/cancel`).set(auth).send({ reason: '客户取消' }).expect(200);
    const api = (await app.http.get(`/api/customers?q=${phone}`).set(auth).expect(200)).body;
    expect(api.items).toHaveLength(1);
    expect(api.items[0]).toMatchObject({ name, phone, orders: 20, spend: '285.00', emails: ['pi@example.com'] });

    await page.goto(`${base}/admin/pages/customers`);
    await page.getByTestId('customers-list').waitFor();
    await page.locator('[data-testid="customers-list"] input[name="q"]').fill(name);
    await page.getByTestId('customers-search').click();
    const row = page.locator(`[data-testid="customer-row"][data-phone="${phone}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('¥285.00');
    await shot('admin-customers');
    await row.getByText(name).click();
    await page.getByTestId('customer-detail').waitFor();
    await expect(page.getByTestId('customer-orders').textContent()).resolves.toBe('20');
    await expect(page.getByTestId('customer-spend').textContent()).resolves.toBe('¥285.00');
    await expect(page.locator('[data-testid="customer-order"]').count()).resolves.toBe(20);
    await expect(page.getByTestId('customer-order-list').textContent()).resolves.toContain('已取消');
    await shot('admin-customer-detail');
  });
});

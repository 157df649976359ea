import type { Browser, Page } from 'playwright-core';
import { adminLogin, baseUrl, collectPageErrors, launchChromium, setOwnLocale } from '../../helpers/browser';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestApp, type TestApp } from '../../helpers/test-app';

// The order screens are React components that AdminJS bundles at start (in production, once, with no watcher):
// unlike the other admin tests, this one lets it bundle (STACK trap 4), and waits for the bundle.
const savedEnv = { NODE_ENV: process.env.NODE_ENV, ADMIN_JS_SKIP_BUNDLE: process.env.ADMIN_JS_SKIP_BUNDLE };
process.env.NODE_ENV = 'production';
delete process.env.ADMIN_JS_SKIP_BUNDLE;

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

describe('the order screens in a browser (Debian chromium)', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let base: string;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });
  const getOrder = async (id: string) => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;

  beforeAll(async () => {
    const esmMode = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('--experimental-vm-modules');
    if (!esmMode) throw new Error('AdminJS is ESM-only: run this file with node --experimental-vm-modules node_modules/jest/bin/jest.js (STACK.md trap 2)');
    browser = await launchChromium();
    app = await startTestApp({ admin: true });
    auth = { Authorization: `Bearer ${await app.login()}` };
    // the English screens (admin-language.spec.ts is the one in Chinese)
    await setOwnLocale(app, auth, 'en');
    base = baseUrl(app);
    // AdminJS starts bundling when its router is built and does not wait for it
    await eventually(async () => {
      const bundle = await app.http.get('/admin/frontend/assets/components.bundle.js');
      return bundle.status === 200 && bundle.text.includes('OrderDetail') ? true : undefined;
    }, { timeoutMs: 90_000, intervalMs: 500, what: 'AdminJS to bundle the order screens' });
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    page.setDefaultTimeout(20_000);
    pageErrors = collectPageErrors(page);
    await adminLogin(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    process.env.NODE_ENV = savedEnv.NODE_ENV;
    if (savedEnv.ADMIN_JS_SKIP_BUNDLE !== undefined) process.env.ADMIN_JS_SKIP_BUNDLE = savedEnv.ADMIN_JS_SKIP_BUNDLE;
  });

  afterEach(() => {
    expect(pageErrors.filter((error) => !/Failed to load resource/.test(error))).toEqual([]);
  });

  it('the dashboard shows the orders per status; an order opens with its detail; Amend fixes its phone and it goes on', async () => {
    const sku = unique('BRW');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const created = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 2 }], { customer: { name: '周九', phone: '12345' } })).expect(201)).body;
    await eventually(async () => ((await getOrder(created.id)).status === 'exception' ? true : undefined), { what: 'the order to be held' });

    await page.goto(`${base}/admin`);
    const exceptions = page.getByTestId('status-exception');
    await exceptions.waitFor();
    await expect(exceptions.getByTestId('count').textContent()).resolves.toMatch(/^[1-9]\d*$/);
    await shot('admin-dashboard');

    // the list's SKU filter (a line of the order) finds it, and its row opens the detail page
    await page.goto(`${base}/admin/resources/Order?filters.sku=${encodeURIComponent(sku)}`);
    const row = page.locator('tr', { hasText: created.number });
    await row.waitFor();
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    await shot('admin-order-list');
    await row.getByText(created.number).click();
    await page.waitForURL(`${base}/admin/resources/Order/records/${created.id}/show**`);
    const detail = page.getByTestId('order-detail');
    await detail.waitFor();
    await expect(page.getByTestId('order-status').getAttribute('data-status')).resolves.toBe('exception');
    await expect(page.getByTestId('order-status').textContent()).resolves.toBe('Exception');
    await expect(page.getByTestId('lines').textContent()).resolves.toContain(sku);
    await expect(page.getByTestId('order-flags').textContent()).resolves.toContain('Invalid phone number');
    await expect(page.getByTestId('history').textContent()).resolves.toContain('Awaiting review');
    await expect(page.getByTestId('process-diagram').getAttribute('href')).resolves.toMatch(/^\/admin\/workflow-ui\/instance\?id=/);
    await shot('admin-order-detail');

    await page.getByTestId('action-amend').click();
    const form = page.getByTestId('action-form');
    await form.waitFor();
    await expect(page.locator('input[name="customer.phone"]').inputValue()).resolves.toBe('12345');
    await page.locator('input[name="customer.phone"]').fill('13800138000');
    await shot('admin-order-amend');
    await page.getByTestId('form-submit').click();

    await page.waitForURL(`${base}/admin/resources/Order/records/${created.id}/show**`);
    await page.getByTestId('order-detail').waitFor();
    await eventually(async () => ((await getOrder(created.id)).status === 'awaiting_shipment' ? true : undefined), { what: 'the amended order to go on' });
    expect((await getOrder(created.id)).customer.phone).toBe('13800138000');
    await page.reload();
    await expect(page.getByTestId('order-status').getAttribute('data-status')).resolves.toBe('awaiting_shipment');
    await expect(page.getByTestId('order-status').textContent()).resolves.toBe('Awaiting shipment');
    await expect(page.getByTestId('shipment-status').getAttribute('data-status')).resolves.toBe('allocated');
    await shot('admin-order-amended');
  });

  it('a form shows the service\'s refusal beside the field and changes nothing', async () => {
    const sku = unique('BRX');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const created = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
    await eventually(async () => ((await getOrder(created.id)).status === 'awaiting_shipment' ? true : undefined), { what: 'the order to be allocated' });

    await page.goto(`${base}/admin/resources/Order/records/${created.id}/ship`);
    await page.getByTestId('action-form').waitFor();
    await page.locator('input[name="trackingNumber"]').fill('no');
    await page.getByTestId('form-submit').click();
    await expect(page.getByTestId('field-error').first().textContent()).resolves.toMatch(/6-40 letters/);
    await shot('admin-order-ship-error');
    expect((await getOrder(created.id)).status).toBe('awaiting_shipment');
  });
});

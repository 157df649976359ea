import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { adminLogin, collectPageErrors, realErrors, useAdminBrowser } from '../../helpers/browser';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';
const PASSWORD = 'warehouse-password-wms-1';

/**
 * Issue 15 item 5 in the admin, as a Chinese warehouse team sees it: a shipment of a warehouse a WMS runs says 由WMS作业
 * where the pack button would be, and a pick wave for that warehouse is refused in Chinese; a shipment of another
 * warehouse keeps its 打包 button.
 */
describe('the admin steps aside for a WMS warehouse (Debian chromium)', () => {
  const test = useAdminBrowser({ component: 'WmsHandling' });
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const token = () => test.auth.Authorization.slice('Bearer '.length);
  const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/oms-wms-${name}.png`, fullPage: true });
  const allocated = async (sku: string) => {
    const created = (await test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
    return eventually(async () => {
      const order = (await test.app.http.get(`/api/orders/${created.id}`).set(test.auth).expect(200)).body;
      return order.status === 'awaiting_shipment' ? order : undefined;
    }, { what: `order ${created.number} to be allocated` });
  };

  beforeAll(async () => {
    const email = `${unique('wmsui')}@test.local`.toLowerCase();
    await test.app.http.post('/api/users').set(test.auth).send({ email, name: '钱仓管', password: PASSWORD, roles: ['warehouse'], locale: 'zh-CN' }).expect(201);
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

  it('由WMS作业 on the WMS warehouse\'s shipment (no 打包), 打包 on the other; the wave and the order\'s pack forms leave the WMS warehouse out', async () => {
    const [wmsSku, staffSku] = [unique('WUI'), unique('SUI')];
    const { warehouse: wmsWarehouse } = await stockedCatalogue(test.app, token(), { [wmsSku]: 5 });
    const { warehouse: staffWarehouse } = await stockedCatalogue(test.app, token(), { [staffSku]: 5 });
    const name = unique('wms').slice(-40);
    // the endpoint answers nothing: the instruction waits in the outbox, which this page does not depend on
    await test.app.http.post('/api/integrations').set(test.auth)
      .send({ kind: 'wms', name, settings: { endpoint: 'http://127.0.0.1:9/oms', warehouses: [wmsWarehouse] }, secrets: { signingSecret: randomBytes(16).toString('hex') } })
      .expect(201);
    const handled = (await allocated(wmsSku)).shipments[0].id as string;
    const own = (await allocated(staffSku)).shipments[0].id as string;

    await page.goto(`${test.base}/admin/resources/Shipment/records/${handled}/show`);
    const notice = page.getByTestId('wms-handling');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toContain(`由WMS作业（${name}）`);
    await expect(page.getByTestId('shipment-documents').count()).resolves.toBe(1);
    await expect(page.getByTestId('action-pack').count()).resolves.toBe(0);
    await shot('shipment-handled');

    await page.goto(`${test.base}/admin/resources/Shipment/records/${own}/show`);
    await page.getByTestId('shipment-documents').waitFor();
    await expect(page.getByTestId('action-pack').count()).resolves.toBe(1);
    await expect(page.getByTestId('wms-handling').count()).resolves.toBe(0);

    // the wave form offers the staff's warehouses only
    await page.goto(`${test.base}/admin/resources/PickList`);
    await page.getByTestId('action-createWave').click();
    await page.getByTestId('action-form').waitFor();
    const offered = await page.locator('select[name="warehouse"] option').allInnerTexts();
    expect(offered.some((label) => label.startsWith(`${staffWarehouse} `))).toBe(true);
    expect(offered.some((label) => label.startsWith(`${wmsWarehouse} `))).toBe(false);
    await shot('wave-form');
    // the order page's 打包 form: nothing of the WMS warehouse to pack
    const order = (await test.app.http.get(`/api/shipments/${handled}`).set(test.auth).expect(200)).body.orderId as string;
    await page.goto(`${test.base}/admin/resources/Order/records/${order}/pack`);
    await page.getByTestId('form-blocked').waitFor();
    await shot('order-pack-blocked');
    expect((await test.app.http.get(`/api/shipments/${handled}`).set(test.auth).expect(200)).body).toMatchObject({ status: 'allocated', wms: name });
    expect((await test.app.http.get(`/api/shipments/${own}`).set(test.auth).expect(200)).body).toMatchObject({ status: 'allocated', wms: null });
  });
});

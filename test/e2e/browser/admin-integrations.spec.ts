import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { switchAdminLanguage, useAdminBrowser } from '../../helpers/browser';
import { unique } from '../../helpers/fixtures';
import { refuseOrdersOf, shopifyHeaders, shopifyOrder, startFakeShopifyAdmin } from '../../helpers/integration-fakes';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

/**
 * Issue 15 item 6 in a browser (Debian chromium), in Chinese: an operations admin adds a Shopify connector on 对接管理,
 * sees it with its webhook URL (copied to the clipboard), tests it against a local fake of the Admin API, replays a
 * delivery that failed on our side, and pauses it. The secrets typed in are in no answer the browser received.
 */
describe('the Integrations page in a browser (zh-CN)', () => {
  const admin = useAdminBrowser({ component: 'Integrations' });
  const shot = (target: Page, name: string) => target.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });
  const accessToken = `shpat_${randomBytes(18).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(18).toString('hex')}`;
  let shopify: Awaited<ReturnType<typeof startFakeShopifyAdmin>>;
  beforeAll(async () => {
    shopify = await startFakeShopifyAdmin(accessToken, '杭州测试小店');
  });
  afterAll(() => shopify?.close());

  it('新增对接 → 列表中有推送地址 → 检测连接 → 推送记录与重新处理 → 暂停; no secret in any answer', async () => {
    const { app, auth, base, page } = admin;
    const received: string[] = [];
    page.on('response', (response) => void response.text().then((body) => received.push(body), () => undefined));
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });

    await page.goto(`${base}/admin`);
    await switchAdminLanguage(page, 'zh-CN');
    await page.locator('[data-css="sidebar"]').getByText('对接管理', { exact: true }).click();
    await page.getByTestId('integrations-page').waitFor();
    await page.getByText('还没有任何对接').waitFor();

    // the form: the kind's fields, and the service's refusals at their fields, in Chinese
    await page.getByTestId('integration-add').click();
    await page.getByTestId('integration-kind-shopify').click();
    await page.getByText('Webhook 签名密钥').waitFor();
    await expect(page.locator('#integration-secrets-webhookSecret').getAttribute('type')).resolves.toBe('password');
    await page.locator('#integration-settings-shopDomain').fill('不是域名');
    await page.getByTestId('integration-save').click();
    await page.getByTestId('field-error-name').waitFor();
    await expect(page.getByTestId('field-error-name').textContent()).resolves.toContain('英文字母、数字');
    await expect(page.getByTestId('field-error-secrets.webhookSecret').textContent()).resolves.toBe('必填');
    await expect(page.getByTestId('field-error-settings.shopDomain').textContent()).resolves.toBe('须为店铺域名，如 my-shop.myshopify.com');
    await shot(page, 'admin-integrations-form-zh');

    const name = unique('shop').replace(/[^A-Za-z0-9_-]/g, '').slice(-30);
    await page.locator('#integration-name').fill(name);
    await page.locator('#integration-settings-shopDomain').fill('oms-test.myshopify.com');
    await page.locator('#integration-settings-apiBaseUrl').fill(shopify.base);
    await page.locator('#integration-secrets-webhookSecret').fill(webhookSecret);
    await page.locator('#integration-secrets-accessToken').fill(accessToken);
    await page.getByTestId('integration-save').click();
    await page.getByTestId('integration-notice').getByText(`已新增对接「${name}」`).waitFor();
    await expect(page.getByTestId('integration-form').count()).resolves.toBe(0);

    const row = page.locator(`[data-testid=integration-row][data-name="${name}"]`);
    const id = (await row.getAttribute('data-id'))!;
    await expect(row.getByTestId('integration-kind').textContent()).resolves.toBe('Shopify');
    await expect(row.getByTestId('integration-status').textContent()).resolves.toBe('启用');
    await expect(row.getByTestId('integration-secret-keys').textContent()).resolves.toBe('Admin API 访问令牌、Webhook 签名密钥');
    const webhookUrl = await row.getByTestId('integration-webhook-url').inputValue();
    expect(webhookUrl).toMatch(new RegExp(`^https?://[^/]+/hooks/${id}$`));
    await row.getByTestId('integration-copy').click();
    await row.getByTestId('integration-copy').getByText('已复制').waitFor();
    await expect(page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).resolves.toBe(webhookUrl);

    // 检测连接 against the fake Admin API
    await row.getByTestId('integration-test').click();
    await row.getByTestId('integration-test-result').waitFor();
    await expect(row.getByTestId('integration-test-result').textContent()).resolves.toContain('检测通过：连接成功：杭州测试小店');

    // a delivery our database refused: listed as 处理失败, replayed once the cause is gone → one order
    const db = app.running.app.get(DataSource);
    const lift = await refuseOrdersOf(db, name);
    const order = shopifyOrder({ shipping_address: { name: '张三', phone: '13800138000', province: '浙江省', city: '杭州市', address1: '文三路 100 号', zip: '310000', country_code: 'CN' } });
    expect((await app.http.post(`/hooks/${id}`).set(shopifyHeaders(order.text, webhookSecret, 'b-1')).send(order.text)).status).toBeGreaterThanOrEqual(500);
    await row.getByTestId('integration-deliveries-toggle').click();
    const delivery = row.getByTestId('integration-delivery').first();
    await expect(delivery.getByTestId('delivery-outcome').textContent()).resolves.toBe('处理失败');
    await row.getByText('因本系统原因处理失败的推送会保留原始内容 7 天').waitFor();
    await page.reload();
    await row.getByTestId('integration-deliveries-toggle').click();
    await expect(row.getByTestId('integration-status').textContent()).resolves.toBe('异常');
    await expect(row.getByTestId('integration-last-error').textContent()).resolves.toContain('the database refuses this order');
    await shot(page, 'admin-integrations-failed-zh');
    await lift();
    await delivery.getByTestId('delivery-replay').click();
    await page.getByTestId('integration-notice').getByText(/推送 b-1 已重新处理，生成订单 SO/).waitFor();
    await expect(row.getByTestId('integration-delivery').first().getByTestId('delivery-outcome').textContent()).resolves.toBe('已建单');
    await expect(row.getByTestId('integration-counts').textContent()).resolves.toContain('建单 1');
    expect((await app.http.get('/api/orders').query({ channel: name }).set(auth).expect(200)).body.total).toBe(1);
    await shot(page, 'admin-integrations-deliveries-zh');

    // 暂停
    await row.getByTestId('integration-pause').click();
    await row.and(page.locator('[data-status=paused]')).waitFor();
    await expect(row.getByTestId('integration-status').textContent()).resolves.toBe('已暂停');
    await page.getByTestId('integration-notice').getByText(`已暂停对接「${name}」`).waitFor();
    expect((await app.http.get(`/api/integrations/${id}`).set(auth).expect(200)).body.status).toBe('paused');
    await shot(page, 'admin-integrations-zh');

    // 修改: the secrets are never filled in; they say they are set
    await row.getByTestId('integration-edit').click();
    await expect(page.locator('#integration-secrets-accessToken').inputValue()).resolves.toBe('');
    await expect(page.locator('#integration-secrets-accessToken').getAttribute('placeholder')).resolves.toContain('已设置');
    await expect(page.locator('#integration-settings-shopDomain').inputValue()).resolves.toBe('oms-test.myshopify.com');
    await shot(page, 'admin-integrations-edit-zh');
    await page.getByTestId('integration-cancel').click();

    const html = await page.content();
    await page.waitForLoadState('networkidle');
    for (const secret of [accessToken, webhookSecret]) {
      expect(html).not.toContain(secret);
      expect(received.filter((body) => body.includes(secret))).toEqual([]);
    }
    expect(received.length).toBeGreaterThan(5);
  });
});

import type { Page } from 'playwright-core';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { switchAdminLanguage, useAdminBrowser } from '../../helpers/browser';
import { eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

/**
 * Issue 14 item 4 (G2.6) in a browser: a zh-CN operator works an address exception from the dashboard's tile through the
 * 地址异常 queue — claims it, notes the call, amends the address — and the order leaves the queue and moves on.
 */
describe('the exception queues in a browser (zh-CN)', () => {
  const admin = useAdminBrowser({ component: 'ExceptionQueues' });
  const shot = (target: Page, name: string) => target.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });

  it('dashboard tile → 地址异常 → 认领 → 记录联系 → 修改订单: the order leaves the queue and is allocated', async () => {
    const { app, auth, base, page } = admin;
    const sku = unique('BEQ');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const order = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { shippingAddress: { province: '浙江省', city: '杭州市', line1: '' } })).expect(201)).body;
    const getOrder = async () => (await app.http.get(`/api/orders/${order.id}`).set(auth).expect(200)).body;
    await eventually(async () => ((await getOrder()).status === 'exception' ? true : undefined), { what: 'the order to be held in exception' });
    const { queues } = (await app.http.get('/api/exception-queues').set(auth).expect(200)).body as { queues: Array<{ kind: string; count: number }> };

    // the dashboard: key figures and one tile per queue with its count
    await page.goto(`${base}/admin`);
    await page.getByTestId('exception-tiles').waitFor();
    await switchAdminLanguage(page, 'zh-CN');
    await page.getByTestId('exception-tiles').waitFor();
    await page.getByText('今日新订单').waitFor();
    for (const [kind, name] of [['payment', '付款异常'], ['address', '地址异常'], ['stock', '缺货'], ['logistics', '物流异常']]) {
      const tile = page.getByTestId(`exceptions-${kind}`);
      await expect(tile.textContent()).resolves.toContain(name);
      await expect(tile.getByTestId('count').textContent()).resolves.toBe(String(queues.find((row) => row.kind === kind)!.count));
    }
    expect(Number(await page.getByTestId('figure-newToday').getByTestId('count').textContent())).toBeGreaterThanOrEqual(1);
    await shot(page, 'admin-dashboard-exceptions-zh');

    // the tile opens the address queue
    await page.getByTestId('exceptions-address').click();
    await page.locator('[data-testid="exception-queues"][data-kind="address"]').waitFor();
    await page.getByRole('heading', { name: '异常处理' }).waitFor();
    const row = page.locator(`[data-testid="queue-item"][data-order="${order.number}"]`);
    await expect(row.getByTestId('queue-reason').textContent()).resolves.toBe('地址不完整');
    await expect(row.getByTestId('queue-owner').textContent()).resolves.toBe('未分配');

    await row.getByTestId('queue-claim').click();
    await page.getByText('已认领，您是此异常的负责人').waitFor();
    await expect(row.getByTestId('queue-owner').textContent()).resolves.not.toBe('未分配');

    await row.getByTestId('queue-contact').click();
    await row.getByTestId('queue-contact-note').fill('已电话联系客户，确认地址为文三路 100 号 3 单元 501');
    await row.getByTestId('queue-contact-save').click();
    await page.getByText('联系记录已保存').waitFor();
    await expect(row.getByTestId('queue-last-contact').textContent()).resolves.toContain('电话 · 已电话联系客户');
    await shot(page, 'admin-exception-queue-address-zh');

    // amend in place: the order's own form
    await row.getByTestId('queue-amend').click();
    await page.getByTestId('action-form').waitFor();
    await page.locator('input[name="shippingAddress.line1"]').fill('文三路 100 号 3 单元 501');
    await shot(page, 'admin-exception-amend-zh');
    await page.getByTestId('form-submit').click();
    await page.waitForURL(`${base}/admin/resources/Order/records/${order.id}/show**`);
    await eventually(async () => ((await getOrder()).status === 'awaiting_shipment' ? true : undefined), { what: 'the amended order to be allocated' });

    // gone from the queue
    await page.goto(`${base}/admin/pages/exceptionQueues?kind=address`);
    await page.locator('[data-testid="exception-queues"][data-kind="address"]').waitFor();
    await expect(page.locator(`[data-testid="queue-item"][data-order="${order.number}"]`).count()).resolves.toBe(0);
    const item = await app.http.get(`/api/exception-queues/address/${order.id}`).set(auth);
    expect(item.status).toBe(404);

    // the other queues: tabs with their Chinese names
    await page.getByTestId('queue-tab-stock').click();
    await page.locator('[data-testid="exception-queues"][data-kind="stock"]').waitFor();
    await expect(page.getByTestId('queue-tab-stock').textContent()).resolves.toContain('缺货');
    await shot(page, 'admin-exception-queue-stock-zh');
    await switchAdminLanguage(page, 'en');
  });
});

import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { adminLogin, collectPageErrors, realErrors, setOwnLocale, useAdminBrowser } from '../../helpers/browser';
import { unique } from '../../helpers/fixtures';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';
const PASSWORD = 'rules-user-password-1';

/**
 * Issue 14 items 8 and 10 in Chromium, as a zh-CN admin: the flow-rules page (G3.1) saves through PUT /api/settings's
 * validation and shows its history; the role editor's permission grid (G3.3) takes effect on the holders' menus.
 */
describe('flow rules, roles and permissions in the admin (Debian chromium, zh-CN)', () => {
  const test = useAdminBrowser({ component: 'SettingsPage' });
  const shot = (target: Page, name: string) => target.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });
  const sidebar = (target: Page) => target.locator('[data-css="sidebar"]');

  beforeAll(async () => {
    // this file reads the Chinese screens
    await setOwnLocale(test.app, test.auth, 'zh-CN');
  });

  /** A zh-CN user holding `roles`, signed in in a browser context of their own. */
  async function signedInUser(roles: string[]): Promise<{ page: Page; email: string; token: string; errors: string[] }> {
    const email = `${unique('rules')}@test.local`.toLowerCase();
    await test.app.http.post('/api/users').set(test.auth).send({ email, name: '规则测试', password: PASSWORD, roles, locale: 'zh-CN' }).expect(201);
    const token = (await test.app.http.post('/api/auth/login').send({ email, password: PASSWORD }).expect(200)).body.accessToken as string;
    const page = await (await test.browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    page.setDefaultTimeout(20_000);
    const errors = collectPageErrors(page);
    await adminLogin(page, test.base, email, PASSWORD);
    return { page, email, token, errors };
  }

  const auditCount = async () => {
    const [{ count }] = await test.app.running.app.get(DataSource).query(`SELECT count(*)::int AS count FROM audit_log WHERE action = 'settings.update'`);
    return count as number;
  };

  it('an admin unticks a permission in the grid and the role\'s holder loses that menu, with a translated error page on its URL', async () => {
    const { app, auth, base, page } = test;
    const role = `stock_${Date.now().toString(36)}`;
    await app.http.post('/api/roles').set(auth).send({ name: role, description: '库存查询', permissions: ['orders.read', 'inventory.read'] }).expect(201);
    const holder = await signedInUser([role]);
    await expect(sidebar(holder.page).innerText()).resolves.toContain('库存');

    // the grid: areas and permissions in Chinese, the code beside each
    await page.goto(`${base}/admin/resources/Role/records/${role}/edit`);
    const inventory = page.getByTestId('checkbox-group-Inventory');
    await inventory.waitFor();
    await expect(inventory.innerText()).resolves.toMatch(/^库存[\s\S]*查看仓库和库存[\s\S]*inventory\.read[\s\S]*新建仓库、入库和调整库存/);
    await expect(page.getByTestId('checkbox-group-Orders').innerText()).resolves.toContain('审核通过或驳回待审核订单');
    await page.locator('label[for="permissions-inventory.read"]').click();
    await shot(page, 'rules-role-grid-zh');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(/\/admin\/resources\/Role\/records\/.+\/show/);
    const saved = (await app.http.get('/api/roles').set(auth).expect(200)).body.find((one: { name: string }) => one.name === role);
    expect(saved.permissions).toEqual(['orders.read']);

    // the holder's next page load: no 库存 menu; its URL answers with the translated permission page
    await holder.page.goto(`${base}/admin`);
    await sidebar(holder.page).getByText('订单', { exact: true }).waitFor();
    await expect(sidebar(holder.page).innerText()).resolves.not.toContain('库存');
    await holder.page.goto(`${base}/admin/resources/StockLevel`);
    await holder.page.getByText('无法打开此页面').waitFor();
    const body = await holder.page.locator('body').innerText();
    expect(body).toContain('您的角色无权访问此页面');
    expect(body).not.toMatch(/\{\{|\}\}|StockLevel|resourceId|actionName/);
    await shot(holder.page, 'rules-permission-error-zh');
    // and the API agrees (same permission)
    await app.http.get('/api/inventory').set({ Authorization: `Bearer ${holder.token}` }).expect(403);
    expect(realErrors(holder.errors)).toEqual([]);
    await holder.page.context().close();
  });

  it('lists users with their roles in Chinese, filters by a role picked from a list, and starts a new user Active', async () => {
    const { app, auth, base, page } = test;
    const email = `${unique('list')}@test.local`.toLowerCase();
    await app.http.post('/api/users').set(auth).send({ email, name: '列表测试', password: PASSWORD, roles: ['operator', 'finance'] }).expect(201);
    await page.goto(`${base}/admin/resources/User?filters.email=${encodeURIComponent(email)}`);
    const row = page.locator('tbody tr', { hasText: email });
    await row.waitFor();
    await expect(row.getByTestId('code-labels').innerText()).resolves.toBe('审单客服、财务');
    await expect(row.innerText()).resolves.toContain('启用');
    // the role filter offers the roles, not a text box
    await page.locator('[data-css="User-filter-button"]').click();
    const filter = page.locator('select[name="filter-roles"]');
    await filter.waitFor();
    await expect(filter.locator('option').allInnerTexts()).resolves.toEqual(expect.arrayContaining(['（全部角色）', '管理员', '审单客服', '仓库', '财务']));

    await page.goto(`${base}/admin/resources/User/actions/new`);
    const active = page.locator('input#active');
    await active.waitFor({ state: 'attached' });
    await expect(active.isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('checkboxes-roles').innerText()).resolves.toMatch(/审单客服[\s\S]*客服与审单/);
    const created = `${unique('new')}@test.local`.toLowerCase();
    await page.locator('input[name=email]').fill(created);
    await page.locator('input[name=displayName]').fill('新同事');
    await page.locator('input[name=password]').fill('a new colleague pass');
    await page.locator('label[for="roles-warehouse"]').click();
    await shot(page, 'rules-user-new-zh');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(/\/admin\/resources\/User\/records\/.+\/show/);
    const user = (await app.http.get(`/api/users?q=${encodeURIComponent(created)}`).set(auth).expect(200)).body.items[0];
    expect(user).toMatchObject({ email: created, roles: ['warehouse'] });
    expect(user.disabled).toBe(false);
  });

  it('changes flow rules on the settings page: saved as by PUT /api/settings, in the history; bad input is refused in Chinese and changes nothing', async () => {
    const { app, auth, base, page } = test;
    await page.goto(`${base}/admin/pages/settings`);
    await page.getByTestId('settings-page').waitFor();
    await expect(page.locator('h3').first().innerText()).resolves.toBe('规则设置');
    const carriers = page.getByTestId('carrier-row');
    await expect(carriers.first().innerText()).resolves.toContain('顺丰速运');

    // three kinds of control: a number, the carriers' order, a province
    await page.locator('input[name="alertThresholds.staleTrackingHours"]').fill('36');
    await page.locator('[data-testid="carrier-row"][data-carrier="zto"] [data-testid="carrier-up"]').click();
    await page.locator('label[for="province-西藏"]').click();
    await expect(page.getByTestId('province-count').innerText()).resolves.toBe('已选 30 / 31 个省份');
    // the event grid's box itself (no label: the column says which channel)
    await page.locator('[data-testid="event-row"][data-event="order-confirmation"] td').nth(2).locator('.adminjs_Checkbox').click();
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-notice').waitFor();
    const after = (await app.http.get('/api/settings').set(auth).expect(200)).body;
    expect(after.alertThresholds.staleTrackingHours).toBe(36);
    expect(after.carrierPriority.slice(0, 2)).toEqual(['zto', 'sf']);
    expect(after.deliveryArea.provinces).not.toContain('西藏');
    expect(after.deliveryArea.provinces).toHaveLength(30);
    expect(after.notifications.events['order-confirmation'].sms).toBe(true);

    // the history: who, and each value that changed in words
    const latest = page.getByTestId('settings-history-row').first();
    await expect(latest.innerText()).resolves.toContain('admin@');
    const changes = await latest.getByTestId('settings-history-change').allInnerTexts();
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/物流未更新告警\s*48 → 36/),
        expect.stringMatching(/快递优先级\s*顺丰速运 › 中通快递 .* → 中通快递 › 顺丰速运/),
        expect.stringMatching(/配送省份\s*移除 西藏/),
        expect.stringMatching(/订单确认 · 短信\s*关闭 → 开启/),
      ]),
    );
    await shot(page, 'rules-settings-saved-zh');
    // the page scrolls inside AdminJS's frame: the lower sections one by one
    for (const part of ['settings-section-allocation', 'settings-section-notifications', 'settings-section-system', 'settings-history']) {
      await page.getByTestId(part).screenshot({ path: `${SCREENSHOTS}/oms-rules-${part}-zh.png` });
    }

    // bad input: the API's validation, each problem beside its field in Chinese; nothing saved
    const entries = await auditCount();
    await page.locator('input[name="alertThresholds.staleTrackingHours"]').fill('0');
    await page.locator('input[name="autoReview.manualReviewAbove"]').fill('两千');
    await page.locator('input[name="afterSales.windowDays"]').fill('30');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-refused').waitFor();
    await expect(page.getByTestId('setting-error-alertThresholds.staleTrackingHours').innerText()).resolves.toBe('请输入 1 到 720 之间的整数。');
    await expect(page.getByTestId('setting-error-autoReview.manualReviewAbove').innerText()).resolves.toBe('请输入金额，如 2000.00（最多两位小数），或留空。');
    await expect(page.getByTestId('settings-refused').innerText()).resolves.toContain('所有设置均未修改');
    // what was typed stays, to be corrected
    await expect(page.locator('input[name="alertThresholds.staleTrackingHours"]').inputValue()).resolves.toBe('0');
    await shot(page, 'rules-settings-refused-zh');
    const unchanged = (await app.http.get('/api/settings').set(auth).expect(200)).body;
    expect(unchanged).toEqual(after);
    expect(await auditCount()).toBe(entries);

    // corrected, it saves
    await page.locator('input[name="alertThresholds.staleTrackingHours"]').fill('24');
    await page.locator('input[name="autoReview.manualReviewAbove"]').fill('5000');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-notice').waitFor();
    const corrected = (await app.http.get('/api/settings').set(auth).expect(200)).body;
    expect(corrected).toMatchObject({ alertThresholds: { staleTrackingHours: 24 }, autoReview: { manualReviewAbove: '5000' }, afterSales: { windowDays: 30 } });
    expect(await auditCount()).toBe(entries + 1);
  });

  it('shows the settings read-only to a role that may only read them, and not at all (no menu, 403) to one without', async () => {
    const { app, auth, base } = test;
    // operator: settings.read without settings.manage
    const reader = await signedInUser(['operator']);
    await expect(sidebar(reader.page).innerText()).resolves.toContain('规则设置');
    await reader.page.goto(`${base}/admin/pages/settings`);
    await reader.page.getByTestId('settings-page').waitFor();
    await expect(reader.page.getByTestId('settings-page').innerText()).resolves.toContain('修改需要「修改设置」权限');
    expect(await reader.page.getByTestId('settings-save').count()).toBe(0);
    await expect(reader.page.locator('input[name="alertThresholds.staleTrackingHours"]').isDisabled()).resolves.toBe(true);
    // the page's handler refuses a save from it too, like PUT /api/settings
    const before = (await app.http.get('/api/settings').set(auth).expect(200)).body;
    const answer = await reader.page.evaluate(async () => {
      const form = new FormData();
      form.append('change', JSON.stringify({ alertThresholds: { staleTrackingHours: 99 } }));
      const response = await fetch('/admin/api/pages/settings', { method: 'POST', body: form });
      return response.json();
    });
    expect(answer).toMatchObject({ refused: '您的角色无权执行此操作' });
    expect((await app.http.get('/api/settings').set(auth).expect(200)).body).toEqual(before);
    await app.http.put('/api/settings').set({ Authorization: `Bearer ${reader.token}` }).send({ alertThresholds: { staleTrackingHours: 99 } }).expect(403);
    await shot(reader.page, 'rules-settings-read-only-zh');
    expect(realErrors(reader.errors)).toEqual([]);
    await reader.page.context().close();

    // warehouse: no settings permission at all
    const outsider = await signedInUser(['warehouse']);
    await expect(sidebar(outsider.page).innerText()).resolves.not.toContain('规则设置');
    await outsider.page.goto(`${base}/admin/pages/settings`);
    await outsider.page.getByTestId('settings-not-allowed').waitFor();
    await expect(outsider.page.getByTestId('settings-not-allowed').innerText()).resolves.toContain('您的角色无权查看系统设置');
    const refused = await outsider.page.evaluate(async () => (await fetch('/admin/api/pages/settings')).json());
    expect(refused).toMatchObject({ allowed: false, settings: null, history: [] });
    await app.http.get('/api/settings').set({ Authorization: `Bearer ${outsider.token}` }).expect(403);
    expect(realErrors(outsider.errors)).toEqual([]);
    await outsider.page.context().close();
  });
});

import type { BrowserContext, Page, Request } from 'playwright-core';
import { adminLogin, realErrors, collectPageErrors, switchAdminLanguage, useAdminBrowser } from '../../helpers/browser';
import { orderBody, shippedOrder, stockedCatalogue, unique } from '../../helpers/fixtures';
import { eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';
const PASSWORD = 'operator-password-zh-1';

/**
 * Issue 14 acceptance: a zh-CN user works in Chinese (dashboard, order list, order detail), switching to English in the user
 * menu changes the screens and is saved as their locale; and no page asks any host but the product's for anything (the
 * fonts included: fonts.googleapis.com is blocked in mainland China).
 */
describe('the admin in the user\'s language, with nothing loaded from elsewhere (Debian chromium)', () => {
  const test = useAdminBrowser({ component: 'UserComponents.LoggedIn' });
  let email: string;
  let order: { id: string; number: string };
  let afterSalesCase: { id: string; number: string };

  beforeAll(async () => {
    email = `${unique('zh')}@test.local`.toLowerCase();
    await test.app.http.post('/api/users').set(test.auth).send({ email, name: '王审单', password: PASSWORD, roles: ['operator'], locale: 'zh-CN' }).expect(201);
    const sku = unique('I18N');
    await stockedCatalogue(test.app, test.auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    // an invalid phone number holds the order for review: status exception with the phone_invalid flag
    const created = (await test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { customer: { name: '李四', phone: '12345' } })).expect(201)).body;
    order = { id: created.id, number: created.number };
    await eventually(async () => ((await test.app.http.get(`/api/orders/${order.id}`).set(test.auth).expect(200)).body.status === 'exception' ? true : undefined), {
      what: 'the order to be held for review',
    });
    // a return on a shipped order: an after-sales case waiting for review
    const shipped = await shippedOrder(test.app, test.auth, [1]);
    afterSalesCase = (await test.app.http.post(`/api/orders/${shipped.order.id}/after-sales`).set(test.auth).send({ type: 'return', lines: [{ sku: shipped.skus[0], quantity: 1 }], reason: '尺码不合适' }).expect(201)).body;
  }, 90_000);

  /** A fresh browser context recording every request its pages make. */
  async function recordingContext(): Promise<{ context: BrowserContext; page: Page; requests: string[]; errors: string[] }> {
    const context = await test.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const requests: string[] = [];
    context.on('request', (request: Request) => requests.push(request.url()));
    return { context, page, requests, errors: collectPageErrors(page) };
  }

  const elsewhere = (requests: string[]) => requests.filter((url) => !url.startsWith(`${test.base}/`) && !/^(data|blob):/.test(url));

  it("the login page speaks the settings' locale (zh-CN by default), new users get it too", async () => {
    expect((await test.app.http.get('/admin/login').expect(200)).text).toMatch(/<html lang=zh-CN>/);
    await test.app.http.put('/api/settings').set(test.auth).send({ locale: 'en' }).expect(200);
    try {
      expect((await test.app.http.get('/admin/login').expect(200)).text).toMatch(/<html lang=en>/);
      const created = await test.app.http.post('/api/users').set(test.auth).send({ email: `${unique('en')}@test.local`.toLowerCase(), name: 'E', password: PASSWORD, roles: ['analyst'] }).expect(201);
      expect(created.body.locale).toBe('en');
    } finally {
      await test.app.http.put('/api/settings').set(test.auth).send({ locale: 'zh-CN' }).expect(200);
    }
    await test.app.http.put('/api/settings').set(test.auth).send({ locale: 'fr' }).expect(422);
  });

  it('loads the login page, the dashboard and the order list (fonts included) from the product only', async () => {
    const { context, page, requests, errors } = await recordingContext();
    await page.goto(`${test.base}/admin/login`, { waitUntil: 'networkidle' });
    await adminLogin(page, test.base, email, PASSWORD);
    await page.getByTestId('order-status-counts').waitFor();
    await page.waitForLoadState('networkidle');
    await page.goto(`${test.base}/admin/resources/Order`, { waitUntil: 'networkidle' });
    await page.locator('tbody tr').first().waitFor();
    // the pages asked for the fonts, and got them from here
    expect(requests.filter((url) => url.startsWith(`${test.base}/admin-fonts/fonts.css`)).length).toBeGreaterThan(0);
    expect(requests.some((url) => url.startsWith(`${test.base}/admin-fonts/roboto/`))).toBe(true);
    // the Chinese text is drawn with the product's Noto Sans SC (no PingFang or YaHei on this machine)
    expect(requests.some((url) => url.startsWith(`${test.base}/admin-fonts/noto-sans-sc/`))).toBe(true);
    const fontsLoaded = await page.evaluate(async () => {
      // runs in the page (this file is compiled without the DOM types)
      const fonts = (globalThis as unknown as { document: { fonts: Iterable<{ status: string; family: string }> & { ready: Promise<unknown> } } }).document.fonts;
      await fonts.ready;
      return [...fonts].filter((face) => face.status === 'loaded').map((face) => face.family.replace(/"/g, ''));
    });
    expect(fontsLoaded).toContain('Roboto');
    expect(requests.length).toBeGreaterThan(10);
    expect(elsewhere(requests)).toEqual([]);
    expect(realErrors(errors)).toEqual([]);
    await context.close();
  });

  it('shows a zh-CN user the dashboard, the order list and an order in Chinese; English once switched in the user menu', async () => {
    const { context, page, requests, errors } = await recordingContext();
    const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });

    // the login page speaks the install's language (settings `locale`, zh-CN by default)
    await page.goto(`${test.base}/admin/login`);
    await page.getByText('请使用您的 OMS 账号登录').waitFor();
    await adminLogin(page, test.base, email, PASSWORD);

    // dashboard
    const dashboard = page.getByTestId('order-status-counts');
    await dashboard.waitFor();
    await expect(page.getByTestId('user-menu').getAttribute('data-language')).resolves.toBe('zh-CN');
    const queues = await page.getByTestId('queue').allInnerTexts();
    expect(queues.join(' ')).toContain('待审核');
    expect(queues.join(' ')).toContain('待发货');
    await expect(page.getByTestId('status-exception').innerText()).resolves.toContain('异常');
    await expect(dashboard.innerText()).resolves.toContain('各状态订单');
    await shot('i18n-dashboard-zh');

    // order list: columns, the status as a red badge in Chinese
    await page.goto(`${test.base}/admin/resources/Order?filters.number=${encodeURIComponent(order.number)}`);
    const row = page.locator('tbody tr', { hasText: order.number });
    await row.waitFor();
    await expect(page.locator('thead').innerText()).resolves.toMatch(/订单号[\s\S]*状态[\s\S]*收货人[\s\S]*订单金额/);
    const listBadge = row.locator('[data-status="exception"]');
    await expect(listBadge.innerText()).resolves.toBe('异常');
    await expect(listBadge.getAttribute('data-tone')).resolves.toBe('problem');
    // the page is titled with what it lists, and the sales channel (tmall) is named as operators say it
    await expect(page.locator('[data-css="Order-list-action-header"] h2, .adminjs_ActionHeader h2').first().innerText()).resolves.toMatch(/^订单\d*$/);
    await expect(row.locator('[data-code="tmall"]').innerText()).resolves.toBe('天猫');
    // times in the shop's time zone (settings: Asia/Shanghai), not the browser's (UTC here)
    const placed = row.locator('[data-datetime]');
    const placedAt = new Date(String(await placed.getAttribute('data-datetime')));
    const inShanghai = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).not.toBe('Asia/Shanghai');
    await expect(placed.innerText()).resolves.toBe(inShanghai.format(placedAt));
    await shot('i18n-order-list-zh');

    // order detail
    await page.goto(`${test.base}/admin/resources/Order/records/${order.id}/show`);
    const detail = page.getByTestId('order-detail');
    await detail.waitFor();
    await expect(page.getByTestId('order-status').innerText()).resolves.toBe('异常');
    await expect(page.getByTestId('order-flags').innerText()).resolves.toMatch(/审单标记[\s\S]*手机号无效[\s\S]*修改订单/);
    await expect(detail.innerText()).resolves.toMatch(/商品明细[\s\S]*发货与物流[\s\S]*状态记录/);
    await expect(page.getByTestId('order-total').innerText()).resolves.toMatch(/^¥\d/);
    await expect(page.getByTestId('history').innerText()).resolves.toContain('待审核');
    // AdminJS's own buttons are ours too: the actions in Chinese
    await expect(page.getByTestId('action-amend').innerText()).resolves.toContain('修改订单');
    await shot('i18n-order-detail-zh');

    // the workflow pages speak it too: the order's instance view and the tasklist
    const diagram = await page.getByTestId('process-diagram').getAttribute('href');
    await page.goto(`${test.base}${diagram}`);
    await page.getByTestId('instance-status').waitFor();
    await expect(page.locator('main').innerText()).resolves.toMatch(/当前节点[\s\S]*流程变量[\s\S]*执行记录/);
    await expect(page.locator('header.oms-topbar').innerText()).resolves.toMatch(/流程建模器[\s\S]*待办任务[\s\S]*退出登录/);
    // the workflow pages show times in the shop's time zone too
    await expect(page.locator('body').getAttribute('data-time-zone')).resolves.toBe('Asia/Shanghai');
    await page.goto(`${test.base}/admin/workflow-ui/tasks`);
    await expect(page.locator('main h1').first().innerText()).resolves.toBe('待办任务');
    await shot('i18n-tasklist-zh');
    await page.goto(`${test.base}/admin/workflow-ui/modeler?key=order-fulfillment`);
    await page.locator('[data-element-id="Task_Review"]').first().click();
    await expect(page.locator('[data-action=deploy]').innerText()).resolves.toBe('部署');
    await page.getByText('OMS 任务', { exact: true }).first().waitFor();
    await page.getByText('任务类型', { exact: true }).first().waitFor();
    // bpmn-js's own texts too (its translate module): the palette, the context pad, the properties panel
    const palette = page.locator('.djs-palette');
    await expect(palette.locator('[data-action="create.start-event"]').getAttribute('aria-label')).resolves.toBe('创建开始事件');
    await expect(palette.locator('[data-action="create.exclusive-gateway"]').getAttribute('aria-label')).resolves.toBe('创建网关');
    await expect(palette.locator('[data-action="hand-tool"]').getAttribute('aria-label')).resolves.toBe('激活抓手工具');
    await expect(page.locator('.djs-context-pad [data-action="append.append-task"]').getAttribute('title')).resolves.toBe('追加任务');
    await expect(page.locator('.djs-context-pad [data-action="replace"]').getAttribute('title')).resolves.toBe('更改元素类型');
    await expect(page.locator('.bio-properties-panel-header-type').textContent()).resolves.toBe('服务任务');
    const groups = await page.locator('.bio-properties-panel-group-header-title').allInnerTexts();
    expect(groups).toEqual(expect.arrayContaining(['常规', '文档']));
    expect(groups.filter((title) => /[A-Za-z]{3}/.test(title) && title !== 'OMS 任务')).toEqual([]);
    await expect(page.locator('.bio-properties-panel').innerText()).resolves.toMatch(/名称[\s\S]*ID/);
    await shot('i18n-modeler-zh');
    // the change-element menu names the BPMN types as Chinese tools do
    await page.locator('.djs-context-pad [data-action="replace"]').click();
    const replaceMenu = page.locator('.djs-popup');
    await expect(replaceMenu.innerText()).resolves.toMatch(/^更改元素类型[\s\S]*用户任务[\s\S]*脚本任务[\s\S]*子流程（折叠）/);
    await expect(replaceMenu.locator('[title="并行多实例"]').count()).resolves.toBe(1);
    await shot('i18n-modeler-replace-zh');
    await page.keyboard.press('Escape');
    await page.goto(`${test.base}/admin/resources/Order/records/${order.id}/show`);
    await page.getByTestId('order-detail').waitFor();

    // an after-sales case
    await page.goto(`${test.base}/admin/resources/AfterSalesCase/records/${afterSalesCase.id}/show`);
    await page.getByTestId('case-detail').waitFor();
    await expect(page.getByTestId('case-status').innerText()).resolves.toBe('待审核');
    await expect(page.getByTestId('case-type').innerText()).resolves.toBe('退货退款');
    await expect(page.getByTestId('case-detail').innerText()).resolves.toMatch(/售后单[\s\S]*处理时限[\s\S]*商品明细[\s\S]*退货与质检/);
    await shot('i18n-case-zh');
    await page.goto(`${test.base}/admin/resources/Order/records/${order.id}/show`);
    await page.getByTestId('order-detail').waitFor();

    // switch to English in the user menu: saved as the user's locale, the same page now in English
    await switchAdminLanguage(page, 'en');
    await page.getByTestId('order-detail').waitFor();
    await expect(page.getByTestId('order-status').innerText()).resolves.toBe('Exception');
    await expect(page.getByTestId('order-flags').innerText()).resolves.toMatch(/Review flags[\s\S]*Invalid phone number/);
    await expect(page.getByTestId('action-amend').innerText()).resolves.toContain('Amend');
    await shot('i18n-order-detail-en');
    const token = await test.app.login(email, PASSWORD);
    expect((await test.app.http.get('/api/auth/me').set({ Authorization: `Bearer ${token}` }).expect(200)).body.locale).toBe('en');

    // and it stays English on the next pages
    await page.goto(`${test.base}/admin`);
    await page.getByTestId('order-status-counts').waitFor();
    expect((await page.getByTestId('queue').allInnerTexts()).join(' ')).toContain('To review');
    await expect(page.getByTestId('status-exception').innerText()).resolves.toContain('Exception');
    await page.goto(`${test.base}/admin/resources/Order?filters.number=${encodeURIComponent(order.number)}`);
    await page.locator('tbody tr', { hasText: order.number }).waitFor();
    await expect(page.locator('thead').innerText()).resolves.toMatch(/Order no\.[\s\S]*Status/);
    await expect(page.locator('tbody tr', { hasText: order.number }).locator('[data-status="exception"]').innerText()).resolves.toBe('Exception');
    await expect(page.locator('tbody tr', { hasText: order.number }).locator('[data-code="tmall"]').innerText()).resolves.toBe('Tmall');
    await shot('i18n-order-list-en');

    // back to Chinese, from the English menu
    await switchAdminLanguage(page, 'zh-CN');
    await expect(page.locator('thead').innerText()).resolves.toMatch(/订单号/);

    expect(elsewhere(requests)).toEqual([]);
    expect(realErrors(errors)).toEqual([]);
    await context.close();
  });
});

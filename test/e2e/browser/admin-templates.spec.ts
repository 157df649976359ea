import type { Page } from 'playwright-core';
import { AuthService } from '../../../src/auth/auth.service';
import { adminLogin, collectPageErrors, realErrors, useAdminBrowser } from '../../helpers/browser';
import { orderBody, stockedCatalogue, templateEvents, unique } from '../../helpers/fixtures';
import { eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';
const TEMPLATE = 'email/zh-CN/order-confirmation';

/** Issue 7 item 4 acceptance: an admin edits a template in the admin, previews it on a real order, saves it; a broken one is refused. */
describe('the notification template editor in a browser (Debian chromium)', () => {
  const admin = useAdminBrowser({ component: 'TemplateEditor' });

  const shot = (target: Page, name: string) => target.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });
  const stored = async () => (await admin.app.http.get(`/api/notification-templates/${TEMPLATE}`).set(admin.auth).expect(200)).body as {
    parts: Record<string, { source: string; origin: string; version: number }>;
    history: Array<{ part: string; version: number }>;
  };
  const editorUrl = () => `${admin.base}/admin/resources/NotificationTemplateVersion?${new URLSearchParams({ template: TEMPLATE })}`;

  it('edits the zh-CN order confirmation, previews it on a real order, saves version 1; a broken template is refused with its line and column and nothing is saved', async () => {
    const { app, auth, base, page } = admin;
    const sku = unique('BTP');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const order = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { customer: { name: '韩梅梅', phone: '13700137000', email: 'hanmeimei@example.com' } })).expect(201)).body;
    const fileHtml = (await stored()).parts.html.source;

    // Notifications → Templates in the sidebar, then the order confirmation by email in Chinese
    await page.goto(`${base}/admin`);
    await page.getByText('Notifications', { exact: true }).click();
    await page.getByText('Templates', { exact: true }).click();
    await page.getByTestId('template-list').waitFor();
    // every event with template files × email/SMS × zh-CN/en
    await expect(page.getByTestId('templates').locator('tbody tr').count()).resolves.toBe(templateEvents().length * 4);
    await shot(page, 'admin-templates-list');
    await page.getByTestId(`open-${TEMPLATE}`).click();
    await page.getByTestId('template-editor').waitFor();
    await expect(page.getByTestId('origin-subject').textContent()).resolves.toBe('file');

    // edit the subject and preview it on the real order: the order number and the edit show, the HTML in a sandbox
    const subject = '【预览】订单 {{order.number}} 已确认，谢谢 {{order.customer.name}}';
    await page.getByTestId('part-subject').fill(subject);
    await page.getByTestId('preview-order').fill(order.number);
    await page.getByTestId('preview-button').click();
    const previewSubject = page.getByTestId('preview-subject');
    await previewSubject.filter({ hasText: order.number }).waitFor();
    await expect(previewSubject.textContent()).resolves.toBe(`【预览】订单 ${order.number} 已确认，谢谢 韩梅梅`);
    await expect(page.getByTestId('preview-text').textContent()).resolves.toContain(order.number);
    const frame = page.getByTestId('preview-html');
    await expect(frame.getAttribute('sandbox')).resolves.toBe('');
    await expect(frame.getAttribute('srcdoc')).resolves.toContain(order.number);
    await expect(page.frameLocator('[data-testid="preview-html"]').locator('body').textContent()).resolves.toContain(order.number);
    // the email's HTML is in the frame only, never in the admin page itself
    await expect(page.locator('h1', { hasText: '您的订单已确认' }).count()).resolves.toBe(0);
    await shot(page, 'admin-template-preview');

    // save: version 1 overrides the file and shows in the history
    await page.getByTestId('save-note').fill('warmer subject');
    await page.getByTestId('save-button').click();
    await page.getByTestId('origin-subject').filter({ hasText: 'override v1' }).waitFor();
    const history = page.getByTestId('history');
    await expect(history.locator('tbody tr').count()).resolves.toBe(1);
    await expect(history.textContent()).resolves.toMatch(/Subject.*v1.*warmer subject.*admin@test\.local/);
    expect((await stored()).parts.subject).toMatchObject({ origin: 'override', version: 1, source: subject });

    // a broken template: the error with its line and column beside the HTML, nothing saved
    await page.getByTestId('part-html').fill('<p>您好</p>\n{{#if order.number}}\n<p>订单 {{order.number}}</p>');
    await page.getByTestId('save-button').click();
    const error = page.getByTestId('error-html');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/^line \d+, column \d+: /);
    await expect(page.getByTestId('editor-problem').textContent()).resolves.toContain('does not compile');
    await shot(page, 'admin-template-broken');
    expect((await stored()).history).toEqual([expect.objectContaining({ part: 'subject', version: 1 })]);

    // a reload shows the template as stored: still version 1, the HTML from the file
    await page.reload();
    await page.getByTestId('template-editor').waitFor();
    await expect(page.getByTestId('origin-subject').textContent()).resolves.toBe('override v1');
    await expect(page.getByTestId('origin-html').textContent()).resolves.toBe('file');
    await expect(page.getByTestId('part-html').inputValue()).resolves.toBe(fileHtml);
    await expect(page.getByTestId('part-subject').inputValue()).resolves.toBe(subject);
    await expect(page.getByTestId('history').locator('tbody tr').count()).resolves.toBe(1);
    expect(page.url()).toBe(editorUrl());
  });

  it('the order page lists what the customer was sent, each message with its attempts', async () => {
    const { app, auth, base, page } = admin;
    const sku = unique('BTM');
    await stockedCatalogue(app, auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const order = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { customer: { name: '李华', phone: '13600136000', email: 'lihua@example.com' } })).expect(201)).body;
    await eventually(async () => {
      const { items } = (await app.http.get('/api/notifications').query({ reference: order.number }).set(auth).expect(200)).body;
      return items.some((message: { status: string }) => message.status === 'sent') ? true : undefined;
    }, { what: 'the confirmation to be sent' });

    await page.goto(`${base}/admin/resources/Order/records/${order.id}/show`);
    const messages = page.getByTestId('order-messages');
    await messages.waitFor();
    const row = messages.getByTestId('customer-messages').locator('tbody tr');
    await expect(row.count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toMatch(/Email.*order-confirmation.*lihua@example\.com.*Sent/);
    await expect(row.getByTestId('message-attempts').textContent()).resolves.toMatch(/^#1 sent .*\(\d+ ms\)$/);
    await messages.screenshot({ path: `${SCREENSHOTS}/oms-admin-order-messages.png` });
  });

  it('an operator previews but sees no Save, Revert or Send', async () => {
    const { app, base, browser } = admin;
    const email = `${unique('op')}@test.local`.toLowerCase();
    await app.running.app.get(AuthService).createUser(email, 'operator-password-1', ['operator']);
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const operatorPage = await context.newPage();
    const errors = collectPageErrors(operatorPage);
    try {
      await adminLogin(operatorPage, base, email, 'operator-password-1');
      await operatorPage.goto(editorUrl());
      await operatorPage.getByTestId('template-editor').waitFor();
      await operatorPage.getByTestId('preview-button').click();
      await operatorPage.getByTestId('preview-subject').waitFor();
      await expect(operatorPage.getByTestId('save-button').count()).resolves.toBe(0);
      await expect(operatorPage.getByTestId('test-send-button').count()).resolves.toBe(0);
      await expect(operatorPage.locator('[data-testid^="revert-"], [data-testid^="back-to-file-"]').count()).resolves.toBe(0);
      await shot(operatorPage, 'admin-template-operator');
      expect(realErrors(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

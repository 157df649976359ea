import { DataSource } from 'typeorm';
import { adminLogin, collectPageErrors, realErrors, useAdminBrowser } from '../../helpers/browser';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';
const PASSWORD = 'operator-password-msg-1';

/**
 * Issue 14 item 13 (G5.5): a customer message in the admin is what the customer received — subject, plain text and the
 * HTML rendered in a sandboxed frame — not the JSON it was made from (Debian chromium).
 */
describe('a customer message in the admin', () => {
  const test = useAdminBrowser({ component: 'UserComponents.CustomerMessage' });

  it('shows the subject, the plain text (wrapping) and the HTML in a sandboxed frame, as sent, in Chinese', async () => {
    const email = `${unique('msg')}@test.local`.toLowerCase();
    await test.app.http.post('/api/users').set(test.auth).send({ email, name: '钱客服', password: PASSWORD, roles: ['operator'], locale: 'zh-CN' }).expect(201);
    const sku = unique('MSG');
    await stockedCatalogue(test.app, test.auth.Authorization.slice('Bearer '.length), { [sku]: 5 });
    const customer = `${unique('cust').toLowerCase()}@example.com`;
    const order = (await test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { customer: { name: '王芳', phone: '13900139000', email: customer, locale: 'zh-CN' } })).expect(201)).body;
    const db = test.app.running.app.get(DataSource);
    const [sent] = await eventually(async () => {
      const rows = await db.query(`SELECT id, sent_subject AS subject, sent_text AS text, sent_html AS html FROM notification WHERE reference = $1 AND channel = 'email' AND status = 'sent' ORDER BY created_at LIMIT 1`, [order.number]);
      return rows.length ? rows : undefined;
    }, { what: 'the order confirmation sent' });
    // what went out is kept with the message
    expect(sent.subject).toContain(order.number);
    expect(sent.text).toContain(order.number);
    expect(sent.html).toContain('<html');

    const context = await test.browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors = collectPageErrors(page);
    try {
      await adminLogin(page, test.base, email, PASSWORD);
      await page.goto(`${test.base}/admin/resources/Notification/records/${sent.id}/show`);
      const view = page.getByTestId('customer-message');
      await view.waitFor();
      await expect(view.locator('h3').innerText()).resolves.toBe('客户收到的内容');
      await expect(view.getByTestId('message-not-sent').count()).resolves.toBe(0);
      await expect(view.getByTestId('message-recipient').innerText()).resolves.toBe(customer);
      await expect(view.getByTestId('message-subject').innerText()).resolves.toBe(sent.subject);
      const text = view.getByTestId('message-text');
      await expect(text.textContent()).resolves.toBe(sent.text);
      // long lines (and links) wrap inside the box rather than run off the page
      const style = await text.evaluate((node) => {
        const computed = (globalThis as unknown as { getComputedStyle(node: unknown): { whiteSpace: string; overflowWrap: string } }).getComputedStyle(node);
        return [computed.whiteSpace, computed.overflowWrap];
      });
      expect(style).toEqual(['pre-wrap', 'anywhere']);
      // the HTML drawn as the customer's mail client draws it, in a frame without scripts or access to the admin
      const frame = view.getByTestId('message-html');
      await expect(frame.getAttribute('sandbox')).resolves.toBe('');
      await expect(page.frameLocator('[data-testid=message-html]').locator('body').innerText()).resolves.toContain(order.number);
      // no JSON dump of the data it was made from
      const whole = await page.locator('main, body').first().innerText();
      expect(whole).not.toMatch(/"order"\s*:|"shop"\s*:|\{\s*"/);
      await page.screenshot({ path: `${SCREENSHOTS}/oms-customer-message-zh.png`, fullPage: true });
      expect(realErrors(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

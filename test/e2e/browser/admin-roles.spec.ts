import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { adminLogin, useAdminBrowser } from '../../helpers/browser';
import { unique } from '../../helpers/fixtures';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

/** G3.3 in a browser (Debian chromium): the role editor's checkboxes grouped by area, a user's roles, "Change my password". */
describe('the role editor and account pages in a browser', () => {
  const admin = useAdminBrowser({ component: 'CheckboxGroups' });
  const shot = (target: Page, name: string) => target.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });

  it('creates a role by ticking permissions under their areas, then gives it to a user by ticking it', async () => {
    const { app, auth, base, page } = admin;
    const name = `packers_${Date.now().toString(36)}`;
    await page.goto(`${base}/admin/resources/Role/actions/new`);
    await page.locator('input[name=name]').fill(name);
    await page.locator('textarea[name=description], input[name=description]').first().fill('Packing only');
    const shipping = page.getByTestId('checkbox-group-Shipping');
    await shipping.waitFor();
    await expect(page.getByTestId('checkbox-group-Orders').locator('input[type=checkbox]').count()).resolves.toBe(3);
    await page.locator('label[for="permissions-shipments.write"]').click();
    await page.locator('label[for="permissions-orders.read"]').click();
    await shot(page, 'admin-role-editor');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/resources\/Role\/records\/.+\/show/);
    const role = (await app.http.get('/api/roles').set(auth).expect(200)).body.find((one: { name: string }) => one.name === name);
    expect(role.permissions.sort()).toEqual(['orders.read', 'shipments.write']);

    const email = `${unique('packer')}@test.local`.toLowerCase();
    const { id } = (await app.http.post('/api/users').set(auth).send({ email, name: 'Packer', password: 'packer-password-1', roles: ['warehouse'] }).expect(201)).body;
    await page.goto(`${base}/admin/resources/User/records/${id}/edit`);
    await page.locator(`label[for="roles-${name}"]`).waitFor();
    await page.locator(`label[for="roles-${name}"]`).click();
    await page.locator('label[for="roles-warehouse"]').click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/resources\/User\/records\/.+\/show/);
    expect((await app.http.get(`/api/users/${id}`).set(auth).expect(200)).body.roles).toEqual([name]);
  });

  it('changes the signed-in user\'s own password on the "Change my password" page and sends them to the login', async () => {
    const { app, auth, base, browser } = admin;
    const email = `${unique('self')}@test.local`.toLowerCase();
    await app.http.post('/api/users').set(auth).send({ email, name: 'Self', password: 'self-password-12', roles: ['warehouse'] }).expect(201);
    const page = await (await browser.newContext()).newPage();
    await adminLogin(page, base, email, 'self-password-12');
    await page.goto(`${base}/admin/pages/changePassword`);
    await page.locator('input[name=currentPassword]').fill('self-password-12');
    await page.locator('input[name=newPassword]').fill('short');
    await page.locator('input[name=repeat]').fill('short');
    await page.getByTestId('form-submit').click();
    await page.getByTestId('field-error').filter({ hasText: 'at least 12' }).waitFor();
    await page.locator('input[name=newPassword]').fill('a much better one');
    await page.locator('input[name=repeat]').fill('a much better one');
    await page.getByTestId('form-submit').click();
    await page.waitForURL(`${base}/admin/login`);
    await adminLogin(page, base, email, 'a much better one');
    const [{ count }] = await app.running.app.get(DataSource).query(`SELECT count(*)::int AS count FROM audit_log WHERE action = 'auth.password_change' AND actor = $1`, [email]);
    expect(count).toBe(1);
    await page.context().close();
  });
});

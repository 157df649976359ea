import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { AuthService } from '../../../src/auth/auth.service';
import { adminLogin, useAdminBrowser } from '../../helpers/browser';
import { unique } from '../../helpers/fixtures';

/** A page on another origin that posts a hidden multipart form to the admin as soon as it loads (the outside review's attack). */
function forgedPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('');
  return `<!doctype html><html><body><form method="post" enctype="multipart/form-data" action="${action}">${inputs}</form>
<script>document.forms[0].submit()</script></body></html>`;
}

/**
 * Issue 11 item 5 in Chromium: forged forms from another origin of the same site (another port of 127.0.0.1, whose requests
 * carry the SameSite=Lax admin cookie) and from another site (localhost) auto-submit to AdminJS's edit and new actions
 * with the signed-in admin's cookie, and are refused; the admin's own pages still save.
 */
describe('forged admin forms in a browser (Debian chromium)', () => {
  const ctx = useAdminBrowser({ component: 'OrderStatusCounts' });
  let attacker: Server;
  let attackerPort: number;
  const forged = new Map<string, string>();

  beforeAll(async () => {
    attacker = createServer((request, response) => {
      const page = forged.get(request.url ?? '');
      response.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' }).end(page ?? 'not here');
    });
    // every address (IPv4 and IPv6): Chromium may reach localhost over either
    await new Promise<void>((resolve) => attacker.listen(0, resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise((resolve) => attacker?.close(resolve)));

  const db = () => ctx.app.running.app.get(DataSource);
  const rolesOf = async (id: string) => (await db().query(`SELECT roles FROM app_user WHERE id = $1`, [id]))[0].roles as string[];
  const usersNamed = async (email: string) => (await db().query(`SELECT id FROM app_user WHERE email = $1`, [email])).length as number;

  /** Opens the forged page (in the admin's browser, so with its cookies) and waits for the admin's answer to the form. */
  async function submitForged(host: string, action: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
    const path = `/${unique('forged')}.html`;
    forged.set(path, forgedPage(`${ctx.base}${action}`, fields));
    const page: Page = await ctx.page.context().newPage();
    try {
      const answered = page.waitForResponse((response) => response.url() === `${ctx.base}${action}` && response.request().method() === 'POST');
      await page.goto(`http://${host}:${attackerPort}${path}`);
      const response = await answered;
      return { status: response.status(), body: await response.text() };
    } finally {
      await page.close();
    }
  }

  describe.each([
    ['another port of the same host (same site, another origin)', '127.0.0.1'],
    ['another site (localhost)', 'localhost'],
  ])('from %s', (_what, host) => {
    it('an auto-submitting form to the built-in edit that makes a user admin is refused, and the user keeps their roles', async () => {
      const userId = await ctx.app.running.app.get(AuthService).createUser(`${unique('victim')}@test.local`.toLowerCase(), 'victim-password-1', ['warehouse']);
      const answer = await submitForged(host, `/admin/api/resources/User/records/${userId}/edit`, { 'roles.0': 'admin' });
      expect(answer.status).toBe(403);
      expect(answer.body).toContain("only accepted from the admin's own pages");
      expect(await rolesOf(userId)).toEqual(['warehouse']);
    });

    it('an auto-submitting form to the built-in new that creates an admin account is refused, and no account exists', async () => {
      const email = `${unique('planted')}@test.local`.toLowerCase();
      const answer = await submitForged(host, '/admin/api/resources/User/actions/new', { email, password: 'planted-password-1', 'roles.0': 'admin', active: 'true' });
      expect(answer.status).toBe(403);
      expect(await usersNamed(email)).toBe(0);
    });
  });

  it("the admin's own edit form still saves (a product's name), under the admin's CSP with no violation", async () => {
    const created = (await ctx.app.http.post('/api/products').set(ctx.auth).send({ sku: unique('CSRF'), name: 'Before', price: '9.90' }).expect(201)).body;
    const { page, base } = ctx;
    await page.goto(`${base}/admin/resources/Product/records/${created.id}/edit`);
    const name = page.locator('input[name="name"]');
    await name.fill('Saved through the admin');
    const saved = page.waitForResponse((response) => response.url().endsWith(`/records/${created.id}/edit`) && response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save' }).click();
    expect((await saved).status()).toBe(200);
    const product = (await ctx.app.http.get(`/api/products/${created.sku}`).set(ctx.auth).expect(200)).body;
    expect(product.name).toBe('Saved through the admin');
    // CSP violations are console errors: the afterEach of useAdminBrowser fails the test on any
  });

  it('a script injected into the page state (a display name) does not run', async () => {
    const email = `${unique('named')}@test.local`.toLowerCase();
    const userId = await ctx.app.running.app.get(AuthService).createUser(email, 'named-password-1', ['analyst']);
    await db().query(`UPDATE app_user SET display_name = $1 WHERE id = $2`, ['</script><script>window.pwned=1</script>', userId]);
    const context = await ctx.browser.newContext();
    try {
      const page = await context.newPage();
      await adminLogin(page, ctx.base, email, 'named-password-1');
      expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    } finally {
      await context.close();
    }
  });
});

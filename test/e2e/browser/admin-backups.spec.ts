import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { switchAdminLanguage, useAdminBrowser } from '../../helpers/browser';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';
// the app of this file writes its backups here (read from the environment when the app starts in beforeAll)
const backupDir = mkdtempSync(join(tmpdir(), 'oms-admin-backups-'));
process.env.BACKUP_DIR = backupDir;
afterAll(() => {
  delete process.env.BACKUP_DIR;
  rmSync(backupDir, { recursive: true, force: true });
});

/** Issue 13 item 8 in a browser (Debian chromium): the Backups page takes, verifies and downloads a backup; the dashboard tile. */
describe('the Backups page in a browser', () => {
  const admin = useAdminBrowser({ component: 'Backups' });
  const shot = (target: Page, name: string) => target.screenshot({ path: `${SCREENSHOTS}/oms-${name}.png`, fullPage: true });

  it('the dashboard tile is red with no verified backup; Take now, then Verify: the row goes running → completed → verified, the file downloads, the tile turns green', async () => {
    const { app, auth, base, page } = admin;
    await page.goto(`${base}/admin`);
    await page.getByTestId('backup-tile').waitFor();
    expect(await page.getByTestId('backup-tile').getAttribute('data-stale')).toBe('true');

    await page.goto(`${base}/admin/pages/backups`);
    await page.getByTestId('backups-page').waitFor();
    await page.getByText('No backups yet').waitFor();
    await page.getByTestId('backup-take').click();
    const row = page.getByTestId('backup-row').first();
    await row.and(page.locator('[data-status=completed]')).waitFor({ timeout: 60_000 });
    const id = await row.getAttribute('data-id');
    expect((await app.http.get(`/api/backups/${id}`).set(auth).expect(200)).body.status).toBe('completed');

    await row.getByTestId('backup-verify').click();
    await row.and(page.locator('[data-status=verified]')).waitFor({ timeout: 60_000 });
    await expect(row.getByTestId('backup-status').textContent()).resolves.toBe('verified');
    await shot(page, 'admin-backups');
    const backup = (await app.http.get(`/api/backups/${id}`).set(auth).expect(200)).body;
    expect(backup).toMatchObject({ status: 'verified', verification: { status: 'passed' } });

    // Download: the link serves the file to the admin session
    const href = await row.getByTestId('backup-download').getAttribute('href');
    const download = await page.request.get(`${base}${href}`);
    expect(download.status()).toBe(200);
    expect((await download.body()).length).toBe(backup.sizeBytes);
    // without the admin session: no file (the admin sends the browser to its login)
    const stranger = await (await page.context().browser()!.newContext()).request.get(`${base}${href}`, { maxRedirects: 0 });
    expect([302, 401]).toContain(stranger.status());
    expect(stranger.headers()['content-type'] ?? '').not.toContain('octet-stream');

    await page.goto(`${base}/admin`);
    await page.getByTestId('backup-tile').waitFor();
    expect(await page.getByTestId('backup-tile').getAttribute('data-stale')).toBe('false');
    await shot(page, 'admin-dashboard-backup-tile');

    // Delete (after confirming)
    await page.goto(`${base}/admin/pages/backups`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('backup-row').first().getByTestId('backup-delete').click();
    await page.getByText('No backups yet').waitFor();
    await app.http.get(`/api/backups/${id}`).set(auth).expect(404);
  });

  it('speaks Chinese when 简体中文 is chosen in the user menu', async () => {
    const { base, page } = admin;
    await page.goto(`${base}/admin/pages/backups`);
    await page.getByTestId('backups-page').waitFor();
    await switchAdminLanguage(page, 'zh-CN');
    await page.getByRole('heading', { name: '备份' }).waitFor();
    await expect(page.getByTestId('backup-take').textContent()).resolves.toBe('立即备份');
    await page.getByText('还没有备份').waitFor();
    await shot(page, 'admin-backups-zh');
    await switchAdminLanguage(page, 'en');
  });
});

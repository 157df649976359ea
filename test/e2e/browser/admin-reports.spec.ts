import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { useAdminBrowser } from '../../helpers/browser';
import { orderBody, stockedCatalogue, unique, userWithRoles } from '../../helpers/fixtures';
import { ADMIN_EMAIL, eventually } from '../../helpers/test-app';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp';

/** Issue 13 acceptance: the Reports page shows the chart and downloads the XLSX; the dashboard's 30-day charts (G4). */
describe('the Reports page in a browser (Debian chromium)', () => {
  const test = useAdminBrowser({ component: 'ReportsPage' });
  let skus: string[];

  beforeAll(async () => {
    skus = [unique('RPA'), unique('RPB')];
    await stockedCatalogue(test.app, test.auth.Authorization.slice('Bearer '.length), { [skus[0]]: 50, [skus[1]]: 50 });
    const post = (lines: Array<{ sku: string; quantity: number; unitPrice: string }>, placedAt: string) =>
      test.app.http.post('/api/orders').set(test.auth).send(orderBody(lines, { placedAt, customer: { name: '陈一', phone: '13700000001' } })).expect(201);
    await post([{ sku: skus[0], quantity: 2, unitPrice: '12.50' }], '2026-06-10T09:00:00+08:00');
    await post([{ sku: skus[1], quantity: 1, unitPrice: '8.00' }], '2026-06-11T23:30:00+08:00');
    await post([{ sku: skus[0], quantity: 1, unitPrice: '12.50' }], new Date().toISOString());
  }, 60_000);

  it('shows the daily sales chart and table for a range, switches report, and downloads the XLSX of the range', async () => {
    const { page, base } = test;
    await page.goto(`${base}/admin/pages/reports`);
    await page.getByTestId('reports-page').waitFor();
    // the default range: the last 30 days, with today's order
    await page.getByTestId('report-chart').waitFor();
    await page.locator('#report-from').fill('2026-06-10');
    await page.locator('#report-to').fill('2026-06-12');
    await page.getByTestId('report-show').click();
    await page.getByTestId('report-table').getByText('2026-06-12').waitFor();
    const chart = page.getByTestId('report-chart');
    expect(await chart.getAttribute('data-points')).toBe('3');
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.height).toBeGreaterThan(100);
    // something was drawn: the canvas is not blank
    type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const painted = await chart.evaluate((element) => {
      const canvas = element as unknown as Canvas;
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) count++;
      return count;
    });
    expect(painted).toBeGreaterThan(500);
    const rows = await page.getByTestId('report-table').locator('tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t').map((cell) => cell.trim()))).toEqual([
      ['2026-06-10', '1', '2', '25.00'],
      ['2026-06-11', '1', '1', '8.00'],
      ['2026-06-12', '0', '0', '0.00'],
    ]);
    await page.screenshot({ path: `${SCREENSHOTS}/oms-reports-daily-sales.png`, fullPage: true });

    // in the user's language (English here; admin-language.spec.ts switches to Chinese)
    expect(await page.getByTestId('report-show').innerText()).toBe('Show');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-xlsx').click()]);
    expect(download.suggestedFilename()).toBe('daily-sales_2026-06-10_2026-06-12.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile((await download.path())!)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(2).values).toEqual([undefined, 'date', 'orders', 'items', 'revenue']);
    expect(sheet.getRow(3).values).toEqual([undefined, new Date('2026-06-10T00:00:00Z'), 1, 2, 25]);
    expect(sheet.getRow(4).values).toEqual([undefined, new Date('2026-06-11T00:00:00Z'), 1, 1, 8]);

    // the product ranking: bars of the same range
    await page.getByTestId('report-product-ranking').click();
    await page.getByTestId('report-table').getByRole('cell', { name: skus[1], exact: true }).waitFor();
    expect(await page.getByTestId('report-chart').getAttribute('data-points')).toBe('2');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(csv.suggestedFilename()).toBe('product-ranking_2026-06-10_2026-06-12.csv');
    expect((await readFile((await csv.path())!, 'utf8')).split('\n')[1]).toBe(`${skus[0]},Product ${skus[0]},2,25.00`);
  });

  it('the dashboard charts the last 30 days and the statuses, linking to the filtered order list', async () => {
    const { page, base } = test;
    await page.goto(`${base}/admin`);
    await page.getByTestId('dashboard-sales-chart').waitFor();
    expect(await page.getByTestId('dashboard-sales-chart').getAttribute('data-points')).toBe('30');
    await page.getByTestId('dashboard-status-chart').waitFor();
    const link = page.locator('[data-testid^="dashboard-status-"]').first();
    await link.click();
    await page.waitForURL(/\/admin\/resources\/Order\/actions\/list\?.*filters\.status=/);
    expect(decodeURIComponent(page.url())).toContain('filters.placedAt~~from=');
  });

  it('staff performance (issue 14 item 11): the fifth report, per operator, in both languages', async () => {
    const { page, base } = test;
    const sku = skus[0];
    const placed = (await test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1, unitPrice: '12.50' }])).expect(201)).body as { id: string };
    await eventually(async () => ((await test.app.http.get(`/api/orders/${placed.id}`).set(test.auth).expect(200)).body.status === 'awaiting_shipment' ? true : undefined));
    await test.app.http.post(`/api/orders/${placed.id}/cancel`).set(test.auth).send({ reason: 'customer asked' }).expect(200);

    await page.goto(`${base}/admin/pages/reports`);
    await page.getByTestId('report-staff-performance').click();
    const row = page.getByTestId('report-table').locator('tbody tr', { hasText: ADMIN_EMAIL });
    await row.waitFor();
    const cells = (await row.innerText()).split('\t').map((cell) => cell.trim());
    // operator, reviewed, approved, rejected, cancelled, exceptions resolved, cases, tasks, timed work items, median, p90
    expect(cells.slice(0, 9)).toEqual([`Administrator (${ADMIN_EMAIL})`, '0', '0', '0', '1', '0', '0', '0', '1']);
    expect(cells[9]).toMatch(/^\d+(\.\d)?$/);
    const headers = (await page.getByTestId('report-table').locator('thead').innerText()).split('\t').map((cell) => cell.trim());
    expect([['员工', '取消'], ['Operator', 'Cancelled']]).toContainEqual([headers[0], headers[4]]);
    await page.getByTestId('report-chart').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/oms-reports-staff-performance.png`, fullPage: true });
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(csv.suggestedFilename()).toMatch(/^staff-performance_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    expect((await readFile((await csv.path())!, 'utf8')).split('\n')[0]).toBe(
      '\uFEFFoperator,operatorName,ordersReviewed,ordersApproved,ordersRejected,ordersCancelled,exceptionsResolved,casesHandled,tasksCompleted,workItems,medianMinutes,p90Minutes',
    );
  });

  it('without reports.read the page says so and the download is 403', async () => {
    const { email } = await userWithRoles(test.app, 'warehouse');
    const context = await test.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${test.base}/admin/login`);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('role-password-1');
    await Promise.all([page.waitForURL(`${test.base}/admin`), page.locator('input[name=password]').press('Enter')]);
    await page.goto(`${test.base}/admin/pages/reports`);
    await page.getByTestId('reports-refused').waitFor();
    const response = await page.request.get(`${test.base}/admin/reports/download/daily-sales?format=xlsx`);
    expect(response.status()).toBe(403);
    await context.close();
  });
});

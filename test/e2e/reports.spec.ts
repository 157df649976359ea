import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { orderBody, shippedOrder, stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** supertest: the body as the bytes that came (CSV and XLSX are checked byte for byte). */
const bytes = (response: Response) => response.body as Buffer;
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
};

/**
 * Recounts of the four rollups straight from the orders (what the triggers must keep them equal to), in `zone`, added up
 * over the shards; the rollups' own sums in the same shape.
 */
const RECOUNT = {
  status: `SELECT to_char((placed_at AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS day, status, count(*)::int AS n FROM customer_order GROUP BY 1, 2 ORDER BY 1, 2`,
  sales: `SELECT to_char((o.placed_at AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS day, count(*)::int AS orders,
                 sum((SELECT sum(quantity) FROM order_line l WHERE l.order_id = o.id))::int AS items,
                 sum(o.grand_total - coalesce((SELECT sum(refund_amount) FROM after_sales_case c WHERE c.order_id = o.id), 0))::text AS revenue
            FROM customer_order o WHERE o.status <> 'cancelled' AND o.payment_status = 'paid' GROUP BY 1 ORDER BY 1`,
  product: `SELECT to_char((o.placed_at AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS day, l.sku, sum(l.quantity)::int AS quantity, sum(l.quantity * l.unit_price)::text AS revenue
              FROM customer_order o JOIN order_line l ON l.order_id = o.id WHERE o.status <> 'cancelled' AND o.payment_status = 'paid' GROUP BY 1, 2 ORDER BY 1, 2`,
  customer: `SELECT to_char((o.placed_at AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS day, o.customer_phone AS phone, count(*)::int AS orders,
                    sum(o.grand_total - coalesce((SELECT sum(refund_amount) FROM after_sales_case c WHERE c.order_id = o.id), 0))::text AS revenue,
                    min(o.placed_at) AS first, max(o.placed_at) AS last
               FROM customer_order o WHERE o.status <> 'cancelled' AND o.payment_status = 'paid' GROUP BY 1, 2 ORDER BY 1, 2`,
};
const ROLLUP = {
  status: `SELECT to_char(day, 'YYYY-MM-DD') AS day, status, sum(orders)::int AS n FROM report_daily_status GROUP BY 1, 2 HAVING sum(orders) <> 0 ORDER BY 1, 2`,
  sales: `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(orders)::int AS orders, sum(items)::int AS items, sum(revenue)::text AS revenue
            FROM report_daily_sales GROUP BY 1 HAVING sum(orders) <> 0 OR sum(items) <> 0 OR sum(revenue) <> 0 ORDER BY 1`,
  product: `SELECT to_char(day, 'YYYY-MM-DD') AS day, sku, sum(quantity)::int AS quantity, sum(revenue)::text AS revenue
              FROM report_daily_product GROUP BY 1, 2 HAVING sum(quantity) <> 0 OR sum(revenue) <> 0 ORDER BY 1, 2`,
  customer: `SELECT to_char(day, 'YYYY-MM-DD') AS day, phone, orders, revenue::text AS revenue, first_order_at AS first, last_order_at AS last
               FROM report_daily_customer ORDER BY 1, 2`,
};

/** API.md "Reports and settings" (G4, issue 13), on the real PostgreSQL. */
describe('reports', () => {
  const test = useTestApp();
  const db = () => test.app.running.app.get(DataSource);
  const get = (report: string, query: Record<string, string>) => test.app.http.get(`/api/reports/${report}`).query(query).set(test.auth);
  const waitForStatus = (id: string, status: string) =>
    eventually(async () => ((await test.app.http.get(`/api/orders/${id}`).set(test.auth).expect(200)).body.status === status ? true : undefined), { what: `order ${id} to be ${status}` });

  /** Rollups and recount read in one snapshot (the workflow keeps moving orders meanwhile). */
  const rollupsAndRecount = async (zone: string) => {
    const runner = db().createQueryRunner();
    try {
      await runner.startTransaction('REPEATABLE READ');
      const rollups: Record<string, unknown[]> = {};
      for (const [name, sql] of Object.entries(ROLLUP)) rollups[name] = await runner.query(sql);
      const recount: Record<string, unknown[]> = {};
      for (const [name, sql] of Object.entries(RECOUNT)) recount[name] = await runner.query(sql, [zone]);
      await runner.commitTransaction();
      return { rollups, recount };
    } finally {
      await runner.release();
    }
  };

  it('rollups equal a recount after concurrent intakes, cancellations and refunds, and after the shop time zone changes', async () => {
    const skus = [unique('RA'), unique('RB')];
    await stockedCatalogue(test.app, await test.app.login(), { [skus[0]]: 500, [skus[1]]: 500 });
    // 30 orders at once over two shop days either side of midnight, paid and unpaid, five customers
    const placed = ['2026-10-01T23:10:00+08:00', '2026-10-01T23:50:00+08:00', '2026-10-02T00:10:00+08:00', '2026-10-02T12:00:00+08:00', '2026-10-02T23:59:00+08:00'];
    const intakes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        test.app.http
          .post('/api/orders')
          .set(test.auth)
          .send(
            orderBody([{ sku: skus[i % 2], quantity: 1 + (i % 3), unitPrice: `${10 + i}.25` }, ...(i % 4 === 0 ? [{ sku: skus[1 - (i % 2)], quantity: 2, unitPrice: '3.10' }] : [])], {
              customer: { name: `客户${i % 5}`, phone: `1390000000${i % 5}` },
              placedAt: placed[i % placed.length],
              ...(i % 6 === 5 ? { payment: { method: 'bank_transfer', status: 'pending' } } : {}),
            }),
          ),
      ),
    );
    expect(intakes.map((r) => r.status)).toEqual(Array(30).fill(201));
    // ten of them cancelled at once, while their workflows run
    const cancels = await Promise.all(intakes.slice(0, 10).map((r) => test.app.http.post(`/api/orders/${r.body.id}/cancel`).set(test.auth).send({ reason: 'customer changed mind' })));
    expect(cancels.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    // unpaid orders: two amended (other lines, another customer) while two others are paid, at once
    const unpaid = intakes.slice(10).filter((r) => r.body.status === 'pending_payment');
    expect(unpaid.length).toBeGreaterThanOrEqual(3);
    const changes = await Promise.all([
      ...unpaid.slice(0, 2).map((r, i) =>
        test.app.http.patch(`/api/orders/${r.body.id}`).set(test.auth).send({ lines: [{ sku: skus[1], quantity: 4 + i, unitPrice: '2.35' }], customer: { name: '改名', phone: '13700000099' } }),
      ),
      ...unpaid.slice(2).map((r) => test.app.http.post(`/api/orders/${r.body.id}/payments`).set(test.auth).send({ amount: r.body.totals.grand, reference: unique('PAY') })),
    ]);
    expect(changes.map((r) => [r.status, r.body.error?.message])).toEqual(Array(changes.length).fill([200, undefined]));
    // refunds of shipped orders, several at once
    const shipped = await Promise.all([shippedOrder(test.app, test.auth, [3]), shippedOrder(test.app, test.auth, [3])]);
    const cases = [];
    for (const { order, skus: own } of shipped) {
      for (let i = 0; i < 3; i++) {
        const opened = (await test.app.http.post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'refund_only', lines: [{ sku: own[0], quantity: 1 }], reason: `r${i}` }).expect(201)).body;
        await test.app.http.post(`/api/after-sales/${opened.id}/approve`).set(test.auth).send({}).expect(200);
        cases.push(opened.id as string);
      }
    }
    const refunds = await Promise.all(cases.map((id) => test.app.http.post(`/api/after-sales/${id}/refund`).set(test.auth).send({ amount: '7.15' })));
    expect(refunds.map((r) => r.status)).toEqual(Array(6).fill(200));
    // and more intakes and cancellations racing each other
    const late = await Promise.all(Array.from({ length: 10 }, (_, i) => test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku: skus[0], quantity: 1 }], { placedAt: placed[i % 5] }))));
    await Promise.all([
      ...late.slice(0, 5).map((r) => test.app.http.post(`/api/orders/${r.body.id}/cancel`).set(test.auth).send({ reason: 'duplicate' })),
      ...Array.from({ length: 5 }, () => test.app.http.post('/api/orders').set(test.auth).send(orderBody([{ sku: skus[1], quantity: 2 }], { placedAt: placed[2] }))),
    ]);

    const shanghai = await rollupsAndRecount('Asia/Shanghai');
    expect(shanghai.recount.sales.length).toBeGreaterThan(2);
    expect(shanghai.recount.status).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'cancelled' })]));
    expect(shanghai.rollups).toEqual(shanghai.recount);
    // once the workflows have settled too
    for (const r of intakes.slice(10)) await eventually(async () => ((await test.app.http.get(`/api/orders/${r.body.id}`).set(test.auth)).body.status !== 'pending_review' ? true : undefined));
    const settled = await rollupsAndRecount('Asia/Shanghai');
    expect(settled.rollups).toEqual(settled.recount);

    // a new shop time zone rebuilds them in that zone, in the settings' transaction
    await test.app.http.put('/api/settings').set(test.auth).send({ timeZone: 'America/New_York' }).expect(200);
    const newYork = await rollupsAndRecount('America/New_York');
    expect(newYork.rollups).toEqual(newYork.recount);
    expect(newYork.rollups.sales).not.toEqual(settled.rollups.sales);
    await test.app.http.put('/api/settings').set(test.auth).send({ timeZone: 'Asia/Shanghai' }).expect(200);
    const back = await rollupsAndRecount('Asia/Shanghai');
    expect(back.rollups).toEqual(back.recount);
  });

  describe('known orders either side of midnight in Shanghai (2025-03-31 23:30 and 2025-04-01 00:30)', () => {
    const range = { from: '2025-03-31', to: '2025-04-01' };
    let skus: string[];
    const phone = '13912345678';

    beforeAll(async () => {
      skus = [unique('TZA'), unique('TZB')];
      await stockedCatalogue(test.app, await test.app.login(), { [skus[0]]: 100, [skus[1]]: 100 });
      const post = async (lines: Array<{ sku: string; quantity: number; unitPrice: string }>, overrides: Record<string, unknown>) =>
        (await test.app.http.post('/api/orders').set(test.auth).send(orderBody(lines, overrides)).expect(201)).body as { id: string };
      const late = await post([{ sku: skus[0], quantity: 2, unitPrice: '10.00' }, { sku: skus[1], quantity: 1, unitPrice: '5.50' }], {
        customer: { name: '王小明', phone }, placedAt: '2025-03-31T23:30:00+08:00',
      });
      const early = await post([{ sku: skus[0], quantity: 1, unitPrice: '10.00' }], { customer: { name: '王小明', phone }, placedAt: '2025-04-01T00:30:00+08:00' });
      await post([{ sku: skus[1], quantity: 3, unitPrice: '5.50' }], {
        customer: { name: '李四', phone: '13800000009' }, placedAt: '2025-04-01T00:45:00+08:00', payment: { method: 'bank_transfer', status: 'pending' },
      });
      const cancelled = await post([{ sku: skus[1], quantity: 4, unitPrice: '5.50' }], { customer: { name: '赵六', phone: '13800000008' }, placedAt: '2025-04-01T10:00:00+08:00' });
      await test.app.http.post(`/api/orders/${cancelled.id}/cancel`).set(test.auth).send({ reason: 'test' }).expect(200);
      await waitForStatus(late.id, 'awaiting_shipment');
      await waitForStatus(early.id, 'awaiting_shipment');
    });

    it('JSON: each report on the right shop day', async () => {
      expect((await get('daily-sales', range).expect(200)).body).toEqual({
        report: 'daily-sales', ...range,
        rows: [{ date: '2025-03-31', orders: 1, items: 3, revenue: '25.50' }, { date: '2025-04-01', orders: 1, items: 1, revenue: '10.00' }],
      });
      expect((await get('daily-sales', { from: '2025-04-01', to: '2025-04-01' }).expect(200)).body.rows).toEqual([{ date: '2025-04-01', orders: 1, items: 1, revenue: '10.00' }]);
      expect((await get('status-distribution', range).expect(200)).body).toEqual({
        report: 'status-distribution', ...range,
        rows: [{ status: 'awaiting_shipment', count: 2 }, { status: 'cancelled', count: 1 }, { status: 'pending_payment', count: 1 }],
      });
      expect((await get('status-distribution', { from: '2025-03-31', to: '2025-03-31' }).expect(200)).body.rows).toEqual([{ status: 'awaiting_shipment', count: 1 }]);
      expect((await get('product-ranking', range).expect(200)).body.rows).toEqual([
        { sku: skus[0], name: `Product ${skus[0]}`, quantity: 3, revenue: '30.00' },
        { sku: skus[1], name: `Product ${skus[1]}`, quantity: 1, revenue: '5.50' },
      ]);
      expect((await get('customer-behaviour', range).expect(200)).body.rows).toEqual([
        { customer: '王小明', phone, orders: 2, revenue: '35.50', firstOrderAt: '2025-03-31T15:30:00.000Z', lastOrderAt: '2025-03-31T16:30:00.000Z' },
      ]);
      // limit: the first rows of the report's order (the top products)
      expect((await get('product-ranking', { ...range, limit: '1' }).expect(200)).body.rows).toEqual([{ sku: skus[0], name: `Product ${skus[0]}`, quantity: 3, revenue: '30.00' }]);
      expect((await get('customer-behaviour', { from: '2025-04-01', to: '2025-04-01' }).expect(200)).body.rows).toEqual([
        { customer: '王小明', phone, orders: 1, revenue: '10.00', firstOrderAt: '2025-03-31T16:30:00.000Z', lastOrderAt: '2025-03-31T16:30:00.000Z' },
      ]);
    });

    it('CSV: UTF-8 with a BOM, a header row, Chinese names intact, times in the shop zone; an attachment named for the filter', async () => {
      const response = await get('customer-behaviour', { ...range, format: 'csv' }).buffer(true).parse(binary).expect(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe('attachment; filename="customer-behaviour_2025-03-31_2025-04-01.csv"');
      const body = bytes(response);
      expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(body.subarray(3).toString('utf8')).toBe(`customer,phone,orders,revenue,firstOrderAt,lastOrderAt\n王小明,${phone},2,35.50,2025-03-31 23:30:00,2025-04-01 00:30:00\n`);
      const sales = bytes(await get('daily-sales', { ...range, format: 'csv' }).buffer(true).parse(binary).expect(200)).subarray(3).toString('utf8');
      expect(sales).toBe('date,orders,items,revenue\n2025-03-31,1,3,25.50\n2025-04-01,1,1,10.00\n');
      const statuses = bytes(await get('status-distribution', { ...range, format: 'csv' }).buffer(true).parse(binary).expect(200)).subarray(3).toString('utf8');
      expect(statuses).toBe('status,count\nawaiting_shipment,2\ncancelled,1\npending_payment,1\n');
      const products = bytes(await get('product-ranking', { ...range, format: 'csv' }).buffer(true).parse(binary).expect(200)).subarray(3).toString('utf8');
      expect(products).toBe(`sku,name,quantity,revenue\n${skus[0]},Product ${skus[0]},3,30.00\n${skus[1]},Product ${skus[1]},1,5.50\n`);
    });

    it('XLSX: a title row with the filter, a header row, numbers as numbers and days and times as dates', async () => {
      const read = async (report: string) => {
        const response = await get(report, { ...range, format: 'xlsx' }).buffer(true).parse(binary).expect(200);
        expect(response.headers['content-type']).toBe(XLSX);
        expect(response.headers['content-disposition']).toBe(`attachment; filename="${report}_2025-03-31_2025-04-01.xlsx"`);
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(bytes(response) as unknown as ArrayBuffer);
        const sheet = workbook.worksheets[0];
        expect(sheet.name).toBe(report);
        expect(String(sheet.getCell('A1').value)).toContain('2025-03-31 – 2025-04-01');
        return sheet;
      };
      const sales = await read('daily-sales');
      expect(String(sales.getCell('A1').value)).toContain('每日销售');
      expect(sales.getRow(2).values).toEqual([undefined, 'date', 'orders', 'items', 'revenue']);
      expect(sales.getRow(3).values).toEqual([undefined, new Date('2025-03-31T00:00:00Z'), 1, 3, 25.5]);
      expect(sales.getRow(4).values).toEqual([undefined, new Date('2025-04-01T00:00:00Z'), 1, 1, 10]);
      expect(sales.getCell('A3').type).toBe(ExcelJS.ValueType.Date);
      expect(sales.getCell('D3').type).toBe(ExcelJS.ValueType.Number);
      expect(sales.getCell('D3').numFmt).toBe('#,##0.00');
      expect(sales.rowCount).toBe(4);

      const customers = await read('customer-behaviour');
      expect(customers.getRow(3).values).toEqual([undefined, '王小明', phone, 2, 35.5, new Date('2025-03-31T23:30:00Z'), new Date('2025-04-01T00:30:00Z')]);
      expect(customers.getCell('B3').type).toBe(ExcelJS.ValueType.String);
      expect(customers.getCell('E3').type).toBe(ExcelJS.ValueType.Date);
      expect(customers.getCell('C3').type).toBe(ExcelJS.ValueType.Number);

      const statuses = await read('status-distribution');
      expect(statuses.getRow(3).values).toEqual([undefined, 'awaiting_shipment', 2]);
      const products = await read('product-ranking');
      expect(products.getRow(3).values).toEqual([undefined, skus[0], `Product ${skus[0]}`, 3, 30]);
      expect(products.getCell('D4').value).toBe(5.5);
    });
  });

  it.each([
    ['from after to', { from: '2026-02-02', to: '2026-02-01' }, 'to'],
    ['a day that does not exist', { from: '2026-02-30', to: '2026-03-01' }, 'from'],
    ['a date-time instead of a day', { from: '2026-02-01T10:00:00Z', to: '2026-03-01' }, 'from'],
    ['an unknown format', { from: '2026-02-01', to: '2026-02-02', format: 'pdf' }, 'format'],
    ['more than 366 days', { from: '2025-01-01', to: '2026-01-02' }, 'from'],
    ['an unknown parameter', { from: '2026-02-01', to: '2026-02-02', top: '5' }, 'top'],
    ['a limit of 0', { limit: '0' }, 'limit'],
    ['a limit that is not a whole number', { limit: '2.5' }, 'limit'],
    ['a limit over 100,000', { limit: '100001' }, 'limit'],
  ])('%s is 422 validation_failed naming the field', async (_, query, path) => {
    const error = (await get('daily-sales', query).expect(422)).body.error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('an unknown report is 404 not_found; without dates a report covers the 30 days up to today', async () => {
    expect((await get('profit', {}).expect(404)).body.error.code).toBe('not_found');
    const body = (await get('daily-sales', {}).expect(200)).body;
    expect(body.rows).toHaveLength(30);
    expect(body.to).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()));
    expect(body.rows[29].date).toBe(body.to);
    expect(body.rows[0].date).toBe(body.from);
  });

  it('the OpenAPI document describes the route: its report names, from, to, format and the three content types', async () => {
    const doc = (await test.app.http.get('/api/docs-json').expect(200)).body;
    const route = doc.paths['/api/reports/{report}'].get;
    const parameters = Object.fromEntries(route.parameters.map((p: { name: string; schema: unknown }) => [p.name, p.schema]));
    expect(parameters.report).toMatchObject({ enum: ['daily-sales', 'status-distribution', 'product-ranking', 'customer-behaviour', 'staff-performance'] });
    expect(parameters.format).toMatchObject({ enum: ['json', 'csv', 'xlsx'] });
    expect(Object.keys(parameters)).toEqual(expect.arrayContaining(['from', 'to']));
    expect(Object.keys(route.responses['200'].content)).toEqual(['application/json', 'text/csv; charset=utf-8', XLSX]);
  });

  it('reports.read: admin, operator, finance and analyst read reports; warehouse and integration are 403', async () => {
    for (const role of ['operator', 'finance', 'analyst']) {
      const { auth } = await userWithRoles(test.app, role);
      await test.app.http.get('/api/reports/status-distribution').set(auth).expect(200);
    }
    for (const role of ['warehouse', 'integration']) {
      const { auth } = await userWithRoles(test.app, role);
      expect((await test.app.http.get('/api/reports/status-distribution').set(auth).expect(403)).body.error.code).toBe('forbidden');
    }
  });
});
